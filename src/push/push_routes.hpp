#pragma once
// Web Push over REST (docs/notifications.md, "Web Push"):
//   GET    /api/v1/push/vapid-public-key        → {"public_key": "<base64url P-256 point>"}
//   POST   /api/v1/users/@me/push-subscriptions {endpoint, keys: {p256dh, auth}} → 201 (new) or
//          200 (replaced the session's), {"endpoint": ...}
//   DELETE /api/v1/users/@me/push-subscriptions → 204
// One subscription per sign-in session (the access token's `sid`).
#include <vector>

#include "net/router.hpp"
#include "push/subscriptions.hpp"

namespace boost::asio {
class thread_pool;
}
namespace hearth::auth {
class TokenSigner;
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

namespace hearth::push {

struct PushRouteDeps {
  std::vector<store::PgPool*> pools; //!< one per worker thread
  domain::Accounts* accounts = nullptr;
  const auth::TokenSigner* signer = nullptr;
  const EcKeyPair* vapid = nullptr;
  EndpointPolicy policy;
  //! Where endpoint host names are resolved (getaddrinfo blocks): never an I/O thread.
  boost::asio::thread_pool* resolver = nullptr;
};

void addPushRoutes(net::Router& router, PushRouteDeps deps);

} // namespace hearth::push
