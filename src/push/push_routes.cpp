#include "push/push_routes.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include "api/auth_routes.hpp"
#include "api/route_support.hpp"
#include "auth/tokens.hpp"
#include "net/json_body.hpp"
#include "store/pg.hpp"

namespace hearth::push {

namespace asio = boost::asio;
namespace json = boost::json;
using net::Method;
using net::Request;
using net::Response;

namespace {

std::string_view stringField(const json::object& object, std::string_view name) {
  const auto* value = object.if_contains(name);
  return value != nullptr && value->is_string() ? std::string_view(value->as_string()) : std::string_view();
}

// On the resolver's thread: getaddrinfo blocks.
asio::awaitable<core::Result<void>> resolveChecked(std::string host, EndpointPolicy policy) {
  co_return checkResolvedHost(host, policy);
}

} // namespace

void addPushRoutes(net::Router& router, PushRouteDeps deps) {
  router.add(Method::kGet, "/api/v1/push/vapid-public-key", [deps](Request&) -> asio::awaitable<Response> {
    json::object answer;
    answer["public_key"] = auth::base64UrlEncode(deps.vapid->public_key);
    co_return net::jsonResponse(200, json::serialize(answer));
  });

  router.add(
      Method::kPost, "/api/v1/users/@me/push-subscriptions", [deps](Request& request) -> asio::awaitable<Response> {
        auto& pool = *deps.pools.at(request.worker);
        auto claims = co_await api::authenticateLive(request, *deps.signer, *deps.accounts, pool);
        if (!claims) co_return net::errorResponse(claims.error());
        auto body = net::parseJsonBody(request);
        if (!body) co_return net::errorResponse(body.error());
        json::object no_keys;
        const auto* keys_value = body->if_contains("keys");
        const json::object& keys = keys_value != nullptr && keys_value->is_object() ? keys_value->as_object() : no_keys;
        auto subscription = validateSubscription(stringField(*body, "endpoint"), stringField(keys, "p256dh"),
                                                 stringField(keys, "auth"), deps.policy);
        if (!subscription) co_return net::errorResponse(subscription.error());
        // The host must resolve to public addresses only (checked again on every connection).
        auto host = checkEndpoint(subscription->endpoint, deps.policy);
        if (!host) co_return net::errorResponse(host.error());
        auto resolving = resolveChecked(*host, deps.policy);
        auto resolved = co_await asio::co_spawn(*deps.resolver, std::move(resolving), asio::use_awaitable);
        if (!resolved) co_return net::errorResponse(resolved.error());
        subscription->session_id = claims->session_id;
        subscription->user_id = claims->user_id;
        const std::string endpoint = subscription->endpoint;
        auto replaced = co_await saveSubscription(pool, std::move(*subscription));
        if (!replaced) co_return net::errorResponse(replaced.error());
        json::object answer;
        answer["endpoint"] = endpoint;
        co_return net::jsonResponse(*replaced ? 200 : 201, json::serialize(answer));
      });

  router.add(Method::kDelete, "/api/v1/users/@me/push-subscriptions",
             [deps](Request& request) -> asio::awaitable<Response> {
               auto& pool = *deps.pools.at(request.worker);
               auto claims = co_await api::authenticateLive(request, *deps.signer, *deps.accounts, pool);
               if (!claims) co_return net::errorResponse(claims.error());
               auto removed = co_await deleteSubscription(pool, claims->session_id);
               if (!removed) co_return net::errorResponse(removed.error());
               co_return api::noContent();
             });
}

} // namespace hearth::push
