#pragma once
// What the server routes (servers, members, messages) share: who is asking and where they stand,
// publishing events, and small answers. A server or channel the caller may not see fails here
// exactly like a missing one.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "auth/tokens.hpp"
#include "core/error.hpp"
#include "domain/channel_access.hpp"
#include "domain/guilds.hpp"
#include "net/http.hpp"

namespace hearth::domain {
class Accounts;
class EventBus;
} // namespace hearth::domain
namespace hearth::store {
class PgPool;
}

namespace hearth::api {

struct ServerRouteDeps {
  std::vector<store::PgPool*> pools; //!< one per worker thread
  domain::Guilds* guilds = nullptr;
  domain::Accounts* accounts = nullptr;
  const auth::TokenSigner* signer = nullptr;
  domain::EventBus* events = nullptr;
};

//! The caller (a live session) and their standing in the server of the route's {guild_id}.
struct Actor {
  auth::AccessClaims claims;
  domain::GuildContext context;
};

//! The caller and a channel ({channel_id}) they can see, with its server.
struct ChannelActor {
  auth::AccessClaims claims;
  domain::GuildContext context;
  domain::Channel channel;
  //! Set when context and channel came from the send cache (domain::readSendAccess).
  std::optional<domain::AccessGuard> guard;
};

//! kUnknownGuild for a server the caller is not in, as for one that doesn't exist.
boost::asio::awaitable<core::Result<Actor>> actorIn(const ServerRouteDeps& deps, const net::Request& request);
//! kUnknownChannel for a channel the caller can't view, as for one that doesn't exist.
//! `last_message`: kSkip leaves the channel's last_message_id 0 (for a send, which has no use for it).
//! `cached`: kUse (with kSkip only) lets a recent read answer, under ChannelActor::guard.
boost::asio::awaitable<core::Result<ChannelActor>>
actorInChannel(const ServerRouteDeps& deps, const net::Request& request,
               domain::LastMessage last_message = domain::LastMessage::kRead,
               domain::CachedAccess cached = domain::CachedAccess::kRead);

//! Publishes a dispatch on the bus (no-op without one).
void publish(const ServerRouteDeps& deps, std::string type, std::uint64_t guild_id, std::string data,
             std::uint64_t channel_id = 0, std::vector<std::uint64_t> only_users = {});

//! Delivers a dispatch to this node's sessions only: for what every node works out for itself
//! in the same order (presence, from the shared stream), so it must not go through the bus.
void deliverHere(const ServerRouteDeps& deps, std::string type, std::uint64_t guild_id, std::string data,
                 std::vector<std::uint64_t> only_users = {});

//! Publishes a dispatch and waits (at most `limit`) until the bus has stored it where every node
//! reads it, so a node that dies after answering cannot take the event with it (hearthd
//! --redis; in-process it is delivered before this returns). Used for new messages.
boost::asio::awaitable<void> publishStored(const ServerRouteDeps& deps, std::string type, std::uint64_t guild_id,
                                           std::string data, std::uint64_t channel_id,
                                           std::chrono::milliseconds limit = std::chrono::seconds(2));

//! Publishes CHANNEL_UPDATE for `after`; when its overwrites differ from `before`'s, members who
//! lose sight of it are sent CHANNEL_DELETE instead.
void publishChannelUpdate(const ServerRouteDeps& deps, const domain::Channel& before, const domain::Channel& after,
                          std::string data);

//! `?limit=` within [1, max], `fallback` when absent; otherwise nullopt and a field error.
std::optional<int> limitParam(const net::Request& request, int fallback, int max,
                              std::vector<core::FieldError>& errors);
//! A snowflake query parameter (`?after=`, `?before=`...), 0 when absent; a field error when malformed.
std::uint64_t snowflakeParam(const net::Request& request, std::string_view name, std::vector<core::FieldError>& errors);

//! The `X-Audit-Log-Reason` of the request, decoded.
std::string reasonOf(const net::Request& request);

net::Response noContent();

} // namespace hearth::api
