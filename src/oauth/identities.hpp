#pragma once
// The two tables of provider sign-in (migration 0003): `user_identities`, the accounts at a
// provider that sign in to a Hearth account, keyed by (provider, subject) and never matched by
// email; and `oauth_states`, the authorization requests in flight (single use, 10 minutes).
// Every read and write of them goes through here.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "core/error.hpp"

namespace hearth::store {
class PgPool;
}

namespace hearth::oauth {

struct Identity {
  std::string provider;
  std::string subject;
  std::uint64_t user_id = 0;
  std::string display; //!< the provider's login or name, as last seen
  std::string email; //!< the provider's address, as last seen; may be empty
  std::string created_at; //!< ISO 8601
};

//! An authorization request in flight. Only hashes of the state and of the browser cookie are
//! kept; the PKCE verifier and nonce are derived from the cookie (pkce.hpp).
struct PendingFlow {
  std::string state_hash;
  std::string provider;
  std::string browser_hash;
  std::uint64_t link_user_id = 0; //!< 0: sign in; else the account to link the identity to
  std::int64_t expires_at_ms = 0;
};

enum class LinkOutcome : std::uint8_t {
  kLinked,
  kAlreadyLinked, //!< this identity was already on this account
  kTakenByOther, //!< the identity signs in to another account
  kProviderTaken, //!< the account already has another identity at this provider
};

//! Saves a flow, and deletes flows that expired before `now_ms`.
boost::asio::awaitable<core::Result<void>> saveFlow(store::PgPool& pool, PendingFlow flow, std::int64_t now_ms);

//! Removes and returns the flow with this state, if it was started by the browser with this
//! cookie hash and has not expired by `now_ms`. A state works once; a wrong browser does not
//! use it up.
boost::asio::awaitable<core::Result<std::optional<PendingFlow>>>
takeFlow(store::PgPool& pool, std::string state_hash, std::string browser_hash, std::int64_t now_ms);

//! The account this identity signs in to, if any.
boost::asio::awaitable<core::Result<std::optional<std::uint64_t>>>
identityOwner(store::PgPool& pool, std::string provider, std::string subject);

//! Attaches the identity to `identity.user_id` unless it or the account's slot for that
//! provider is taken.
boost::asio::awaitable<core::Result<LinkOutcome>> linkIdentity(store::PgPool& pool, Identity identity);

//! Records the display name and address the provider gave at this sign-in.
boost::asio::awaitable<core::Result<void>> refreshIdentity(store::PgPool& pool, Identity identity);

//! The account's identities, oldest first.
boost::asio::awaitable<core::Result<std::vector<Identity>>> identitiesOf(store::PgPool& pool, std::uint64_t user_id);

//! Removes the account's identity at `provider`. Refused (kInvalidFormBody) when it is the
//! account's only way to sign in: no password (`has_password`) and no other identity. The
//! account's row is locked meanwhile, so two removals cannot each leave the other as the last.
//! kNotFound when there is none.
boost::asio::awaitable<core::Result<void>> unlinkIdentity(store::PgPool& pool, std::uint64_t user_id,
                                                          std::string provider, bool has_password);

} // namespace hearth::oauth
