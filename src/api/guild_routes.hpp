#pragma once
// Servers, channels, permission overwrites, roles and the audit log over REST (Discord API v10
// paths under /api/v1). Members, invites and bans are in member_routes.
#include <filesystem>
#include <functional>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "api/route_support.hpp"
#include "net/router.hpp"

namespace hearth::auth {
class TokenSigner;
}
namespace hearth::domain {
class Accounts;
class EventBus;
class Guilds;
} // namespace hearth::domain
namespace hearth::store {
class PgPool;
}

namespace hearth::api {

//! Answers a request on /channels/{id} whose channel is a DM or group DM (dm_routes), or a
//! thread (thread_routes).
using DmChannelHandler = std::function<boost::asio::awaitable<net::Response>(net::Request&, ChannelActor&)>;

struct GuildDeps : ServerRouteDeps {
  std::filesystem::path icon_dir = "var/icons"; //!< <icon_dir>/<guild id>/<hash>
  //! GET/PATCH/DELETE /channels/{id} on a DM or group DM go here (without it: Unknown Channel).
  DmChannelHandler dm_channel;
  //! GET/PATCH/DELETE /channels/{id} on a thread go here (without it: Unknown Channel).
  DmChannelHandler thread_channel;
};

void addGuildRoutes(net::Router& router, GuildDeps deps);

} // namespace hearth::api
