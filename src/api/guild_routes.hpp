#pragma once
// Servers, channels, permission overwrites, roles and the audit log over REST (Discord API v10
// paths under /api/v1). Members, invites and bans are in member_routes.
#include <filesystem>
#include <vector>

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

struct GuildDeps : ServerRouteDeps {
  std::filesystem::path icon_dir = "var/icons"; //!< <icon_dir>/<guild id>/<hash>
};

void addGuildRoutes(net::Router& router, GuildDeps deps);

} // namespace hearth::api
