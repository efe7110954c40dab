#pragma once
// Accounts over REST: /auth/register, /auth/login, /auth/refresh, /auth/logout, /users/@me and
// /users/@me/sessions. docs/auth.md describes the token design.
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "auth/tokens.hpp"
#include "net/router.hpp"

namespace hearth::domain {
class Accounts;
struct ClientInfo;
struct User;
} // namespace hearth::domain
namespace hearth::net {
class RateLimiter;
}
namespace hearth::store {
class PgPool;
}

namespace hearth::api {

struct AuthLimits {
  int requests_per_minute_per_ip = 30; //!< register, login and refresh together
  int failed_logins_per_hour_per_account = 100;
};

struct AuthDeps {
  std::vector<store::PgPool*> pools; //!< one per worker thread
  domain::Accounts* accounts = nullptr;
  const auth::TokenSigner* signer = nullptr;
  net::RateLimiter* limiter = nullptr;
  AuthLimits limits;
};

void addAuthRoutes(net::Router& router, AuthDeps deps);

//! The user object as Discord shapes it (`id`, `username`, `global_name`, `email`, ...).
std::string userJson(const domain::User& user);

//! The `Set-Cookie` value carrying a refresh token (HttpOnly, SameSite=Strict, Path=/api/v1/auth,
//! Secure behind TLS); an empty token with `clear` removes it.
std::string refreshCookie(const net::Request& request, std::string_view token, bool clear = false);
//! The `hearth_media` cookie: the access token for attachment fetches (Path=/api/v1/attachments).
inline constexpr std::string_view kMediaCookie = "hearth_media";
std::string mediaCookie(const net::Request& request, std::string_view token, bool clear = false);

//! The client's User-Agent and address, recorded on a new session.
domain::ClientInfo clientOf(const net::Request& request);

//! authenticate() plus a check that the token's session is still live (not logged out or
//! revoked): routes that act on an account's data use this so revocation takes effect at once.
boost::asio::awaitable<core::Result<auth::AccessClaims>> authenticateLive(const net::Request& request,
                                                                          const auth::TokenSigner& signer,
                                                                          domain::Accounts& accounts,
                                                                          store::PgPool& pool);

//! The claims of the request's `Authorization: Bearer <token>`; kUnauthorized without a valid one.
core::Result<auth::AccessClaims> authenticate(const net::Request& request, const auth::TokenSigner& signer);

} // namespace hearth::api
