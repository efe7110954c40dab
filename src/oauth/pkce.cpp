#include "oauth/pkce.hpp"

#include <array>
#include <stdexcept>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "auth/tokens.hpp"

namespace hearth::oauth {

namespace {

std::string sha256(std::string_view data) {
  std::array<unsigned char, 32> digest{};
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1 || length != 32) {
    throw std::runtime_error("SHA-256 failed");
  }
  return {reinterpret_cast<const char*>(digest.data()), digest.size()};
}

} // namespace

std::string randomToken() {
  std::array<unsigned char, 32> bytes{};
  // Failure means the CSPRNG is unusable; going on with predictable values would be worse.
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) throw std::runtime_error("RAND_bytes failed");
  return auth::base64UrlEncode({reinterpret_cast<const char*>(bytes.data()), bytes.size()});
}

std::string pkceChallenge(std::string_view verifier) { return auth::base64UrlEncode(sha256(verifier)); }

// Each derivation has its own prefix, so no value can stand in for another.
std::string codeVerifierFor(std::string_view browser_secret, std::string_view state) {
  std::string input = "hearth pkce verifier\n";
  input.append(browser_secret).append("\n").append(state);
  return auth::base64UrlEncode(sha256(input));
}

std::string nonceFor(std::string_view browser_secret) {
  std::string input = "hearth oidc nonce\n";
  input.append(browser_secret);
  return auth::base64UrlEncode(sha256(input));
}

} // namespace hearth::oauth
