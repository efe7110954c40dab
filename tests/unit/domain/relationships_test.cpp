#include <gtest/gtest.h>

#include "domain/dms.hpp"
#include "domain/relationships.hpp"

namespace hearth::domain {
namespace {

using Action = RelationshipAction;
using Type = RelationshipType;
using Pair = RelationshipPair;

Pair apply(Pair before, Action action) {
  auto after = applyRelationship(before, action);
  EXPECT_TRUE(after.has_value()) << "refused";
  return after.value_or(before);
}

TEST(Relationships, ARequestCreatesOutgoingAndIncoming) {
  EXPECT_EQ(apply({}, Action::kRequest), (Pair{Type::kOutgoing, Type::kIncoming}));
}

TEST(Relationships, RequestingBackAcceptsAndBothBecomeFriends) {
  EXPECT_EQ(apply({Type::kIncoming, Type::kOutgoing}, Action::kRequest), (Pair{Type::kFriend, Type::kFriend}));
}

TEST(Relationships, RepeatsChangeNothing) {
  const Pair pending{Type::kOutgoing, Type::kIncoming};
  EXPECT_EQ(apply(pending, Action::kRequest), pending);
  const Pair friends{Type::kFriend, Type::kFriend};
  EXPECT_EQ(apply(friends, Action::kRequest), friends);
  const Pair blocked{Type::kBlocked, std::nullopt};
  EXPECT_EQ(apply(blocked, Action::kBlock), blocked);
  EXPECT_EQ(apply({}, Action::kRemove), Pair{});
}

TEST(Relationships, RemoveEndsFriendshipAndRequestsOnBothSides) {
  EXPECT_EQ(apply({Type::kFriend, Type::kFriend}, Action::kRemove), Pair{});
  EXPECT_EQ(apply({Type::kOutgoing, Type::kIncoming}, Action::kRemove), Pair{}); // cancel
  EXPECT_EQ(apply({Type::kIncoming, Type::kOutgoing}, Action::kRemove), Pair{}); // decline
  EXPECT_EQ(apply({Type::kBlocked, std::nullopt}, Action::kRemove), Pair{}); // unblock
}

TEST(Relationships, BlockingDropsEverythingButTheirOwnBlock) {
  EXPECT_EQ(apply({Type::kFriend, Type::kFriend}, Action::kBlock), (Pair{Type::kBlocked, std::nullopt}));
  EXPECT_EQ(apply({Type::kIncoming, Type::kOutgoing}, Action::kBlock), (Pair{Type::kBlocked, std::nullopt}));
  EXPECT_EQ(apply({Type::kOutgoing, Type::kIncoming}, Action::kBlock), (Pair{Type::kBlocked, std::nullopt}));
  EXPECT_EQ(apply({std::nullopt, Type::kBlocked}, Action::kBlock), (Pair{Type::kBlocked, Type::kBlocked}));
  // Unblocking leaves their block in place.
  EXPECT_EQ(apply({Type::kBlocked, Type::kBlocked}, Action::kRemove), (Pair{std::nullopt, Type::kBlocked}));
}

TEST(Relationships, ARequestToSomeoneWhoBlocksYouIsRefusedLikeAnyOther) {
  for (const auto mine : {std::optional<Type>(), std::optional(Type::kBlocked)}) {
    const auto refused = applyRelationship({mine, Type::kBlocked}, Action::kRequest);
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, core::ErrorCode::kFriendRequestRefused);
    EXPECT_EQ(refused.error().message.find("block"), std::string::npos) << "the reason stays private";
  }
}

TEST(Relationships, ARequestReplacesYourOwnBlock) {
  EXPECT_EQ(apply({Type::kBlocked, std::nullopt}, Action::kRequest), (Pair{Type::kOutgoing, Type::kIncoming}));
}

TEST(DmContext, RecipientsHaveTheDmSetAndNoModeration) {
  Channel dm;
  dm.type = ChannelType::kDm;
  const GuildContext context = dmContext(42, true);
  EXPECT_EQ(context.guild.id, 0u);
  EXPECT_FALSE(context.isOwner());
  EXPECT_EQ(context.in(dm), kDmPermissions);
  EXPECT_EQ(context.in(dm)&perm::kManageMessages, 0u);
  EXPECT_EQ(context.in(dm)&perm::kMentionEveryone, 0u);
  Channel group;
  group.type = ChannelType::kGroupDm;
  EXPECT_EQ(context.in(group), kDmPermissions);
}

TEST(DmContext, ABlockTakesAwaySendingAndWhatDependsOnIt) {
  Channel dm;
  dm.type = ChannelType::kDm;
  const Permissions blocked = dmContext(42, false).in(dm);
  EXPECT_EQ(blocked & perm::kSendMessages, 0u);
  EXPECT_EQ(blocked & (perm::kEmbedLinks | perm::kAttachFiles), 0u);
  EXPECT_NE(blocked & perm::kViewChannel, 0u);
  EXPECT_NE(blocked & perm::kReadMessageHistory, 0u);
}

} // namespace
} // namespace hearth::domain
