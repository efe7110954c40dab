// Which channels a search reads: Search::readableChannels through GuildContext::in, the same
// computation as every route (overwrites, READ_MESSAGE_HISTORY, private threads, parents).
#include <algorithm>
#include <cstdint>
#include <vector>

#include <gtest/gtest.h>

#include "domain/guilds.hpp"
#include "domain/permissions.hpp"
#include "domain/search.hpp"

namespace hearth::domain {
namespace {

using namespace perm;

constexpr std::uint64_t kGuild = 100; // also the @everyone role
constexpr std::uint64_t kOwner = 1;
constexpr std::uint64_t kUser = 2;
constexpr std::uint64_t kModRole = 201;

constexpr Permissions kMember = kViewChannel | kSendMessages | kReadMessageHistory | kSendMessagesInThreads;

GuildContext contextOf(std::uint64_t user, std::vector<std::uint64_t> roles = {}) {
  GuildContext context;
  context.user_id = user;
  context.is_member = true;
  context.guild.id = kGuild;
  context.guild.owner_id = kOwner;
  context.roles.push_back({kGuild, kGuild, "@everyone", 0, false, false, kMember, 0});
  context.roles.push_back({kModRole, kGuild, "mods", 0, false, false, kManageThreads, 1});
  context.member_roles = std::move(roles);
  return context;
}

Channel channel(std::uint64_t id, ChannelType type, std::vector<Overwrite> overwrites = {}) {
  Channel out;
  out.id = id;
  out.guild_id = kGuild;
  out.type = type;
  out.overwrites = std::move(overwrites);
  return out;
}

// A thread as Search::inGuild reads it: its parent, and the searcher among its members or not.
Channel thread(std::uint64_t id, std::uint64_t parent, ChannelType type, bool searcher_is_member,
               std::uint64_t searcher) {
  Channel out = channel(id, type);
  out.parent_id = parent;
  out.thread = ThreadState{};
  if (searcher_is_member) out.thread->members.push_back(searcher);
  return out;
}

std::vector<std::uint64_t> sorted(std::vector<std::uint64_t> ids) {
  std::sort(ids.begin(), ids.end());
  return ids;
}

const Overwrite kHideFromEveryone{kGuild, OverwriteType::kRole, 0, kViewChannel};
const Overwrite kNoHistoryForEveryone{kGuild, OverwriteType::kRole, 0, kReadMessageHistory};

TEST(Search, ReadsChannelsWithViewAndHistoryOnly) {
  const std::vector<Channel> channels{
      channel(10, ChannelType::kText),
      channel(11, ChannelType::kText, {kHideFromEveryone}),
      channel(12, ChannelType::kText, {kNoHistoryForEveryone}),
      channel(13, ChannelType::kVoice),
      channel(14, ChannelType::kCategory),
      channel(15, ChannelType::kText, {kHideFromEveryone, Overwrite{kUser, OverwriteType::kMember, kViewChannel, 0}}),
  };
  EXPECT_EQ(sorted(Search::readableChannels(contextOf(kUser), channels, {})), (std::vector<std::uint64_t>{10, 13, 15}));
  EXPECT_EQ(sorted(Search::readableChannels(contextOf(kOwner), channels, {})),
            (std::vector<std::uint64_t>{10, 11, 12, 13, 15}))
      << "the owner reads every channel (a category holds no messages)";
}

TEST(Search, PrivateThreadsForMembersAndManageThreadsOnly) {
  const std::vector<Channel> channels{channel(10, ChannelType::kText)};
  const std::vector<Channel> as_member{thread(20, 10, ChannelType::kPublicThread, false, kUser),
                                       thread(21, 10, ChannelType::kPrivateThread, true, kUser),
                                       thread(22, 10, ChannelType::kPrivateThread, false, kUser)};
  EXPECT_EQ(sorted(Search::readableChannels(contextOf(kUser), channels, as_member)),
            (std::vector<std::uint64_t>{10, 20, 21}));
  EXPECT_EQ(sorted(Search::readableChannels(contextOf(kUser, {kModRole}), channels, as_member)),
            (std::vector<std::uint64_t>{10, 20, 21, 22}))
      << "MANAGE_THREADS sees private threads it is not in";
}

TEST(Search, ThreadsGoWithTheirParent) {
  const std::vector<Channel> channels{channel(10, ChannelType::kText, {kHideFromEveryone}),
                                      channel(11, ChannelType::kText, {kNoHistoryForEveryone})};
  const std::vector<Channel> threads{thread(20, 10, ChannelType::kPublicThread, true, kUser),
                                     thread(21, 11, ChannelType::kPrivateThread, true, kUser),
                                     thread(22, 99, ChannelType::kPublicThread, true, kUser)};
  EXPECT_TRUE(Search::readableChannels(contextOf(kUser), channels, threads).empty())
      << "a hidden or unreadable parent hides its threads, even from their members; an unknown parent too";
  EXPECT_EQ(sorted(Search::readableChannels(contextOf(kOwner), channels, threads)),
            (std::vector<std::uint64_t>{10, 11, 20, 21}));
}

} // namespace
} // namespace hearth::domain
