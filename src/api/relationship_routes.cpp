#include "api/relationship_routes.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "api/auth_routes.hpp"
#include "api/json_objects.hpp"
#include "core/snowflake.hpp"
#include "domain/relationships.hpp"
#include "net/json_body.hpp"
#include "net/rate_limiter.hpp"
#include "store/pg.hpp"

namespace hearth::api {

namespace asio = boost::asio;
namespace json = boost::json;
using net::Method;
using net::Request;
using net::Response;

namespace {

json::object relationshipObject(const domain::Relationship& relationship) {
  json::object out;
  out["id"] = core::snowflakeToString(relationship.user.id);
  out["type"] = static_cast<int>(relationship.type);
  out["user"] = publicUserObject(relationship.user);
  out["since"] = relationship.since;
  out["nickname"] = nullptr;
  return out;
}

void publishAll(const RelationshipDeps& deps, const std::vector<domain::RelationshipEvent>& events) {
  for (const auto& event : events) {
    json::object data;
    if (event.added) {
      data = relationshipObject(event.relationship);
    } else {
      data["id"] = core::snowflakeToString(event.relationship.user.id);
      data["type"] = static_cast<int>(event.relationship.type);
    }
    publish(deps, event.added ? "RELATIONSHIP_ADD" : "RELATIONSHIP_REMOVE", 0, json::serialize(data), 0, {event.to});
    // A new friend's presence, which until now wasn't theirs to hear (as the presence hook sends
    // it to friends: without guild_id).
    if (event.added && event.relationship.type == domain::RelationshipType::kFriend && deps.current_presence) {
      std::string presence = deps.current_presence(event.relationship.user.id);
      if (!presence.empty()) publish(deps, "PRESENCE_UPDATE", 0, std::move(presence), 0, {event.to});
    }
  }
}

// Counts one friend request of the user; the 429 answer once past the hourly limit.
std::optional<Response> limitRequests(const RelationshipDeps& deps, std::uint64_t user_id) {
  if (deps.limiter == nullptr) return std::nullopt;
  const auto decision =
      deps.limiter->hit("friend-request:" + std::to_string(user_id), deps.requests_per_hour, std::chrono::hours(1));
  if (decision.allowed) return std::nullopt;
  return net::rateLimitedResponse(decision, "friend-requests");
}

// PUT's body: {} or {"type": 1} (request or accept), {"type": 2} (block); no body is {}.
core::Result<domain::RelationshipAction> parsePut(const Request& request) {
  if (request.body.empty()) return domain::RelationshipAction::kRequest;
  auto body = net::parseJsonBody(request);
  if (!body) return std::unexpected(body.error());
  const auto* type = body->if_contains("type");
  if (type == nullptr || type->is_null()) return domain::RelationshipAction::kRequest;
  if (type->is_int64() && type->get_int64() == 1) return domain::RelationshipAction::kRequest;
  if (type->is_int64() && type->get_int64() == 2) return domain::RelationshipAction::kBlock;
  return std::unexpected(
      core::invalidFormBody({{"type", "RELATIONSHIP_TYPE_INVALID", "Use 1 (friend request) or 2 (block)."}}));
}

} // namespace

std::string relationshipsJson(const std::vector<domain::Relationship>& relationships) {
  json::array list;
  for (const auto& relationship : relationships)
    list.push_back(relationshipObject(relationship));
  return json::serialize(list);
}

void addRelationshipRoutes(net::Router& router, RelationshipDeps deps) {
  router.add(Method::kGet, "/api/v1/users/@me/relationships", [deps](Request& request) -> asio::awaitable<Response> {
    auto& pool = *deps.pools.at(request.worker);
    auto claims = co_await authenticateLive(request, *deps.signer, *deps.accounts, pool);
    if (!claims) co_return net::errorResponse(claims.error());
    auto list = co_await deps.relationships->list(pool, claims->user_id);
    if (!list) co_return net::errorResponse(list.error());
    co_return net::jsonResponse(200, relationshipsJson(*list));
  });

  router.add(Method::kPost, "/api/v1/users/@me/relationships", [deps](Request& request) -> asio::awaitable<Response> {
    auto& pool = *deps.pools.at(request.worker);
    auto claims = co_await authenticateLive(request, *deps.signer, *deps.accounts, pool);
    if (!claims) co_return net::errorResponse(claims.error());
    // Counted before the lookup, so usernames can't be probed faster than requests are sent.
    if (auto limited = limitRequests(deps, claims->user_id)) co_return std::move(*limited);
    auto body = net::parseJsonBody(request);
    if (!body) co_return net::errorResponse(body.error());
    const auto* username = body->if_contains("username");
    if (username == nullptr || !username->is_string() || username->get_string().empty()) {
      const core::Error error = core::invalidFormBody({{"username", "BASE_TYPE_REQUIRED", "This field is required"}});
      co_return net::errorResponse(error);
    }
    std::string name(username->get_string());
    auto events = co_await deps.relationships->requestByUsername(pool, claims->user_id, std::move(name));
    if (!events) co_return net::errorResponse(events.error());
    publishAll(deps, *events);
    co_return noContent();
  });

  router.add(Method::kPut, "/api/v1/users/@me/relationships/{user_id}",
             [deps](Request& request) -> asio::awaitable<Response> {
               auto& pool = *deps.pools.at(request.worker);
               auto claims = co_await authenticateLive(request, *deps.signer, *deps.accounts, pool);
               if (!claims) co_return net::errorResponse(claims.error());
               const auto other = core::parseSnowflake(request.param("user_id"));
               if (!other) co_return net::errorResponse(core::ErrorCode::kUnknownUser, "Unknown User");
               auto action = parsePut(request);
               if (!action) co_return net::errorResponse(action.error());
               if (*action == domain::RelationshipAction::kRequest) {
                 if (auto limited = limitRequests(deps, claims->user_id)) co_return std::move(*limited);
               }
               auto events = co_await deps.relationships->change(pool, claims->user_id, *other, *action);
               if (!events) co_return net::errorResponse(events.error());
               publishAll(deps, *events);
               co_return noContent();
             });

  router.add(Method::kDelete, "/api/v1/users/@me/relationships/{user_id}",
             [deps](Request& request) -> asio::awaitable<Response> {
               auto& pool = *deps.pools.at(request.worker);
               auto claims = co_await authenticateLive(request, *deps.signer, *deps.accounts, pool);
               if (!claims) co_return net::errorResponse(claims.error());
               const auto other = core::parseSnowflake(request.param("user_id"));
               if (!other) co_return net::errorResponse(core::ErrorCode::kUnknownUser, "Unknown User");
               auto events = co_await deps.relationships->change(pool, claims->user_id, *other,
                                                                 domain::RelationshipAction::kRemove);
               if (!events) co_return net::errorResponse(events.error());
               publishAll(deps, *events);
               co_return noContent();
             });
}

} // namespace hearth::api
