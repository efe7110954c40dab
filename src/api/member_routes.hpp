#pragma once
// Server members, bans and invites over REST (Discord API v10 paths under /api/v1): listing and
// editing members, role assignment, kicks, bans, timeouts, and invites (create, list, preview
// without signing in, join, delete). Each successful change is published on the event bus.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "api/route_support.hpp"
#include "core/error.hpp"
#include "net/router.hpp"

namespace hearth::auth {
class TokenSigner;
}
namespace hearth::domain {
class Accounts;
class EventBus;
class Guilds;
class Members;
struct Member;
} // namespace hearth::domain
namespace hearth::store {
class PgPool;
}

namespace hearth::api {

struct MemberDeps : ServerRouteDeps {
  domain::Members* members = nullptr;
  //! A user's presence object as others see it, or empty when offline (Gateway::presenceJson);
  //! unset: joining a server exchanges no presence.
  std::function<std::string(std::uint64_t user_id)> current_presence;
  std::size_t large_threshold = 250; //!< servers above this send no PRESENCE_UPDATE (docs/gateway.md)
};

void addMemberRoutes(net::Router& router, MemberDeps deps);

//! The member object (user, nick, roles, joined_at, ...) as serialized JSON.
std::string memberJson(const domain::Member& member);

//! The verified-email hold for creating or joining servers: kMissingAccess ("Verify your email
//! address to join servers") when the account is unverified and --require-verified-email is on.
boost::asio::awaitable<core::Result<void>> requireMayJoinServers(domain::Accounts& accounts, store::PgPool& pool,
                                                                 std::uint64_t user_id);

} // namespace hearth::api
