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
};

//! Reads SendAccess for `user_id` (signed in as `session_id`) in `channel_id`. Concurrent reads
//! on one thread's pool go together: one round trip of the two statements for a batch of sends
//! (store::Coalescer), each row the same as a read of its own.
boost::asio::awaitable<core::Result<SendAccess>> readSendAccess(store::PgPool& pool, std::uint64_t channel_id,
                                                                std::uint64_t user_id, std::uint64_t session_id);

} // namespace hearth::domain
