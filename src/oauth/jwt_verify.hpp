#pragma once
// OpenID Connect ID tokens (Core §3.1.3.7): JWKS parsing, JWS signature checks with OpenSSL 3
// (RS256, ES256) and the claim checks. Pure functions: no I/O, and the time is passed in.
//
// The algorithm is pinned by the key: the header's `alg` must be RS256 or ES256, must fit the
// key's type (RSA, EC P-256), and must equal the key's own `alg` when the JWKS states one. So
// `none`, HS256 with a public key as its secret, and any other algorithm are refused before a
// signature is looked at.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

struct evp_pkey_st;

namespace hearth::oauth {

//! One usable signing key of a JWKS.
struct Jwk {
  std::string kid; //!< may be empty
  std::string alg; //!< "RS256" or "ES256": the only algorithm this key verifies
  std::shared_ptr<evp_pkey_st> key;
};

struct Jwks {
  std::vector<Jwk> keys;
  //! Whether a key with this `kid` is present (to decide whether to fetch the JWKS again).
  bool hasKey(std::string_view kid) const noexcept;
};

//! Parses a JWKS document (RFC 7517). Keys we cannot use (other types or curves, `use` other
//! than "sig", RSA below 2048 bits, broken members) are skipped; kInvalidFormBody if the
//! document is not JSON or has no `keys` array.
core::Result<Jwks> parseJwks(std::string_view json);

//! What the ID token must say.
struct IdTokenCheck {
  std::string issuer; //!< exact `iss`
  std::string client_id; //!< must be in `aud` (and be `azp` when there are several audiences)
  std::string nonce; //!< exact `nonce`
  std::int64_t now = 0; //!< unix seconds
  std::int64_t leeway_seconds = 60; //!< clock skew allowed on `exp`, `iat` and `nbf`
};

//! The claims Hearth uses, once verified.
struct IdTokenClaims {
  std::string subject;
  std::string email;
  bool email_verified = false;
  std::string preferred_username;
  std::string name;
  std::int64_t expires_at = 0;
};

//! The header's `kid` of a compact JWS, or nullopt if there is none or the header is unreadable.
std::optional<std::string> jwsKeyId(std::string_view token);

//! Verifies the signature of `token` with a key of `jwks`, then `iss`, `aud`/`azp`, `exp`,
//! `iat`, `nbf`, `nonce` and `sub`. kUnauthorized with the reason (for logs, not for users).
core::Result<IdTokenClaims> verifyIdToken(std::string_view token, const Jwks& jwks, const IdTokenCheck& check);

} // namespace hearth::oauth
