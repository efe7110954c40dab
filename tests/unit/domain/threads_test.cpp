// Thread permissions: the parent's permissions (computed with the thread kinds) and the thread's
// own rules on top (threadPermissions), through GuildContext::in as the routes use them.
#include <cstdint>
#include <vector>

#include <gtest/gtest.h>

#include "domain/guilds.hpp"
#include "domain/permissions.hpp"
#include "domain/threads.hpp"

namespace hearth::domain {
namespace {

using namespace perm;

constexpr std::uint64_t kGuild = 100; // also the @everyone role
constexpr std::uint64_t kOwner = 1;
constexpr std::uint64_t kUser = 2;
constexpr std::uint64_t kOther = 3;
constexpr std::uint64_t kModRole = 201;

constexpr Permissions kMember = kViewChannel | kSendMessages | kReadMessageHistory | kAddReactions | kEmbedLinks |
                                kAttachFiles | kSendMessagesInThreads | kCreatePublicThreads;

GuildContext contextOf(std::uint64_t user, Permissions everyone, std::vector<std::uint64_t> roles = {},
                       Permissions mod_role = kManageThreads) {
  GuildContext context;
  context.user_id = user;
  context.is_member = true;
  context.guild.id = kGuild;
  context.guild.owner_id = kOwner;
  context.roles.push_back({kGuild, kGuild, "@everyone", 0, false, false, everyone, 0});
  context.roles.push_back({kModRole, kGuild, "mods", 0, false, false, mod_role, 1});
  context.member_roles = std::move(roles);
  return context;
}

Channel threadIn(std::vector<Overwrite> parent_overwrites, ChannelType type, ThreadState state = {}) {
  Channel thread;
  thread.id = 500;
  thread.guild_id = kGuild;
  thread.type = type;
  thread.parent_id = 400;
  thread.overwrites = std::move(parent_overwrites);
  state.owner_id = kOther;
  thread.thread = std::move(state);
  return thread;
}

TEST(Threads, PublicThreadTakesTheParentsPermissionsWithThreadSending) {
  const auto user = contextOf(kUser, kMember);
  const Channel thread = threadIn({}, ChannelType::kPublicThread);
  const Permissions bits = user.in(thread);
  EXPECT_NE(bits & kViewChannel, 0u);
  EXPECT_NE(bits & kSendMessages, 0u);
  EXPECT_NE(bits & kAttachFiles, 0u);
  EXPECT_EQ(bits & kManageThreads, 0u);

  // Without SEND_MESSAGES_IN_THREADS, no sending in threads, whatever SEND_MESSAGES says...
  const auto quiet = contextOf(kUser, kMember & ~kSendMessagesInThreads);
  EXPECT_EQ(quiet.in(thread)&kSendMessages, 0u);
  // ...and with it, sending in threads of a channel where SEND_MESSAGES is denied, files too.
  const Channel announcements =
      threadIn({{kGuild, OverwriteType::kRole, 0, kSendMessages}}, ChannelType::kPublicThread);
  EXPECT_NE(user.in(announcements)&kSendMessages, 0u);
  EXPECT_NE(user.in(announcements)&kAttachFiles, 0u);
  Channel parent;
  parent.overwrites = announcements.overwrites;
  EXPECT_EQ(user.in(parent) & (kSendMessages | kAttachFiles), 0u);
}

TEST(Threads, HiddenParentHidesTheThread) {
  const auto user = contextOf(kUser, kMember);
  const std::vector<Overwrite> hidden{{kGuild, OverwriteType::kRole, 0, kViewChannel}};
  EXPECT_EQ(user.in(threadIn(hidden, ChannelType::kPublicThread)), 0u);
  ThreadState joined;
  joined.members = {kUser};
  EXPECT_EQ(user.in(threadIn(hidden, ChannelType::kPrivateThread, joined)), 0u) << "membership doesn't beat the parent";
  // An overwrite for the user on the parent opens its threads to them too.
  const std::vector<Overwrite> opened{hidden[0], {kUser, OverwriteType::kMember, kViewChannel, 0}};
  EXPECT_NE(user.in(threadIn(opened, ChannelType::kPublicThread)) & kViewChannel, 0u);
}

TEST(Threads, PrivateThreadIsForMembersAndThreadManagers) {
  ThreadState state;
  state.members = {kOther};
  const Channel thread = threadIn({}, ChannelType::kPrivateThread, state);
  EXPECT_EQ(contextOf(kUser, kMember).in(thread), 0u);
  EXPECT_NE(contextOf(kOther, kMember).in(thread)&kSendMessages, 0u);
  EXPECT_NE(contextOf(kUser, kMember, {kModRole}).in(thread)&kViewChannel, 0u) << "MANAGE_THREADS sees it";
  EXPECT_EQ(contextOf(kOwner, 0).in(thread), kAll);
  // MANAGE_THREADS denied on the parent for the mods: back to members only.
  const Channel denied =
      threadIn({{kModRole, OverwriteType::kRole, 0, kManageThreads}}, ChannelType::kPrivateThread, state);
  EXPECT_EQ(contextOf(kUser, kMember, {kModRole}).in(denied), 0u);
}

TEST(Threads, LockedThreadLeavesSendingToThreadManagers) {
  ThreadState state;
  state.locked = true;
  const Channel thread = threadIn({}, ChannelType::kPublicThread, state);
  const Permissions plain = contextOf(kUser, kMember).in(thread);
  EXPECT_NE(plain & kViewChannel, 0u);
  EXPECT_NE(plain & kReadMessageHistory, 0u);
  EXPECT_EQ(plain & kSendMessages, 0u);
  EXPECT_NE(contextOf(kUser, kMember, {kModRole}).in(thread)&kSendMessages, 0u);
  // An archived thread that isn't locked stays open to senders (sending unarchives it).
  ThreadState archived;
  archived.archived = true;
  EXPECT_NE(contextOf(kUser, kMember).in(threadIn({}, ChannelType::kPublicThread, archived)) & kSendMessages, 0u);
}

TEST(Threads, TimedOutMembersOnlyRead) {
  auto user = contextOf(kUser, kMember);
  user.timed_out = true;
  EXPECT_EQ(user.in(threadIn({}, ChannelType::kPublicThread)), kViewChannel | kReadMessageHistory);
  ThreadState state;
  state.members = {kUser};
  EXPECT_EQ(user.in(threadIn({}, ChannelType::kPrivateThread, state)), kViewChannel | kReadMessageHistory);
}

TEST(Threads, ThreadPermissionsIsPureOnItsInputs) {
  ThreadState state;
  EXPECT_EQ(threadPermissions(0, ChannelType::kPublicThread, state, kUser), 0u);
  EXPECT_EQ(threadPermissions(kViewChannel | kSendMessages, ChannelType::kPublicThread, state, kUser), kViewChannel)
      << "SEND_MESSAGES alone doesn't send in a thread";
  EXPECT_EQ(threadPermissions(kViewChannel | kSendMessagesInThreads, ChannelType::kPublicThread, state, kUser),
            kViewChannel | kSendMessagesInThreads | kSendMessages);
  EXPECT_EQ(threadPermissions(kViewChannel, ChannelType::kPrivateThread, state, kUser), 0u);
  state.members = {kUser};
  EXPECT_EQ(threadPermissions(kViewChannel, ChannelType::kPrivateThread, state, kUser), kViewChannel);
}

TEST(Threads, AutoArchiveDurationsAreDiscords) {
  for (const int minutes : {60, 1440, 4320, 10080})
    EXPECT_TRUE(validAutoArchiveDuration(minutes)) << minutes;
  for (const int minutes : {0, -60, 59, 61, 1000, 10081, 100000})
    EXPECT_FALSE(validAutoArchiveDuration(minutes)) << minutes;
}

TEST(Threads, VisibleThreadsForReadyFollowTheParentAndMembership) {
  GuildSnapshot snapshot;
  snapshot.context = contextOf(kUser, kMember);
  Channel open;
  open.id = 400;
  open.guild_id = kGuild;
  Channel hidden;
  hidden.id = 401;
  hidden.guild_id = kGuild;
  hidden.overwrites = {{kGuild, OverwriteType::kRole, 0, kViewChannel}};
  snapshot.channels = {open, hidden};

  const auto active = [](std::uint64_t id, std::uint64_t guild, std::uint64_t parent, ChannelType type, bool joined) {
    ActiveThread thread;
    thread.thread.id = id;
    thread.thread.guild_id = guild;
    thread.thread.parent_id = parent;
    thread.thread.type = type;
    thread.thread.thread = ThreadState{};
    if (joined) thread.member = ThreadMember{id, kUser, "2025-01-01T00:00:00+00:00", 0};
    return thread;
  };
  const std::vector<ActiveThread> all{
      active(1, kGuild, 400, ChannelType::kPublicThread, false), // seen
      active(2, kGuild, 401, ChannelType::kPublicThread, false), // parent hidden
      active(3, kGuild, 400, ChannelType::kPrivateThread, true), // a member
      active(4, kGuild, 400, ChannelType::kPrivateThread, false), // not a member
      active(5, 999, 400, ChannelType::kPublicThread, false), // another server
      active(6, kGuild, 402, ChannelType::kPublicThread, false), // parent unknown
  };
  const auto seen = visibleThreads(snapshot, all);
  std::vector<std::uint64_t> ids;
  for (const auto& thread : seen)
    ids.push_back(thread.thread.id);
  EXPECT_EQ(ids, (std::vector<std::uint64_t>{1, 3}));
  EXPECT_TRUE(seen[1].member.has_value());
}

} // namespace
} // namespace hearth::domain
