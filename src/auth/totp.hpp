#pragma once
// Two-factor codes: HOTP (RFC 4226) and TOTP (RFC 6238) with the parameters authenticator apps
// use (SHA-1, 6 digits, 30 s), base32 secrets (RFC 4648 §6), otpauth:// URIs, and recovery
// codes. Pure functions; the caller passes the time and remembers the last accepted step.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hearth::auth {

enum class OtpHash { kSha1, kSha256, kSha512 };

constexpr std::int64_t kTotpStepSeconds = 30;
constexpr int kTotpDigits = 6;

//! RFC 4648 base32, upper case, no padding.
std::string base32Encode(std::string_view bytes);
//! Decodes base32 (either case; spaces and '=' ignored); nullopt on any other character.
std::optional<std::string> base32Decode(std::string_view text);

//! A new TOTP secret: 20 random bytes (160 bits, RFC 4226's recommendation), base32.
std::string newTotpSecret();

//! RFC 4226 HOTP value of `counter`, as `digits` decimal digits with leading zeros.
std::string hotp(std::string_view key, std::uint64_t counter, int digits = kTotpDigits, OtpHash hash = OtpHash::kSha1);
//! The RFC 6238 code at `unix_seconds`.
std::string totpAt(std::string_view key, std::int64_t unix_seconds, int digits = kTotpDigits,
                   OtpHash hash = OtpHash::kSha1);

//! Checks a 6-digit code against the steps now-1, now and now+1 (one step of clock skew),
//! refusing any step at or before `last_used_step` so a code works only once. Returns the
//! matching step to store as the new last_used_step.
std::optional<std::int64_t> verifyTotp(std::string_view base32_secret, std::string_view code, std::int64_t unix_seconds,
                                       std::optional<std::int64_t> last_used_step);

//! `otpauth://totp/<issuer>:<account>?secret=...&issuer=...&algorithm=SHA1&digits=6&period=30`.
std::string otpauthUri(std::string_view issuer, std::string_view account, std::string_view base32_secret);

//! A recovery code: 8 characters of an unambiguous alphabet, shown as `xxxx-xxxx`.
std::string newRecoveryCode();
//! The code as stored (hashed): lower case, without '-' or spaces.
std::string normalizeRecoveryCode(std::string_view code);
//! Whether `code` has the shape of a TOTP code (6 digits, spaces ignored).
bool looksLikeTotp(std::string_view code);

} // namespace hearth::auth
