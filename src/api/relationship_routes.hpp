#pragma once
// Friends and blocks over REST, in the shape of Discord's user-account API (docs/dms.md):
//   GET    /api/v1/users/@me/relationships
//   POST   /api/v1/users/@me/relationships            {username}: a friend request
//   PUT    /api/v1/users/@me/relationships/{user_id}  {} or {type: 1}: request or accept; {type: 2}: block
//   DELETE /api/v1/users/@me/relationships/{user_id}  unfriend, cancel, decline or unblock
// Each change sends RELATIONSHIP_ADD / RELATIONSHIP_REMOVE to the sessions of each side whose list
// changed, and nothing to anyone else; a new friendship also sends each side the other's
// PRESENCE_UPDATE when the other is online.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "api/route_support.hpp"
#include "net/router.hpp"

namespace hearth::domain {
class Relationships;
struct Relationship;
} // namespace hearth::domain
namespace hearth::net {
class RateLimiter;
}

namespace hearth::api {

struct RelationshipDeps : ServerRouteDeps {
  domain::Relationships* relationships = nullptr;
  net::RateLimiter* limiter = nullptr;
  //! Friend requests (POST, and PUT without a block) allowed per user per hour.
  int requests_per_hour = 50;
  //! A user's presence as others see it now, or empty when offline (Gateway::presenceJson);
  //! new friends are sent each other's at once. Unset: they hear of it at the next change.
  std::function<std::string(std::uint64_t user_id)> current_presence;
};

void addRelationshipRoutes(net::Router& router, RelationshipDeps deps);

//! `[{id, type, user, since, nickname: null}]` (READY's `relationships` and the GET answer).
std::string relationshipsJson(const std::vector<domain::Relationship>& relationships);

} // namespace hearth::api
