#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "core/error.hpp"
#include "domain/guilds.hpp"
#include "store/pg.hpp"

namespace hearth::domain {

//! What a send read from the process's cache of earlier reads (readSendAccess with kUse) instead
//! of PostgreSQL, and what its insert must find unchanged for the message to go in: the server's
//! access version (domain::Guilds, migration 0014: every change of who may do what in the server
//! moves it), the sign-in session still live, the sender not timed out, and, unless the sender's
//! permissions bypass slowmode, the channel still without it. A send that cannot use it (see
//! Messages::send) fails with kStaleRead, and the caller reads again from PostgreSQL.
struct AccessGuard {
  std::int64_t access_version = 0;
  std::uint64_t session_id = 0;
};

//! What a message's send reads before it writes, for a plain channel of a server: the sign-in
//! session, the channel, its overwrites and the sender's standing in the server, in two statements
//! instead of the eight of the session check and visibleChannelStatements (each statement costs
//! PostgreSQL its own executor start and plan-cache check). Channel::last_message_id is left 0
//! (LastMessage::kSkip).
struct SendAccess {
  bool session_active = false;
  //! nullopt for a DM or a thread (read those with visibleChannelStatements); otherwise as
  //! visibleChannelFrom answers.
  std::optional<core::Result<std::pair<GuildContext, Channel>>> found;
  //! Set when `found` came from the cache; session_active is then taken on trust, for the guard
  //! to check.
  std::optional<AccessGuard> guard;
};

enum class CachedAccess {
  kUse, //!< a recent read of this channel for this user may answer, under an AccessGuard
  kRead, //!< read from PostgreSQL (and keep the answer for the next send)
};

//! Reads SendAccess for `user_id` (signed in as `session_id`) in `channel_id`. Concurrent reads
//! (from any I/O thread) go together: one round trip of the two statements for a batch of sends
//! (store::Coalescer), each row the same as a read of its own. A plain channel's visible answer
//! is kept in the process for 30 s for the sender's next send (the guard keeps permissions exact;
//! the 30 s bound what it doesn't cover, such as the names in a push notification's title).
boost::asio::awaitable<core::Result<SendAccess>> readSendAccess(store::PgPool& pool, std::uint64_t channel_id,
                                                                std::uint64_t user_id, std::uint64_t session_id,
                                                                CachedAccess cached = CachedAccess::kRead);

//! Drops the kept answer for this channel and user (its guard failed).
void forgetSendAccess(std::uint64_t channel_id, std::uint64_t user_id);

} // namespace hearth::domain
