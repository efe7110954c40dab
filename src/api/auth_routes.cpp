#include "api/auth_routes.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include "api/images.hpp"
#include "core/snowflake.hpp"
#include "domain/accounts.hpp"
#include "domain/images.hpp"
#include "net/json_body.hpp"
#include "net/rate_limiter.hpp"
#include "store/pg.hpp"

namespace hearth::api {

namespace asio = boost::asio;
using net::Method;
using net::Request;
using net::Response;

namespace {

constexpr std::string_view kRefreshCookie = "hearth_refresh";
constexpr std::string_view kCookiePath = "/api/v1/auth";
constexpr std::string_view kMediaCookiePath = "/api/v1/attachments";
// PATCH /users/@me may carry an avatar: 8 MiB of image is about 11 MiB as base64.
constexpr std::size_t kProfileBodyLimit = 12 * 1024 * 1024;

bool secureRequest(const Request& request) { return request.headers.get("X-Forwarded-Proto") == "https"; }

Response signedIn(const Request& request, int status, const domain::SignIn& sign_in) {
  boost::json::object body;
  body["token"] = sign_in.access_token;
  body["user_id"] = core::snowflakeToString(sign_in.user_id);
  Response response = net::jsonResponse(status, boost::json::serialize(body));
  response.headers.add("Set-Cookie", refreshCookie(request, sign_in.refresh_token, false));
  response.headers.add("Set-Cookie", mediaCookie(request, sign_in.access_token, false));
  response.headers.add("Cache-Control", "no-store");
  return response;
}

// A string field of the body; absent or of another type is a field error.
std::string field(const boost::json::object& body, std::string_view name, bool required,
                  std::vector<core::FieldError>& errors) {
  const auto* value = body.if_contains(name);
  if (value == nullptr || value->is_null()) {
    if (required) errors.push_back({std::string(name), "BASE_TYPE_REQUIRED", "This field is required"});
    return {};
  }
  if (!value->is_string()) {
    errors.push_back({std::string(name), "BASE_TYPE_STRING", "Must be a string"});
    return {};
  }
  return std::string(value->as_string());
}

// Counts the request against the caller's address; nullopt when within the limit.
std::optional<Response> limitByIp(const AuthDeps& deps, const Request& request, net::RateDecision& decision) {
  decision = deps.limiter->hit("auth:" + request.remote_address, deps.limits.requests_per_minute_per_ip,
                               std::chrono::seconds(60));
  if (decision.allowed) return std::nullopt;
  return net::rateLimitedResponse(decision, "auth");
}

// Counts one try against `key`; the 429 answer once past `limit` per `window`.
std::optional<Response> limitBy(const AuthDeps& deps, const std::string& key, int limit, std::chrono::seconds window,
                                std::string_view bucket) {
  const auto decision = deps.limiter->hit(key, limit, window);
  if (decision.allowed) return std::nullopt;
  return net::rateLimitedResponse(decision, bucket);
}

Response noContent() {
  Response response;
  response.status = 204;
  return response;
}

// A present string field, or nullopt; another type is a field error.
std::optional<std::string> optionalField(const boost::json::object& body, std::string_view name,
                                         std::vector<core::FieldError>& errors) {
  const auto* value = body.if_contains(name);
  if (value == nullptr || value->is_null()) return std::nullopt;
  if (!value->is_string()) {
    errors.push_back({std::string(name), "BASE_TYPE_STRING", "Must be a string"});
    return std::nullopt;
  }
  return std::string(value->as_string());
}

Response backupCodes(const std::vector<std::string>& codes) {
  boost::json::array list;
  for (const auto& code : codes) {
    boost::json::object item;
    item["code"] = code;
    item["consumed"] = false;
    list.push_back(std::move(item));
  }
  boost::json::object body;
  body["backup_codes"] = std::move(list);
  Response response = net::jsonResponse(200, boost::json::serialize(body));
  response.headers.add("Cache-Control", "no-store");
  return response;
}

} // namespace

// The refresh token lives in an HttpOnly cookie scoped to the auth routes: scripts can't read it
// and no other request carries it. SameSite=Strict keeps other sites from using it.
std::string refreshCookie(const Request& request, std::string_view token, bool clear) {
  std::string cookie = fmt::format("{}={}; Path={}; HttpOnly; SameSite=Strict; Max-Age={}", kRefreshCookie, token,
                                   kCookiePath, clear ? 0 : 30 * 24 * 3600);
  if (secureRequest(request)) cookie += "; Secure";
  return cookie;
}

// The access token again, for attachments only: <img src> and downloads can't send an
// Authorization header. HttpOnly (scripts keep using the header), scoped to the attachment path,
// SameSite=Strict (only requests from our own pages carry it), and no longer-lived than the
// token itself. docs/files.md explains the choice.
std::string mediaCookie(const Request& request, std::string_view token, bool clear) {
  std::string cookie = fmt::format("{}={}; Path={}; HttpOnly; SameSite=Strict; Max-Age={}", kMediaCookie, token,
                                   kMediaCookiePath, clear ? 0 : auth::TokenSigner::kAccessLifetimeSeconds);
  if (secureRequest(request)) cookie += "; Secure";
  return cookie;
}

domain::ClientInfo clientOf(const Request& request) {
  return {std::string(request.headers.get("User-Agent")), request.remote_address};
}

std::string userJson(const domain::User& user) {
  const auto orNull = [](const std::string& text) {
    return text.empty() ? boost::json::value(nullptr) : boost::json::value(text);
  };
  boost::json::object body;
  body["id"] = core::snowflakeToString(user.id);
  body["username"] = user.username;
  body["global_name"] = orNull(user.display_name);
  body["email"] = orNull(user.email);
  body["verified"] = user.verified;
  body["avatar"] = orNull(user.avatar);
  body["bio"] = user.bio;
  body["mfa_enabled"] = user.mfa_enabled;
  body["has_password"] = user.has_password;
  body["created_at"] = user.created_at;
  return boost::json::serialize(body);
}

core::Result<auth::AccessClaims> authenticate(const Request& request, const auth::TokenSigner& signer) {
  std::string_view header = request.headers.get("Authorization");
  if (!header.starts_with("Bearer ")) return core::fail(core::ErrorCode::kUnauthorized, "401: Unauthorized");
  return signer.verify(header.substr(7));
}

asio::awaitable<core::Result<auth::AccessClaims>> authenticateLive(const Request& request,
                                                                   const auth::TokenSigner& signer,
                                                                   domain::Accounts& accounts, store::PgPool& pool) {
  auto claims = authenticate(request, signer);
  if (!claims) co_return claims;
  auto active = co_await accounts.sessionActive(pool, claims->session_id);
  if (!active) co_return std::unexpected(active.error());
  if (!*active) co_return core::fail(core::ErrorCode::kUnauthorized, "Session ended; sign in again");
  co_return claims;
}

void addAuthRoutes(net::Router& router, AuthDeps deps) {
  router.add(Method::kPost, "/api/v1/auth/register", [deps](Request& request) -> asio::awaitable<Response> {
    net::RateDecision decision;
    if (auto limited = limitByIp(deps, request, decision)) co_return std::move(*limited);
    auto body = net::parseJsonBody(request);
    if (!body) co_return net::errorResponse(body.error());
    std::vector<core::FieldError> errors;
    domain::RegisterInput input{field(*body, "email", true, errors), field(*body, "username", true, errors),
                                field(*body, "display_name", false, errors), field(*body, "password", true, errors)};
    if (!errors.empty()) co_return net::errorResponse(core::invalidFormBody(std::move(errors)));
    auto* pool = deps.pools.at(request.worker);
    auto sign_in = co_await deps.accounts->registerUser(*pool, std::move(input), clientOf(request));
    if (!sign_in) co_return net::errorResponse(sign_in.error());
    Response response = signedIn(request, 201, *sign_in);
    net::addRateLimitHeaders(response, decision, "auth");
    co_return response;
  });

  router.add(Method::kPost, "/api/v1/auth/login", [deps](Request& request) -> asio::awaitable<Response> {
    net::RateDecision decision;
    if (auto limited = limitByIp(deps, request, decision)) co_return std::move(*limited);
    auto body = net::parseJsonBody(request);
    if (!body) co_return net::errorResponse(body.error());
    std::vector<core::FieldError> errors;
    std::string login = field(*body, "login", true, errors);
    std::string password = field(*body, "password", true, errors);
    if (!errors.empty()) co_return net::errorResponse(core::invalidFormBody(std::move(errors)));
    // Failed logins are counted per account across all addresses; the owner's successful
    // logins are not, so guessing cannot lock them out for more than the window.
    const std::string account_key = "login-failures:" + domain::normalizeUsername(login);
    const auto failures =
        deps.limiter->peek(account_key, deps.limits.failed_logins_per_hour_per_account, std::chrono::hours(1));
    auto* pool = deps.pools.at(request.worker);
    if (!failures.allowed) {
      auto known = co_await deps.accounts->knownAddress(*pool, login, request.remote_address);
      if (!known) co_return net::errorResponse(known.error());
      if (!*known) co_return net::rateLimitedResponse(failures, "login");
    }
    auto outcome = co_await deps.accounts->login(*pool, login, std::move(password), clientOf(request));
    if (!outcome) {
      if (outcome.error().code == core::ErrorCode::kInvalidFormBody) {
        deps.limiter->hit(account_key, deps.limits.failed_logins_per_hour_per_account, std::chrono::hours(1));
      }
      co_return net::errorResponse(outcome.error());
    }
    if (!outcome->session) {
      // Two-factor is on: the password was right; a code finishes the login (Discord's shape).
      boost::json::object answer;
      answer["user_id"] = nullptr;
      answer["mfa"] = true;
      answer["sms"] = false;
      answer["ticket"] = outcome->mfa_ticket;
      answer["totp"] = true;
      answer["backup"] = true;
      Response response = net::jsonResponse(200, boost::json::serialize(answer));
      response.headers.add("Cache-Control", "no-store");
      net::addRateLimitHeaders(response, decision, "auth");
      co_return response;
    }
    Response response = signedIn(request, 200, *outcome->session);
    net::addRateLimitHeaders(response, decision, "auth");
    co_return response;
  });

  router.add(Method::kPost, "/api/v1/auth/refresh", [deps](Request& request) -> asio::awaitable<Response> {
    net::RateDecision decision;
    if (auto limited = limitByIp(deps, request, decision)) co_return std::move(*limited);
    auto* pool = deps.pools.at(request.worker);
    auto sign_in = co_await deps.accounts->refresh(*pool, request.cookie(kRefreshCookie), clientOf(request));
    if (!sign_in) {
      Response response = net::errorResponse(sign_in.error());
      if (sign_in.error().code == core::ErrorCode::kUnauthorized) {
        response.headers.add("Set-Cookie", refreshCookie(request, "", true));
        response.headers.add("Set-Cookie", mediaCookie(request, "", true));
      }
      co_return response;
    }
    co_return signedIn(request, 200, *sign_in);
  });

  router.add(Method::kPost, "/api/v1/auth/logout", [deps](Request& request) -> asio::awaitable<Response> {
    auto claims = authenticate(request, *deps.signer);
    if (!claims) co_return net::errorResponse(claims.error());
    auto* pool = deps.pools.at(request.worker);
    auto revoked = co_await deps.accounts->revokeSession(*pool, claims->user_id, claims->session_id);
    if (!revoked && revoked.error().code != core::ErrorCode::kNotFound) co_return net::errorResponse(revoked.error());
    Response response;
    response.status = 204;
    response.headers.add("Set-Cookie", refreshCookie(request, "", true));
    response.headers.add("Set-Cookie", mediaCookie(request, "", true));
    co_return response;
  });

  // Account routes check that the session is still live, so revoking one signs that device
  // out at once rather than when its access token expires.
  const auto authenticateLive = [deps](const Request& request) -> asio::awaitable<core::Result<auth::AccessClaims>> {
    co_return co_await api::authenticateLive(request, *deps.signer, *deps.accounts, *deps.pools.at(request.worker));
  };

  router.add(Method::kGet, "/api/v1/users/@me",
             [deps, authenticateLive](Request& request) -> asio::awaitable<Response> {
               auto claims = co_await authenticateLive(request);
               if (!claims) co_return net::errorResponse(claims.error());
               auto user = co_await deps.accounts->user(*deps.pools.at(request.worker), claims->user_id);
               if (!user) co_return net::errorResponse(user.error());
               co_return net::jsonResponse(200, userJson(*user));
             });

  router.add(
      Method::kPatch, "/api/v1/users/@me",
      [deps, authenticateLive](Request& request) -> asio::awaitable<Response> {
        auto claims = co_await authenticateLive(request);
        if (!claims) co_return net::errorResponse(claims.error());
        auto body = net::parseJsonBody(request);
        if (!body) co_return net::errorResponse(body.error());
        std::vector<core::FieldError> errors;
        // Present (even null, for global_name) means "change it"; absent means "leave it".
        const auto patchField = [&](std::string_view name, bool nullable) -> std::optional<std::string> {
          const auto* value = body->if_contains(name);
          if (value == nullptr) return std::nullopt;
          if (nullable && value->is_null()) return std::string();
          return field(*body, name, true, errors);
        };
        domain::ProfileUpdate update;
        update.display_name = patchField("global_name", true);
        update.username = patchField("username", false);
        update.new_password = patchField("new_password", false);
        update.email = patchField("email", false);
        update.bio = patchField("bio", true);
        update.current_password = patchField("password", false);
        update.code = patchField("code", false);
        if (auto avatar = patchField("avatar", true)) {
          if (avatar->empty()) {
            update.avatar = std::string();
          } else if (auto bytes = decodeImageDataUri(*avatar); bytes && !bytes->empty()) {
            update.avatar = std::move(*bytes);
          } else {
            errors.push_back({"avatar", "IMAGE_INVALID", "Send the image as a data:image/...;base64, URI."});
          }
        }
        if (!errors.empty()) co_return net::errorResponse(core::invalidFormBody(std::move(errors)));
        auto user = co_await deps.accounts->updateProfile(*deps.pools.at(request.worker), claims->user_id,
                                                          claims->session_id, std::move(update));
        if (!user) co_return net::errorResponse(user.error());
        co_return net::jsonResponse(200, userJson(*user));
      },
      kProfileBodyLimit);

  router.add(Method::kGet, "/api/v1/users/@me/sessions",
             [deps, authenticateLive](Request& request) -> asio::awaitable<Response> {
               auto claims = co_await authenticateLive(request);
               if (!claims) co_return net::errorResponse(claims.error());
               auto sessions = co_await deps.accounts->sessions(*deps.pools.at(request.worker), claims->user_id);
               if (!sessions) co_return net::errorResponse(sessions.error());
               boost::json::array list;
               for (const auto& session : *sessions) {
                 boost::json::object item;
                 item["id"] = core::snowflakeToString(session.id);
                 item["client"] = session.client;
                 item["ip"] = session.ip;
                 item["created_at"] = session.created_at;
                 item["last_used_at"] = session.last_used_at;
                 item["current"] = session.id == claims->session_id;
                 list.push_back(std::move(item));
               }
               co_return net::jsonResponse(200, boost::json::serialize(list));
             });

  router.add(Method::kDelete, "/api/v1/users/@me/sessions/{session_id}",
             [deps, authenticateLive](Request& request) -> asio::awaitable<Response> {
               auto claims = co_await authenticateLive(request);
               if (!claims) co_return net::errorResponse(claims.error());
               const auto session_id = core::parseSnowflake(request.param("session_id"));
               if (!session_id) co_return net::errorResponse(core::ErrorCode::kNotFound, "Unknown Session");
               auto revoked =
                   co_await deps.accounts->revokeSession(*deps.pools.at(request.worker), claims->user_id, *session_id);
               if (!revoked) co_return net::errorResponse(revoked.error());
               Response response;
               response.status = 204;
               co_return response;
             });

  router.add(Method::kPost, "/api/v1/auth/mfa/totp", [deps](Request& request) -> asio::awaitable<Response> {
    net::RateDecision decision;
    if (auto limited = limitByIp(deps, request, decision)) co_return std::move(*limited);
    auto body = net::parseJsonBody(request);
    if (!body) co_return net::errorResponse(body.error());
    std::vector<core::FieldError> errors;
    std::string ticket = field(*body, "ticket", true, errors);
    std::string code = field(*body, "code", true, errors);
    if (!errors.empty()) co_return net::errorResponse(core::invalidFormBody(std::move(errors)));
    auto sign_in = co_await deps.accounts->completeMfa(*deps.pools.at(request.worker), std::move(ticket),
                                                       std::move(code), clientOf(request));
    if (!sign_in) co_return net::errorResponse(sign_in.error());
    co_return signedIn(request, 200, *sign_in);
  });

  router.add(Method::kPost, "/api/v1/auth/logout-all",
             [deps, authenticateLive](Request& request) -> asio::awaitable<Response> {
               auto claims = co_await authenticateLive(request);
               if (!claims) co_return net::errorResponse(claims.error());
               auto revoked =
                   co_await deps.accounts->revokeAllSessions(*deps.pools.at(request.worker), claims->user_id);
               if (!revoked) co_return net::errorResponse(revoked.error());
               Response response = noContent();
               response.headers.add("Set-Cookie", refreshCookie(request, "", true));
               response.headers.add("Set-Cookie", mediaCookie(request, "", true));
               co_return response;
             });

  router.add(Method::kPost, "/api/v1/auth/verify", [deps](Request& request) -> asio::awaitable<Response> {
    net::RateDecision decision;
    if (auto limited = limitByIp(deps, request, decision)) co_return std::move(*limited);
    auto body = net::parseJsonBody(request);
    if (!body) co_return net::errorResponse(body.error());
    std::vector<core::FieldError> errors;
    std::string token = field(*body, "token", true, errors);
    if (!errors.empty()) co_return net::errorResponse(core::invalidFormBody(std::move(errors)));
    auto user = co_await deps.accounts->verifyEmail(*deps.pools.at(request.worker), std::move(token));
    if (!user) co_return net::errorResponse(user.error());
    boost::json::object answer;
    answer["user_id"] = core::snowflakeToString(user->id);
    answer["email"] = user->email;
    answer["verified"] = user->verified;
    co_return net::jsonResponse(200, boost::json::serialize(answer));
  });

  router.add(Method::kPost, "/api/v1/auth/verify/resend",
             [deps, authenticateLive](Request& request) -> asio::awaitable<Response> {
               auto claims = co_await authenticateLive(request);
               if (!claims) co_return net::errorResponse(claims.error());
               if (auto limited = limitBy(deps, "verify-mail:" + std::to_string(claims->user_id), 5,
                                          std::chrono::hours(1), "verify")) {
                 co_return std::move(*limited);
               }
               auto sent = co_await deps.accounts->resendVerification(*deps.pools.at(request.worker), claims->user_id);
               if (!sent) co_return net::errorResponse(sent.error());
               co_return noContent();
             });

  router.add(Method::kPost, "/api/v1/auth/forgot", [deps](Request& request) -> asio::awaitable<Response> {
    net::RateDecision decision;
    if (auto limited = limitByIp(deps, request, decision)) co_return std::move(*limited);
    auto body = net::parseJsonBody(request);
    if (!body) co_return net::errorResponse(body.error());
    std::vector<core::FieldError> errors;
    std::string login = field(*body, "login", true, errors);
    if (!errors.empty()) co_return net::errorResponse(core::invalidFormBody(std::move(errors)));
    // At most 5 reset mails per account an hour. Past that the answer is unchanged (it must not
    // tell whether the account exists); the mail is just not sent.
    const auto mails = deps.limiter->hit("reset-mail:" + domain::normalizeUsername(login), 5, std::chrono::hours(1));
    if (mails.allowed) {
      auto sent = co_await deps.accounts->forgotPassword(*deps.pools.at(request.worker), std::move(login));
      if (!sent) co_return net::errorResponse(sent.error());
    }
    Response response = noContent();
    net::addRateLimitHeaders(response, decision, "auth");
    co_return response;
  });

  router.add(Method::kPost, "/api/v1/auth/reset", [deps](Request& request) -> asio::awaitable<Response> {
    net::RateDecision decision;
    if (auto limited = limitByIp(deps, request, decision)) co_return std::move(*limited);
    auto body = net::parseJsonBody(request);
    if (!body) co_return net::errorResponse(body.error());
    std::vector<core::FieldError> errors;
    std::string token = field(*body, "token", true, errors);
    std::string password = field(*body, "password", true, errors);
    std::optional<std::string> code = optionalField(*body, "code", errors);
    if (!errors.empty()) co_return net::errorResponse(core::invalidFormBody(std::move(errors)));
    auto reset = co_await deps.accounts->resetPassword(*deps.pools.at(request.worker), std::move(token),
                                                       std::move(password), std::move(code));
    if (!reset) co_return net::errorResponse(reset.error());
    Response response = noContent();
    response.headers.add("Set-Cookie", refreshCookie(request, "", true));
    response.headers.add("Set-Cookie", mediaCookie(request, "", true));
    co_return response;
  });

  router.add(Method::kGet, "/api/v1/avatars/{user_id}/{avatar}", [deps](Request& request) -> asio::awaitable<Response> {
    const auto user_id = core::parseSnowflake(request.param("user_id"));
    const std::string avatar(request.param("avatar"));
    if (!user_id || !domain::isImageHash(avatar))
      co_return net::errorResponse(core::ErrorCode::kNotFound, "Unknown Avatar");
    co_return imageFileResponse(request, deps.accounts->avatarPath(*user_id, avatar), "Unknown Avatar");
  });

  // Two-factor and deletion take a password or a code: 10 tries per 10 minutes per account.
  const auto limitCodes = [deps](const auth::AccessClaims& claims) {
    return limitBy(deps, "codes:" + std::to_string(claims.user_id), 10, std::chrono::minutes(10), "mfa");
  };

  // A settings route that takes a password or code: its live caller, counted against the
  // per-account limit, and its JSON body; or the answer that refuses the request.
  struct CodeCaller {
    auth::AccessClaims claims;
    boost::json::object body;
    std::optional<Response> refused;
  };
  const auto codeCaller = [authenticateLive, limitCodes](Request& request) -> asio::awaitable<CodeCaller> {
    CodeCaller caller;
    auto claims = co_await authenticateLive(request);
    if (!claims) {
      caller.refused = net::errorResponse(claims.error());
      co_return caller;
    }
    caller.claims = *claims;
    if (auto limited = limitCodes(*claims)) {
      caller.refused = std::move(*limited);
      co_return caller;
    }
    auto body = net::parseJsonBody(request);
    if (!body) {
      caller.refused = net::errorResponse(body.error());
      co_return caller;
    }
    caller.body = std::move(*body);
    co_return caller;
  };

  router.add(
      Method::kPost, "/api/v1/users/@me/delete", [deps, codeCaller](Request& request) -> asio::awaitable<Response> {
        auto caller = co_await codeCaller(request);
        if (caller.refused) co_return std::move(*caller.refused);
        const auto* claims = &caller.claims;
        const auto* body = &caller.body;
        std::vector<core::FieldError> errors;
        auto password = optionalField(*body, "password", errors);
        auto code = optionalField(*body, "code", errors);
        auto confirm = optionalField(*body, "confirm", errors);
        if (!errors.empty()) co_return net::errorResponse(core::invalidFormBody(std::move(errors)));
        auto deleted = co_await deps.accounts->deleteAccount(*deps.pools.at(request.worker), claims->user_id,
                                                             std::move(password), std::move(code), std::move(confirm));
        if (!deleted) co_return net::errorResponse(deleted.error());
        Response response = noContent();
        response.headers.add("Set-Cookie", refreshCookie(request, "", true));
        response.headers.add("Set-Cookie", mediaCookie(request, "", true));
        co_return response;
      });

  router.add(Method::kPost, "/api/v1/users/@me/mfa/totp/setup",
             [deps, codeCaller](Request& request) -> asio::awaitable<Response> {
               auto caller = co_await codeCaller(request);
               if (caller.refused) co_return std::move(*caller.refused);
               const auto* claims = &caller.claims;
               const auto* body = &caller.body;
               std::vector<core::FieldError> errors;
               std::string password = field(*body, "password", true, errors);
               if (!errors.empty()) co_return net::errorResponse(core::invalidFormBody(std::move(errors)));
               auto setup = co_await deps.accounts->setupTotp(*deps.pools.at(request.worker), claims->user_id,
                                                              std::move(password));
               if (!setup) co_return net::errorResponse(setup.error());
               boost::json::object answer;
               answer["secret"] = setup->secret;
               answer["uri"] = setup->uri;
               Response response = net::jsonResponse(200, boost::json::serialize(answer));
               response.headers.add("Cache-Control", "no-store");
               co_return response;
             });

  router.add(Method::kPost, "/api/v1/users/@me/mfa/totp/enable",
             [deps, codeCaller](Request& request) -> asio::awaitable<Response> {
               auto caller = co_await codeCaller(request);
               if (caller.refused) co_return std::move(*caller.refused);
               const auto* claims = &caller.claims;
               const auto* body = &caller.body;
               std::vector<core::FieldError> errors;
               std::string code = field(*body, "code", true, errors);
               if (!errors.empty()) co_return net::errorResponse(core::invalidFormBody(std::move(errors)));
               auto codes =
                   co_await deps.accounts->enableTotp(*deps.pools.at(request.worker), claims->user_id, std::move(code));
               if (!codes) co_return net::errorResponse(codes.error());
               co_return backupCodes(*codes);
             });

  router.add(Method::kPost, "/api/v1/users/@me/mfa/totp/disable",
             [deps, codeCaller](Request& request) -> asio::awaitable<Response> {
               auto caller = co_await codeCaller(request);
               if (caller.refused) co_return std::move(*caller.refused);
               const auto* claims = &caller.claims;
               const auto* body = &caller.body;
               std::vector<core::FieldError> errors;
               std::string password = field(*body, "password", true, errors);
               std::string code = field(*body, "code", true, errors);
               if (!errors.empty()) co_return net::errorResponse(core::invalidFormBody(std::move(errors)));
               auto disabled = co_await deps.accounts->disableTotp(*deps.pools.at(request.worker), claims->user_id,
                                                                   std::move(password), std::move(code));
               if (!disabled) co_return net::errorResponse(disabled.error());
               co_return noContent();
             });

  router.add(Method::kPost, "/api/v1/users/@me/mfa/codes",
             [deps, codeCaller](Request& request) -> asio::awaitable<Response> {
               auto caller = co_await codeCaller(request);
               if (caller.refused) co_return std::move(*caller.refused);
               const auto* claims = &caller.claims;
               const auto* body = &caller.body;
               std::vector<core::FieldError> errors;
               std::string password = field(*body, "password", true, errors);
               std::string code = field(*body, "code", true, errors);
               if (!errors.empty()) co_return net::errorResponse(core::invalidFormBody(std::move(errors)));
               auto codes = co_await deps.accounts->regenerateRecoveryCodes(
                   *deps.pools.at(request.worker), claims->user_id, std::move(password), std::move(code));
               if (!codes) co_return net::errorResponse(codes.error());
               co_return backupCodes(*codes);
             });
}

} // namespace hearth::api
