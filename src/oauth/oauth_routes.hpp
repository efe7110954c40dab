#pragma once
// Sign-in and account linking through OAuth 2.0 / OpenID Connect providers (docs/oauth.md):
//   GET    /api/v1/auth/oauth/providers
//   GET    /api/v1/auth/oauth/{provider}/authorize            302 to the provider
//   GET    /api/v1/auth/oauth/{provider}/callback             302 to /oauth/done#status=...
//   GET    /api/v1/users/@me/connections
//   POST   /api/v1/users/@me/connections/{provider}/authorize {url} to link a provider
//   DELETE /api/v1/users/@me/connections/{provider}
#include <string>
#include <vector>

#include "net/router.hpp"

namespace hearth::auth {
class TokenSigner;
}
namespace hearth::core {
class Clock;
}
namespace hearth::domain {
class Accounts;
}
namespace hearth::net {
class RateLimiter;
}
namespace hearth::store {
class PgPool;
}

namespace hearth::oauth {

class Providers;

struct OAuthDeps {
  std::vector<store::PgPool*> pools; //!< one per worker thread
  domain::Accounts* accounts = nullptr;
  const auth::TokenSigner* signer = nullptr;
  Providers* providers = nullptr;
  net::RateLimiter* limiter = nullptr;
  const core::Clock* clock = nullptr;
  //! Where browsers reach hearthd (redirect URIs are built on it). Read when a request comes,
  //! so it may be filled in after the port is bound.
  const std::string* public_url = nullptr;
  int requests_per_minute_per_ip = 30; //!< authorization requests started per address
};

void addOAuthRoutes(net::Router& router, OAuthDeps deps);

} // namespace hearth::oauth
