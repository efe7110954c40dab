#include "auth/totp.hpp"

#include <array>
#include <cctype>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>

namespace hearth::auth {

namespace {

constexpr std::string_view kBase32Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
// No 0/o, 1/l/i: easy to read off a screen and type.
constexpr std::string_view kRecoveryAlphabet = "abcdefghjkmnpqrstuvwxyz23456789";

const EVP_MD* digestOf(OtpHash hash) {
  switch (hash) {
  case OtpHash::kSha256: return EVP_sha256();
  case OtpHash::kSha512: return EVP_sha512();
  case OtpHash::kSha1: break;
  }
  return EVP_sha1();
}

std::string urlEncode(std::string_view text) {
  static constexpr std::string_view kHex = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0xF];
    }
  }
  return out;
}

} // namespace

std::string base32Encode(std::string_view bytes) {
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (const char c : bytes) {
    buffer = (buffer << 8) | static_cast<unsigned char>(c);
    bits += 8;
    while (bits >= 5) {
      out += kBase32Alphabet[(buffer >> (bits - 5)) & 0x1F];
      bits -= 5;
    }
  }
  if (bits > 0) out += kBase32Alphabet[(buffer << (5 - bits)) & 0x1F];
  return out;
}

std::optional<std::string> base32Decode(std::string_view text) {
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (const char c : text) {
    if (c == ' ' || c == '=') continue;
    const char upper = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    const auto index = kBase32Alphabet.find(upper);
    if (index == std::string_view::npos) return std::nullopt;
    buffer = (buffer << 5) | static_cast<std::uint32_t>(index);
    bits += 5;
    if (bits >= 8) {
      out += static_cast<char>((buffer >> (bits - 8)) & 0xFF);
      bits -= 8;
    }
  }
  return out;
}

std::string newTotpSecret() {
  std::array<unsigned char, 20> bytes{};
  randombytes_buf(bytes.data(), bytes.size());
  return base32Encode(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

std::string hotp(std::string_view key, std::uint64_t counter, int digits, OtpHash hash) {
  std::array<unsigned char, 8> message{};
  for (int i = 7; i >= 0; --i) {
    message[static_cast<std::size_t>(i)] = static_cast<unsigned char>(counter & 0xFF);
    counter >>= 8;
  }
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int mac_size = 0;
  HMAC(digestOf(hash), key.data(), static_cast<int>(key.size()), message.data(), message.size(), mac.data(), &mac_size);
  // Dynamic truncation (RFC 4226 §5.3).
  const unsigned offset = mac[mac_size - 1] & 0x0F;
  const std::uint32_t binary = ((mac[offset] & 0x7Fu) << 24) | (static_cast<std::uint32_t>(mac[offset + 1]) << 16) |
                               (static_cast<std::uint32_t>(mac[offset + 2]) << 8) | mac[offset + 3];
  std::uint64_t modulus = 1;
  for (int i = 0; i < digits; ++i)
    modulus *= 10;
  std::string code = std::to_string(binary % modulus);
  return std::string(static_cast<std::size_t>(digits) - code.size(), '0') + code;
}

std::string totpAt(std::string_view key, std::int64_t unix_seconds, int digits, OtpHash hash) {
  return hotp(key, static_cast<std::uint64_t>(unix_seconds / kTotpStepSeconds), digits, hash);
}

bool looksLikeTotp(std::string_view code) {
  int digits = 0;
  for (const char c : code) {
    if (c == ' ') continue;
    if (c < '0' || c > '9') return false;
    ++digits;
  }
  return digits == kTotpDigits;
}

std::optional<std::int64_t> verifyTotp(std::string_view base32_secret, std::string_view code, std::int64_t unix_seconds,
                                       std::optional<std::int64_t> last_used_step) {
  if (!looksLikeTotp(code)) return std::nullopt;
  std::string digits;
  for (const char c : code)
    if (c != ' ') digits += c;
  const auto key = base32Decode(base32_secret);
  if (!key || key->empty()) return std::nullopt;
  const std::int64_t now_step = unix_seconds / kTotpStepSeconds;
  std::optional<std::int64_t> matched;
  // Every candidate is computed and compared in constant time, so timing tells nothing.
  for (std::int64_t step = now_step - 1; step <= now_step + 1; ++step) {
    const std::string expected = hotp(*key, static_cast<std::uint64_t>(step));
    if (sodium_memcmp(expected.data(), digits.data(), expected.size()) == 0 && !matched) matched = step;
  }
  if (!matched || (last_used_step && *matched <= *last_used_step)) return std::nullopt;
  return matched;
}

std::string otpauthUri(std::string_view issuer, std::string_view account, std::string_view base32_secret) {
  return "otpauth://totp/" + urlEncode(issuer) + ":" + urlEncode(account) + "?secret=" + std::string(base32_secret) +
         "&issuer=" + urlEncode(issuer) + "&algorithm=SHA1&digits=6&period=30";
}

std::string newRecoveryCode() {
  std::string code;
  for (int i = 0; i < 8; ++i) {
    if (i == 4) code += '-';
    code += kRecoveryAlphabet[randombytes_uniform(static_cast<std::uint32_t>(kRecoveryAlphabet.size()))];
  }
  return code;
}

std::string normalizeRecoveryCode(std::string_view code) {
  std::string out;
  for (const char c : code) {
    if (c == '-' || c == ' ') continue;
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

} // namespace hearth::auth
