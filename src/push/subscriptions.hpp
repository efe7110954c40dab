#pragma once
// Web Push subscriptions: strict validation of what a browser sends (PushSubscription.toJSON()),
// the SSRF policy for push endpoints (which URLs and which resolved addresses the server may
// POST to), and their storage: one subscription per sign-in session (push_subscriptions), and
// the server's VAPID key pair (vapid_keys). docs/notifications.md, "Web Push".
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "core/error.hpp"
#include "push/web_push_crypto.hpp"

struct sockaddr;

namespace hearth::store {
class PgPool;
}

namespace hearth::push {

//! Which endpoints the server accepts and connects to.
struct EndpointPolicy {
  //! hearthd --push-allow-insecure-loopback (tests only): http://127.0.0.1:<port>/... endpoints
  //! are accepted and connected to.
  bool allow_insecure_loopback = false;
};

constexpr std::size_t kMaxEndpointBytes = 2048;

struct Subscription {
  std::uint64_t session_id = 0;
  std::uint64_t user_id = 0;
  std::string endpoint;
  std::string p256dh; //!< raw: 65 bytes
  std::string auth; //!< raw: 16 bytes
};

//! Whether a resolved address may be connected to: not loopback, private (RFC 1918, ULA),
//! link-local, CGNAT, unspecified, multicast, broadcast or reserved; IPv4-mapped IPv6 judged as
//! IPv4. `allow_loopback`: 127.0.0.1 passes (the test flag).
bool publicAddress(const sockaddr* address, bool allow_loopback = false);
//! The same for a numeric address in text ("10.0.0.1", "::1"); false for anything else.
bool publicAddressText(std::string_view text, bool allow_loopback = false);

//! Checks an endpoint URL's form: https (or, with the flag, http://127.0.0.1:<port>), a host, no
//! user info, no fragment, at most kMaxEndpointBytes; a numeric host must be a public address.
//! On success returns the host (to resolve). kInvalidFormBody with a field error on `endpoint`.
core::Result<std::string> checkEndpoint(std::string_view url, const EndpointPolicy& policy);
//! Resolves `host` (blocking: run off the I/O threads) and checks every address it gives.
//! kInvalidFormBody when it resolves to nothing or to any address that is not public.
core::Result<void> checkResolvedHost(const std::string& host, const EndpointPolicy& policy);

//! A subscription from the body's fields (base64url keys, as browsers send them), validated:
//! the endpoint by checkEndpoint, p256dh a P-256 point, auth 16 bytes. kInvalidFormBody with
//! Discord's field errors (`endpoint`, `keys.p256dh`, `keys.auth`).
core::Result<Subscription> validateSubscription(std::string_view endpoint, std::string_view p256dh,
                                                std::string_view auth, const EndpointPolicy& policy);

//! Stores `subscription` for its session, replacing the session's previous one. Returns true
//! when it replaced one.
boost::asio::awaitable<core::Result<bool>> saveSubscription(store::PgPool& pool, Subscription subscription);
//! Removes the session's subscription; false when it had none.
boost::asio::awaitable<core::Result<bool>> deleteSubscription(store::PgPool& pool, std::uint64_t session_id);
//! Removes the session's subscription only while it still points at `endpoint` (a 404 or 410
//! answer must not remove a newer one).
boost::asio::awaitable<core::Result<void>> deleteGoneSubscription(store::PgPool& pool, std::uint64_t session_id,
                                                                  std::string endpoint);
//! The subscriptions of `users`' live sessions (neither revoked nor expired).
boost::asio::awaitable<core::Result<std::vector<Subscription>>> subscriptionsOf(store::PgPool& pool,
                                                                                std::vector<std::uint64_t> users);
//! The VAPID key pair, created by the first node to ask (race-safe: every node ends with the
//! stored one).
boost::asio::awaitable<core::Result<EcKeyPair>> loadOrCreateVapidKey(store::PgPool& pool);

} // namespace hearth::push
