#pragma once
// Access tokens: short-lived JWTs signed with HMAC-SHA256 (RFC 7519/7515). Verification pins
// the algorithm (anything but HS256, "none" included, is refused), and checks the signature in
// constant time, then `typ`, `aud` and `exp`. Refresh tokens are opaque random strings stored
// only as SHA-256 hashes.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/error.hpp"

namespace hearth::auth {

struct AccessClaims {
  std::uint64_t user_id = 0;
  std::uint64_t session_id = 0;
  std::int64_t expires_at = 0; //!< unix seconds
};

class TokenSigner {
public:
  static constexpr std::int64_t kAccessLifetimeSeconds = 15 * 60;
  static constexpr std::size_t kKeyBytes = 32;

  TokenSigner(std::string key, const core::Clock& clock);
  //! A signed access token for this user and session, valid kAccessLifetimeSeconds.
  std::string issue(std::uint64_t user_id, std::uint64_t session_id) const;
  //! The claims of a valid token; kUnauthorized for anything else.
  core::Result<AccessClaims> verify(std::string_view token) const;

private:
  std::string key_;
  const core::Clock& clock_;
};

//! Reads the signing key from `path`, creating it (32 random bytes, mode 0600) if missing.
core::Result<std::string> loadOrCreateKey(const std::filesystem::path& path);

//! A new opaque refresh token: 32 random bytes, base64url.
std::string newRefreshToken();
//! Lower-case hex SHA-256 of a token, as stored.
std::string tokenHash(std::string_view token);

//! base64url without padding (RFC 4648 §5).
std::string base64UrlEncode(std::string_view bytes);
//! Decodes base64url without padding; false on any other character or a bad length.
bool base64UrlDecode(std::string_view text, std::string& out);

} // namespace hearth::auth
