#pragma once
// Threads (docs/threads.md): channels of type 11 (public) and 12 (private) under a server text
// channel, started from one of its messages or on their own. A thread has no permissions of its
// own: they are its parent's (GuildContext::in applies threadPermissions), so messages, reactions,
// pins and the rest work in threads unchanged. A private thread is seen only by its members and
// MANAGE_THREADS holders; any other thread the parent's viewers see. A thread the actor can't see
// fails exactly like a missing channel.
//
// Archiving is computed on read: a thread with no message for auto_archive_duration minutes reads
// as archived (ThreadState::archived), and nothing is written until someone acts on it.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "core/error.hpp"
#include "domain/guilds.hpp"
#include "domain/permissions.hpp"

namespace hearth::core {
class SnowflakeGenerator;
}
namespace hearth::store {
class PgPool;
class PgResult;
struct Statement;
} // namespace hearth::store

namespace hearth::domain {

namespace audit {
inline constexpr int kThreadCreate = 110;
inline constexpr int kThreadUpdate = 111;
inline constexpr int kThreadDelete = 112;
} // namespace audit

//! The message flag of a message that started a thread (HAS_THREAD).
inline constexpr int kMessageFlagHasThread = 1 << 5;

//! A thread's rules on top of `in_parent`, the permissions computed with the parent's overwrites
//! and the thread's kind: no VIEW_CHANNEL in the parent → nothing; a private thread → nothing
//! unless a member or MANAGE_THREADS; SEND_MESSAGES becomes SEND_MESSAGES_IN_THREADS; a locked
//! thread leaves SEND_MESSAGES to MANAGE_THREADS holders. Pure.
Permissions threadPermissions(Permissions in_parent, ChannelType type, const ThreadState& thread,
                              std::uint64_t user_id) noexcept;

//! 60, 1440, 4320 or 10080 minutes (Discord's choices).
bool validAutoArchiveDuration(int minutes) noexcept;

struct ThreadMember {
  std::uint64_t thread_id = 0;
  std::uint64_t user_id = 0;
  std::string join_timestamp; //!< ISO 8601
  int flags = 0;
};

//! POST .../threads bodies.
struct ThreadInput {
  std::string name;
  std::optional<int> auto_archive_duration; //!< default 1440
  std::optional<int> rate_limit_per_user;
  ChannelType type = ChannelType::kPrivateThread; //!< standalone only; Discord v10's default
  std::optional<bool> invitable; //!< private only
};

//! PATCH /channels/{thread_id}: only the fields present change.
struct ThreadPatch {
  std::optional<std::string> name;
  std::optional<bool> archived;
  std::optional<bool> locked;
  std::optional<int> auto_archive_duration;
  std::optional<bool> invitable;
  std::optional<int> rate_limit_per_user;
};

//! A page of threads with the viewer's own memberships among them.
struct ThreadList {
  std::vector<Channel> threads;
  std::vector<ThreadMember> members;
  bool has_more = false;
};

//! A change of one membership, for THREAD_MEMBERS_UPDATE and THREAD_MEMBER_UPDATE.
struct MembershipChange {
  bool changed = false; //!< false: nothing to do (already in, or not in)
  ThreadMember member;
  Channel thread; //!< after the change (member_count)
};

//! What a message sent in a thread did to it.
struct ThreadActivity {
  bool unarchived = false;
  std::optional<ThreadMember> joined; //!< the sender, if they weren't a member
  Channel thread; //!< after the message
};

//! Which archived threads of a parent: public ones, private ones (MANAGE_THREADS), or the private
//! ones the viewer has joined.
enum class ArchivedScope { kPublic, kPrivate, kJoinedPrivate };

struct ArchivedQuery {
  ArchivedScope scope = ArchivedScope::kPublic;
  std::string before; //!< kPublic/kPrivate: an ISO 8601 archive time; empty: now
  std::uint64_t before_id = 0; //!< kJoinedPrivate: a thread id; 0: none
  int limit = 50; //!< 1-100
};

//! An active thread for READY, with the viewer's membership.
struct ActiveThread {
  Channel thread;
  std::optional<ThreadMember> member;
};

class Threads {
public:
  static constexpr std::size_t kMaxActivePerGuild = 1000; //!< Discord's limit
  static constexpr int kDefaultAutoArchive = 1440;
  static constexpr std::size_t kMaxName = 100; //!< characters

  Threads(core::SnowflakeGenerator& ids, Guilds& guilds) : ids_(ids), guilds_(guilds) {}

  //! A public thread on `message_id` of `parent` (a text channel), with the message's id.
  //! CREATE_PUBLIC_THREADS in the parent; kUnknownMessage for a message not there (or unreadable);
  //! kThreadAlreadyCreated when the message has one. The creator joins it.
  boost::asio::awaitable<core::Result<Channel>> createFromMessage(store::PgPool& pool, const GuildContext& context,
                                                                  const Channel& parent, std::uint64_t message_id,
                                                                  ThreadInput input);
  //! A thread without a message: CREATE_PUBLIC_THREADS or CREATE_PRIVATE_THREADS in the parent.
  boost::asio::awaitable<core::Result<Channel>> create(store::PgPool& pool, const GuildContext& context,
                                                       const Channel& parent, ThreadInput input);
  //! The owner may rename, archive and set the duration of their thread; anyone who may send may
  //! unarchive an unlocked one; everything else needs MANAGE_THREADS. An archived thread changes
  //! only together with `archived: false` (kThreadArchived).
  boost::asio::awaitable<core::Result<Changed<Channel>>> update(store::PgPool& pool, const GuildContext& context,
                                                                const Channel& thread, ThreadPatch patch);
  //! MANAGE_THREADS. Returns who was a member (a private thread's deletion goes to them).
  boost::asio::awaitable<core::Result<std::vector<std::uint64_t>>>
  remove(store::PgPool& pool, const GuildContext& context, const Channel& thread);
  //! Joins (user_id = the actor) or adds someone: the thread not archived; adding needs the
  //! right to send, and in a private thread `invitable` or MANAGE_THREADS; the one added must be
  //! a server member (kUnknownMember) who can see the parent (kMissingAccess).
  boost::asio::awaitable<core::Result<MembershipChange>> addMember(store::PgPool& pool, const GuildContext& context,
                                                                   const Channel& thread, std::uint64_t user_id);
  //! Leaves (user_id = the actor) or removes someone: MANAGE_THREADS, or the owner of a private
  //! thread; the thread not archived. kUnknownMember for someone not in it.
  boost::asio::awaitable<core::Result<MembershipChange>> removeMember(store::PgPool& pool, const GuildContext& context,
                                                                      const Channel& thread, std::uint64_t user_id);
  //! kUnknownMember when not a member.
  boost::asio::awaitable<core::Result<ThreadMember>> member(store::PgPool& pool, const Channel& thread,
                                                            std::uint64_t user_id);
  //! Everyone in it, by join time.
  boost::asio::awaitable<core::Result<std::vector<ThreadMember>>> members(store::PgPool& pool, const Channel& thread);
  //! The server's active threads the actor can see, newest first.
  boost::asio::awaitable<core::Result<ThreadList>> active(store::PgPool& pool, const GuildContext& context);
  //! Archived threads of `parent`, most recently archived first (kJoinedPrivate: newest id
  //! first). READ_MESSAGE_HISTORY in the parent; kPrivate also MANAGE_THREADS.
  boost::asio::awaitable<core::Result<ThreadList>> archived(store::PgPool& pool, const GuildContext& context,
                                                            const Channel& parent, ArchivedQuery query);
  //! After `user_id` sent a message in the thread: it is unarchived if it read as archived, and
  //! the sender joins it.
  boost::asio::awaitable<core::Result<ThreadActivity>> noteMessage(store::PgPool& pool, const Channel& thread,
                                                                   std::uint64_t user_id);
  //! READY: the active threads of every server of the user, in one query (filter them with
  //! visibleThreads).
  boost::asio::awaitable<core::Result<std::vector<ActiveThread>>> activeOf(store::PgPool& pool, std::uint64_t user_id);

private:
  boost::asio::awaitable<core::Result<Channel>> insert(store::PgPool& pool, const GuildContext& context,
                                                       const Channel& parent, std::uint64_t thread_id, ChannelType type,
                                                       ThreadInput input);
  //! The thread again after a change, keeping what the lookup gave it (overwrites, members).
  boost::asio::awaitable<core::Result<Channel>> reload(store::PgPool& pool, const Channel& thread);

  core::SnowflakeGenerator& ids_;
  Guilds& guilds_;
};

//! Guilds::visibleChannel's statement for a thread's state and members (no row for other
//! channels), and reading it into `channel.thread`.
store::Statement threadStateStatement(std::uint64_t channel_id);
void readThreadState(const store::PgResult& rows, Channel& channel);

//! Threads by id with their state (no overwrites): the `thread` of messages that started one.
boost::asio::awaitable<core::Result<std::vector<Channel>>> threadsByIds(store::PgPool& pool,
                                                                        const std::vector<std::uint64_t>& ids);

//! Of `threads` (any servers), those of `snapshot`'s server its user can see (given its channels,
//! the parents among them), with their parents' overwrites filled in.
std::vector<ActiveThread> visibleThreads(const GuildSnapshot& snapshot, const std::vector<ActiveThread>& threads);

} // namespace hearth::domain
