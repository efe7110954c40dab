#include "auth/tokens.hpp"

#include <array>
#include <fstream>
#include <system_error>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/hmac.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/snowflake.hpp"

namespace hearth::auth {

namespace {
constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
// The only header this server issues; a token with any other header is refused outright.
constexpr std::string_view kHeader = R"({"alg":"HS256","typ":"at+jwt"})";
constexpr std::string_view kAudience = "hearth";

std::string hmacSha256(std::string_view key, std::string_view data) {
  std::array<unsigned char, 32> mac{};
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), mac.data(), &length);
  return std::string(reinterpret_cast<const char*>(mac.data()), length);
}

core::Result<AccessClaims> unauthorized(std::string message) {
  return core::fail(core::ErrorCode::kUnauthorized, std::move(message));
}
} // namespace

std::string base64UrlEncode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() * 4 + 2) / 3);
  std::size_t byte_idx = 0;
  for (; byte_idx + 2 < bytes.size(); byte_idx += 3) {
    const std::uint32_t chunk = (static_cast<std::uint8_t>(bytes[byte_idx]) << 16) |
                                (static_cast<std::uint8_t>(bytes[byte_idx + 1]) << 8) |
                                static_cast<std::uint8_t>(bytes[byte_idx + 2]);
    out += kAlphabet[(chunk >> 18) & 63];
    out += kAlphabet[(chunk >> 12) & 63];
    out += kAlphabet[(chunk >> 6) & 63];
    out += kAlphabet[chunk & 63];
  }
  const std::size_t rest = bytes.size() - byte_idx;
  if (rest > 0) {
    std::uint32_t chunk = static_cast<std::uint8_t>(bytes[byte_idx]) << 16;
    if (rest == 2) chunk |= static_cast<std::uint8_t>(bytes[byte_idx + 1]) << 8;
    out += kAlphabet[(chunk >> 18) & 63];
    out += kAlphabet[(chunk >> 12) & 63];
    if (rest == 2) out += kAlphabet[(chunk >> 6) & 63];
  }
  return out;
}

bool base64UrlDecode(std::string_view text, std::string& out) {
  out.clear();
  if (text.size() % 4 == 1) return false;
  std::uint32_t chunk = 0;
  int bits = 0;
  for (const char c : text) {
    const auto position = kAlphabet.find(c);
    if (position == std::string_view::npos) return false;
    chunk = (chunk << 6) | static_cast<std::uint32_t>(position);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((chunk >> bits) & 0xFF);
    }
  }
  // Leftover bits must be zero, or two encodings would decode to the same bytes.
  return (chunk & ((1u << bits) - 1)) == 0;
}

TokenSigner::TokenSigner(std::string key, const core::Clock& clock) : key_(std::move(key)), clock_(clock) {}

std::string TokenSigner::issue(std::uint64_t user_id, std::uint64_t session_id) const {
  const std::int64_t now = clock_.unixMillis() / 1000;
  const std::string payload = "{\"sub\":\"" + std::to_string(user_id) + "\",\"sid\":\"" + std::to_string(session_id) +
                              "\",\"aud\":\"" + std::string(kAudience) + "\",\"iat\":" + std::to_string(now) +
                              ",\"exp\":" + std::to_string(now + kAccessLifetimeSeconds) + "}";
  std::string token = base64UrlEncode(kHeader) + "." + base64UrlEncode(payload);
  token += "." + base64UrlEncode(hmacSha256(key_, token));
  return token;
}

core::Result<AccessClaims> TokenSigner::verify(std::string_view token) const {
  if (token.size() > 4096) return unauthorized("Token too long");
  const auto first_dot = token.find('.');
  const auto second_dot = token.find('.', first_dot + 1);
  if (first_dot == std::string_view::npos || second_dot == std::string_view::npos ||
      token.find('.', second_dot + 1) != std::string_view::npos) {
    return unauthorized("Malformed token");
  }
  // Pinning the header pins the algorithm: "none", RS256 and friends never reach the MAC check.
  std::string header;
  if (!base64UrlDecode(token.substr(0, first_dot), header) || header != kHeader) {
    return unauthorized("Unsupported token type");
  }
  std::string signature;
  if (!base64UrlDecode(token.substr(second_dot + 1), signature) || signature.size() != 32) {
    return unauthorized("Malformed token signature");
  }
  const std::string expected = hmacSha256(key_, token.substr(0, second_dot));
  if (CRYPTO_memcmp(expected.data(), signature.data(), 32) != 0) return unauthorized("Invalid token signature");

  std::string payload;
  if (!base64UrlDecode(token.substr(first_dot + 1, second_dot - first_dot - 1), payload)) {
    return unauthorized("Malformed token payload");
  }
  boost::system::error_code ec;
  const auto claims = boost::json::parse(payload, ec);
  if (ec || !claims.is_object()) return unauthorized("Malformed token payload");
  const auto& object = claims.as_object();
  const auto* sub = object.if_contains("sub");
  const auto* sid = object.if_contains("sid");
  const auto* aud = object.if_contains("aud");
  const auto* exp = object.if_contains("exp");
  if (!sub || !sub->is_string() || !sid || !sid->is_string() || !aud || !aud->is_string() || !exp || !exp->is_int64()) {
    return unauthorized("Incomplete token claims");
  }
  if (aud->as_string() != kAudience) return unauthorized("Token is for another audience");
  if (exp->as_int64() <= clock_.unixMillis() / 1000) return unauthorized("Token expired");
  const auto user_id = core::parseSnowflake(std::string_view(sub->as_string()));
  const auto session_id = core::parseSnowflake(std::string_view(sid->as_string()));
  if (!user_id || !session_id) return unauthorized("Malformed token subject");
  return AccessClaims{*user_id, *session_id, exp->as_int64()};
}

core::Result<std::string> loadOrCreateKey(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) {
    std::ifstream in(path, std::ios::binary);
    std::string key((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (key.size() < TokenSigner::kKeyBytes) {
      return core::fail(core::ErrorCode::kGeneral, "signing key " + path.string() + " is shorter than 32 bytes");
    }
    return key;
  }
  std::filesystem::create_directories(path.parent_path(), ec);
  std::string key(TokenSigner::kKeyBytes, '\0');
  randombytes_buf(key.data(), key.size());
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) return core::fail(core::ErrorCode::kGeneral, "cannot create signing key " + path.string());
  const bool written = ::write(fd, key.data(), key.size()) == static_cast<ssize_t>(key.size());
  ::close(fd);
  if (!written) return core::fail(core::ErrorCode::kGeneral, "cannot write signing key " + path.string());
  return key;
}

std::string newRefreshToken() {
  std::string bytes(32, '\0');
  randombytes_buf(bytes.data(), bytes.size());
  return base64UrlEncode(bytes);
}

std::string tokenHash(std::string_view token) {
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(token.data()), token.size());
  std::array<char, crypto_hash_sha256_BYTES * 2 + 1> hex{};
  sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
  return std::string(hex.data(), crypto_hash_sha256_BYTES * 2);
}

} // namespace hearth::auth
