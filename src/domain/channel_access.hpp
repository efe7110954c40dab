#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "domain/guilds.hpp"
#include "store/pg.hpp"

namespace hearth::domain {

//! What a message's send reads before it writes, for a plain channel of a server: the sign-in
//! session, the channel, its overwrites and the sender's standing in the server, in two statements
//! instead of the eight of the session check and visibleChannelStatements (each statement costs
//! PostgreSQL its own executor start and plan-cache check). Channel::last_message_id is left 0
//! (LastMessage::kSkip). Params: the channel, the user, the user's session.
std::vector<store::Statement> sendAccessStatements(std::uint64_t channel_id, std::uint64_t user_id,
                                                   std::uint64_t session_id);

//! sendAccessStatements' answer.
struct SendAccess {
  bool session_active = false;
  //! nullopt for a DM or a thread (read those with visibleChannelStatements); otherwise as
  //! visibleChannelFrom answers.
  std::optional<core::Result<std::pair<GuildContext, Channel>>> found;
};
SendAccess sendAccessFrom(std::span<const store::PgResult> results, std::uint64_t user_id);

} // namespace hearth::domain
