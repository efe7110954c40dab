#pragma once
// The cryptography of Web Push, pure (no I/O): P-256 keys, RFC 8291 message encryption in the
// aes128gcm content coding of RFC 8188 (one record), and RFC 8292 VAPID (an ES256 JWT). OpenSSL 3
// EVP only. Byte strings are raw bytes in std::string; keys travel base64url in the API.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace hearth::push {

//! A P-256 key pair: the private scalar (32 bytes) and the uncompressed public point (65 bytes,
//! 0x04 || X || Y).
struct EcKeyPair {
  std::string private_key;
  std::string public_key;
};

//! A fresh P-256 key pair from the CSPRNG.
core::Result<EcKeyPair> generateKeyPair();
//! The key pair of a private scalar (its public point recomputed); kInvalidFormBody when the
//! scalar is not a valid P-256 private key.
core::Result<EcKeyPair> keyPairFromPrivate(std::string_view private_key);
//! Whether `point` is an uncompressed P-256 point on the curve (65 bytes starting 0x04).
bool validPublicKey(std::string_view point);

constexpr std::size_t kAuthSecretBytes = 16;
constexpr std::size_t kSaltBytes = 16;
//! The record size we write (RFC 8188 `rs`): the plaintext, its delimiter and the tag fit in one.
constexpr std::uint32_t kRecordSize = 4096;
//! The largest plaintext one record carries (4096 - 16 tag - 1 delimiter - 86 header, kept under
//! what push services accept: 4096 bytes of body in all).
constexpr std::size_t kMaxPlaintextBytes = 3993;

//! RFC 8291 §3-4: encrypts `plaintext` for a user agent (`ua_public` 65 bytes, `auth_secret` 16
//! bytes) with the sender's key pair `sender` and `salt` (16 bytes). Returns the whole body:
//! salt || rs || idlen || keyid (the sender's public key) || one record (plaintext || 0x02,
//! AES-128-GCM). kInvalidFormBody on a bad key, secret, salt or a plaintext that does not fit.
core::Result<std::string> encryptMessage(std::string_view plaintext, std::string_view ua_public,
                                         std::string_view auth_secret, const EcKeyPair& sender, std::string_view salt);
//! The same with a fresh sender key pair and salt (what every push uses).
core::Result<std::string> encryptMessage(std::string_view plaintext, std::string_view ua_public,
                                         std::string_view auth_secret);
//! The user agent's side: the plaintext of an aes128gcm body, given the receiver's key pair and
//! auth secret. kInvalidFormBody for anything malformed or that fails authentication.
core::Result<std::string> decryptMessage(std::string_view body, const EcKeyPair& receiver,
                                         std::string_view auth_secret);

//! The origin (scheme://host[:port]) of an http(s) URL: a VAPID JWT's `aud`; empty when `url`
//! is not an absolute http(s) URL.
std::string originOf(std::string_view url);
//! RFC 8292 §2: an ES256 JWT `{"aud": audience, "exp": expires_at (unix s), "sub": subject}`
//! signed by `key`, the signature in JOSE form (r || s, 64 bytes).
core::Result<std::string> vapidJwt(const EcKeyPair& key, std::string_view audience, std::int64_t expires_at,
                                   std::string_view subject);
//! The Authorization header value: `vapid t=<jwt>, k=<base64url public key>`.
std::string vapidAuthorization(std::string_view jwt, std::string_view public_key);
//! Whether `jwt` carries a valid ES256 signature by `public_key` (65 bytes): tests and tools.
bool verifyEs256Jwt(std::string_view jwt, std::string_view public_key);

} // namespace hearth::push
