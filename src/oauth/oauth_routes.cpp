#include "oauth/oauth_routes.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "api/auth_routes.hpp"
#include "auth/tokens.hpp"
#include "core/clock.hpp"
#include "domain/accounts.hpp"
#include "net/rate_limiter.hpp"
#include "oauth/identities.hpp"
#include "oauth/pkce.hpp"
#include "oauth/providers.hpp"
#include "store/pg.hpp"

namespace hearth::oauth {

namespace asio = boost::asio;
using net::Method;
using net::Request;
using net::Response;

namespace {

constexpr std::string_view kBindingCookie = "hearth_oauth";
constexpr std::string_view kCookiePath = "/api/v1/auth/oauth";
constexpr std::int64_t kFlowLifetimeMs = 10 * 60 * 1000;
constexpr std::size_t kMaxDisplayNameChars = 32; // the account rule (domain::checkDisplayName)

const std::string kStaleFlow = "This sign-in expired or was started in another browser. Please try again.";

// The binding cookie ties the callback to the browser that started the flow: a state alone
// (it travels through the provider and the address bar) is not enough. SameSite=Lax, so it
// comes back on the provider's top-level redirect; scoped to the OAuth routes.
std::string bindingCookie(const Request& request, std::string_view value, bool clear) {
  std::string cookie = fmt::format("{}={}; Path={}; HttpOnly; SameSite=Lax; Max-Age={}", kBindingCookie, value,
                                   kCookiePath, clear ? 0 : kFlowLifetimeMs / 1000);
  if (request.headers.get("X-Forwarded-Proto") == "https") cookie += "; Secure";
  return cookie;
}

std::string redirectUri(const OAuthDeps& deps, std::string_view provider_id) {
  std::string base = *deps.public_url;
  while (base.ends_with('/'))
    base.pop_back();
  return fmt::format("{}/api/v1/auth/oauth/{}/callback", base, provider_id);
}

// The web client's landing page; the outcome rides in the fragment, which browsers send to no
// server and put in no Referer.
Response toClient(const std::string& fragment) {
  Response response;
  response.status = 302;
  response.headers.add("Location", "/oauth/done#" + fragment);
  response.headers.add("Cache-Control", "no-store");
  return response;
}

Response errorToClient(std::string_view message) { return toClient("status=error&message=" + percentEncode(message)); }

// A provider's name or login as a display name: one line, at most the account rule's length.
std::string displayName(std::string_view name) {
  std::string out;
  std::size_t chars = 0;
  for (std::size_t idx = 0; idx < name.size() && chars < kMaxDisplayNameChars;) {
    const auto lead = static_cast<unsigned char>(name[idx]);
    const std::size_t length = lead < 0x80 ? 1 : lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
    if (lead >= 0x20 && lead != 0x7f && idx + length <= name.size()) {
      out.append(name.substr(idx, length));
      ++chars;
    }
    idx += length;
  }
  while (!out.empty() && out.back() == ' ')
    out.pop_back();
  return out;
}

bool emailTaken(const core::Error& error) {
  for (const auto& field : error.fields) {
    if (field.field == "email" && field.code == "EMAIL_ALREADY_REGISTERED") return true;
  }
  return false;
}

struct StartedFlow {
  std::string url;
  std::string browser_secret;
};

// Picks the flow's secrets, builds the provider URL and saves the flow.
asio::awaitable<core::Result<StartedFlow>> startFlow(const OAuthDeps& deps, const Request& request,
                                                     const Provider& provider, std::uint64_t link_user_id) {
  const std::string state = randomToken();
  StartedFlow started{"", randomToken()};
  AuthorizeParams params{state, nonceFor(started.browser_secret),
                         pkceChallenge(codeVerifierFor(started.browser_secret, state)), redirectUri(deps, provider.id)};
  auto url = co_await deps.providers->authorizeUrl(provider, std::move(params));
  if (!url) co_return std::unexpected(url.error());
  started.url = std::move(*url);
  const std::int64_t now_ms = deps.clock->unixMillis();
  PendingFlow flow{auth::tokenHash(state), provider.id, auth::tokenHash(started.browser_secret), link_user_id,
                   now_ms + kFlowLifetimeMs};
  auto saved = co_await saveFlow(*deps.pools.at(request.worker), std::move(flow), now_ms);
  if (!saved) co_return std::unexpected(saved.error());
  co_return started;
}

// A valid access token of a live session.
asio::awaitable<core::Result<auth::AccessClaims>> authenticateLive(const OAuthDeps& deps, const Request& request) {
  auto claims = api::authenticate(request, *deps.signer);
  if (!claims) co_return claims;
  auto active = co_await deps.accounts->sessionActive(*deps.pools.at(request.worker), claims->session_id);
  if (!active) co_return std::unexpected(active.error());
  if (!*active) co_return core::fail(core::ErrorCode::kUnauthorized, "Session ended; sign in again");
  co_return claims;
}

std::optional<Response> limited(const OAuthDeps& deps, const Request& request) {
  const auto decision =
      deps.limiter->hit("oauth:" + request.remote_address, deps.requests_per_minute_per_ip, std::chrono::seconds(60));
  if (decision.allowed) return std::nullopt;
  return net::rateLimitedResponse(decision, "oauth");
}

void refusal(const Request& request, std::string_view provider_id, std::string_view reason) {
  spdlog::info("oauth: {} callback from {} refused: {}", provider_id, request.remote_address, reason);
}

// The callback's end for a flow that links an identity to a signed-in account.
asio::awaitable<Response> finishLink(const OAuthDeps& deps, const Request& request, const Provider& provider,
                                     std::uint64_t user_id, const ExternalIdentity& identity) {
  auto& pool = *deps.pools.at(request.worker);
  auto user = co_await deps.accounts->user(pool, user_id);
  if (!user) {
    refusal(request, provider.id, "the account to link is gone: " + user.error().message);
    co_return errorToClient("Your account could not be found. Sign in and try again.");
  }
  Identity row{provider.id, identity.subject, user_id, identity.label, identity.email, ""};
  auto outcome = co_await linkIdentity(pool, std::move(row));
  if (!outcome) {
    spdlog::error("oauth: linking {} to {}: {}", provider.id, user_id, outcome.error().message);
    co_return errorToClient("Something went wrong on our side. Please try again.");
  }
  switch (*outcome) {
  case LinkOutcome::kLinked:
    spdlog::info("oauth: {} identity {} linked to user {}", provider.id, identity.subject, user_id);
    [[fallthrough]];
  case LinkOutcome::kAlreadyLinked: co_return toClient("status=linked&provider=" + percentEncode(provider.id));
  case LinkOutcome::kTakenByOther:
    refusal(request, provider.id, fmt::format("identity {} belongs to another account", identity.subject));
    co_return errorToClient(fmt::format("This {} account is already linked to another Hearth account.", provider.name));
  case LinkOutcome::kProviderTaken:
    refusal(request, provider.id, fmt::format("user {} already has a {} identity", user_id, provider.id));
    co_return errorToClient(fmt::format("Your account is already linked to another {} account. Remove it "
                                        "in Settings → Connections first.",
                                        provider.name));
  }
  co_return errorToClient("Something went wrong on our side. Please try again.");
}

// The account an identity signs in to, made on first use. Never matched by email: an address
// that belongs to an account already is refused, and its owner links the provider instead.
asio::awaitable<core::Result<std::uint64_t>> accountFor(const OAuthDeps& deps, const Request& request,
                                                        const Provider& provider, const ExternalIdentity& identity) {
  auto& pool = *deps.pools.at(request.worker);
  std::string provider_id = provider.id;
  std::string subject = identity.subject;
  auto owner = co_await identityOwner(pool, std::move(provider_id), std::move(subject));
  if (!owner) co_return std::unexpected(owner.error());
  if (owner->has_value()) {
    Identity seen{provider.id, identity.subject, **owner, identity.label, identity.email, ""};
    auto refreshed = co_await refreshIdentity(pool, std::move(seen));
    if (!refreshed) spdlog::warn("oauth: updating {} identity: {}", provider.id, refreshed.error().message);
    co_return **owner;
  }
  // Only an address the provider has verified is given to the account; an unverified one could
  // claim someone else's address.
  domain::ExternalAccount account{identity.email_verified ? identity.email : std::string(), identity.email_verified,
                                  identity.username_hint, displayName(identity.display_name)};
  auto created = co_await deps.accounts->createExternalUser(pool, std::move(account));
  if (!created) co_return std::unexpected(created.error());
  Identity row{provider.id, identity.subject, *created, identity.label, identity.email, ""};
  auto linked = co_await linkIdentity(pool, std::move(row));
  if (!linked) co_return std::unexpected(linked.error());
  if (*linked == LinkOutcome::kTakenByOther) {
    // Two first sign-ins with one identity raced; the other made the account that counts.
    std::string again_provider = provider.id;
    std::string again_subject = identity.subject;
    auto winner = co_await identityOwner(pool, std::move(again_provider), std::move(again_subject));
    if (!winner || !winner->has_value()) co_return core::fail(core::ErrorCode::kGeneral, "identity race");
    spdlog::warn("oauth: {} identity {} raced; account {} was made but not used", provider.id, identity.subject,
                 *created);
    co_return **winner;
  }
  spdlog::info("oauth: user {} created from {} identity {}", *created, provider.id, identity.subject);
  co_return *created;
}

asio::awaitable<Response> finishSignIn(const OAuthDeps& deps, const Request& request, const Provider& provider,
                                       const ExternalIdentity& identity) {
  auto user_id = co_await accountFor(deps, request, provider, identity);
  if (!user_id) {
    if (user_id.error().code == core::ErrorCode::kInvalidFormBody && emailTaken(user_id.error())) {
      refusal(request, provider.id, "its email belongs to an existing account (identities are not merged by email)");
      co_return errorToClient(fmt::format("An account with this email already exists. Log in and link {} "
                                          "from Settings → Connections.",
                                          provider.name));
    }
    spdlog::error("oauth: {} sign-in: {}", provider.id, user_id.error().message);
    co_return errorToClient("Your account could not be set up. Please try again.");
  }
  auto client = api::clientOf(request);
  auto outcome = co_await deps.accounts->signInVerified(*deps.pools.at(request.worker), *user_id, std::move(client));
  if (!outcome) {
    refusal(request, provider.id, fmt::format("user {}: {}", *user_id, outcome.error().message));
    co_return errorToClient("This account cannot sign in.");
  }
  if (!outcome->session) co_return toClient("status=mfa&ticket=" + percentEncode(outcome->mfa_ticket));
  Response response = toClient("status=signed_in");
  response.headers.add("Set-Cookie", api::refreshCookie(request, outcome->session->refresh_token));
  response.headers.add("Set-Cookie", api::mediaCookie(request, outcome->session->access_token));
  co_return response;
}

struct CallbackInput {
  std::string state;
  std::string code;
  std::string provider_error;
  std::string browser_secret;
};

// What the callback answers once the flow (if any) is taken.
asio::awaitable<Response> finishCallback(const OAuthDeps& deps, const Request& request, const Provider& provider,
                                         const std::optional<PendingFlow>& flow, const CallbackInput& input) {
  if (!input.provider_error.empty()) {
    refusal(request, provider.id, fmt::format("the provider answered {:?}", input.provider_error.substr(0, 100)));
    co_return errorToClient(input.provider_error == "access_denied"
                                ? fmt::format("Sign-in with {} was cancelled.", provider.name)
                                : fmt::format("{} refused the sign-in. Please try again.", provider.name));
  }
  if (input.state.empty() || input.browser_secret.empty() || !flow || flow->provider != provider.id) {
    refusal(request, provider.id,
            input.state.empty()            ? "no state"
            : input.browser_secret.empty() ? "no browser cookie"
            : !flow                        ? "unknown, used or expired state, or another browser's"
                                           : "the flow was started for another provider");
    co_return errorToClient(kStaleFlow);
  }
  if (input.code.empty()) {
    refusal(request, provider.id, "no code");
    co_return errorToClient(kStaleFlow);
  }
  RedeemParams params{input.code, codeVerifierFor(input.browser_secret, input.state), nonceFor(input.browser_secret),
                      redirectUri(deps, provider.id)};
  auto identity = co_await deps.providers->redeem(provider, std::move(params));
  if (!identity) {
    refusal(request, provider.id, identity.error().message);
    co_return errorToClient(identity.error().code == core::ErrorCode::kServiceUnavailable
                                ? fmt::format("{} could not be reached. Please try again later.", provider.name)
                                : fmt::format("Sign-in with {} failed. Please try again.", provider.name));
  }
  if (flow->link_user_id != 0) co_return co_await finishLink(deps, request, provider, flow->link_user_id, *identity);
  co_return co_await finishSignIn(deps, request, provider, *identity);
}

asio::awaitable<Response> callback(const OAuthDeps& deps, Request& request) {
  const Provider* provider = deps.providers->find(request.param("provider"));
  if (provider == nullptr) co_return net::errorResponse(core::ErrorCode::kNotFound, "Unknown provider");
  CallbackInput input{request.queryParam("state"), request.queryParam("code"), request.queryParam("error"),
                      request.cookie(kBindingCookie)};
  std::optional<PendingFlow> flow;
  if (!input.state.empty() && !input.browser_secret.empty()) {
    std::string state_hash = auth::tokenHash(input.state);
    std::string browser_hash = auth::tokenHash(input.browser_secret);
    auto taken = co_await takeFlow(*deps.pools.at(request.worker), std::move(state_hash), std::move(browser_hash),
                                   deps.clock->unixMillis());
    if (!taken) {
      spdlog::error("oauth: reading the flow: {}", taken.error().message);
      co_return errorToClient("Something went wrong on our side. Please try again.");
    }
    flow = std::move(*taken);
  }
  Response response = co_await finishCallback(deps, request, *provider, flow, input);
  // Only a used flow ends the cookie: a forged callback (another state, no cookie) must not
  // break the flow this browser has under way.
  if (flow) response.headers.add("Set-Cookie", bindingCookie(request, "", true));
  co_return response;
}

} // namespace

void addOAuthRoutes(net::Router& router, OAuthDeps deps) {
  router.add(Method::kGet, "/api/v1/auth/oauth/providers", [deps](Request&) -> asio::awaitable<Response> {
    boost::json::array list;
    for (const auto& provider : deps.providers->list()) {
      boost::json::object item;
      item["id"] = provider.id;
      item["name"] = provider.name;
      list.push_back(std::move(item));
    }
    co_return net::jsonResponse(200, boost::json::serialize(list));
  });

  router.add(
      Method::kGet, "/api/v1/auth/oauth/{provider}/authorize", [deps](Request& request) -> asio::awaitable<Response> {
        const Provider* provider = deps.providers->find(request.param("provider"));
        if (provider == nullptr) co_return net::errorResponse(core::ErrorCode::kNotFound, "Unknown provider");
        if (limited(deps, request)) {
          co_return errorToClient("Too many sign-in attempts. Please wait a minute and try again.");
        }
        auto started = co_await startFlow(deps, request, *provider, 0);
        if (!started) {
          spdlog::warn("oauth: {} authorization not started: {}", provider->id, started.error().message);
          co_return errorToClient(fmt::format("{} could not be reached. Please try again later.", provider->name));
        }
        Response response;
        response.status = 302;
        response.headers.add("Location", started->url);
        response.headers.add("Cache-Control", "no-store");
        response.headers.add("Set-Cookie", bindingCookie(request, started->browser_secret, false));
        co_return response;
      });

  router.add(Method::kGet, "/api/v1/auth/oauth/{provider}/callback",
             [deps](Request& request) -> asio::awaitable<Response> { return callback(deps, request); });

  router.add(Method::kGet, "/api/v1/users/@me/connections", [deps](Request& request) -> asio::awaitable<Response> {
    auto claims = co_await authenticateLive(deps, request);
    if (!claims) co_return net::errorResponse(claims.error());
    auto identities = co_await identitiesOf(*deps.pools.at(request.worker), claims->user_id);
    if (!identities) co_return net::errorResponse(identities.error());
    boost::json::array list;
    for (const auto& identity : *identities) {
      boost::json::object item;
      item["type"] = identity.provider;
      item["id"] = identity.subject;
      item["name"] = identity.display;
      item["created_at"] = identity.created_at;
      list.push_back(std::move(item));
    }
    co_return net::jsonResponse(200, boost::json::serialize(list));
  });

  router.add(Method::kPost, "/api/v1/users/@me/connections/{provider}/authorize",
             [deps](Request& request) -> asio::awaitable<Response> {
               auto claims = co_await authenticateLive(deps, request);
               if (!claims) co_return net::errorResponse(claims.error());
               const Provider* provider = deps.providers->find(request.param("provider"));
               if (provider == nullptr) co_return net::errorResponse(core::ErrorCode::kNotFound, "Unknown provider");
               if (auto refused = limited(deps, request)) co_return std::move(*refused);
               auto started = co_await startFlow(deps, request, *provider, claims->user_id);
               if (!started) {
                 spdlog::warn("oauth: {} link not started: {}", provider->id, started.error().message);
                 co_return net::errorResponse(
                     core::ErrorCode::kServiceUnavailable,
                     fmt::format("{} could not be reached. Please try again later.", provider->name));
               }
               boost::json::object body;
               body["url"] = started->url;
               Response response = net::jsonResponse(200, boost::json::serialize(body));
               response.headers.add("Cache-Control", "no-store");
               response.headers.add("Set-Cookie", bindingCookie(request, started->browser_secret, false));
               co_return response;
             });

  router.add(Method::kDelete, "/api/v1/users/@me/connections/{provider}",
             [deps](Request& request) -> asio::awaitable<Response> {
               auto claims = co_await authenticateLive(deps, request);
               if (!claims) co_return net::errorResponse(claims.error());
               auto& pool = *deps.pools.at(request.worker);
               auto user = co_await deps.accounts->user(pool, claims->user_id);
               if (!user) co_return net::errorResponse(user.error());
               std::string provider_id(request.param("provider"));
               auto removed =
                   co_await unlinkIdentity(pool, claims->user_id, std::move(provider_id), user->has_password);
               if (!removed) co_return net::errorResponse(removed.error());
               spdlog::info("oauth: user {} removed their {} connection", claims->user_id, request.param("provider"));
               Response response;
               response.status = 204;
               co_return response;
             });
}

} // namespace hearth::oauth
