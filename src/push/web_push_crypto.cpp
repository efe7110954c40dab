#include "push/web_push_crypto.hpp"

#include <array>
#include <memory>
#include <vector>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>

#include "auth/tokens.hpp"
#include "net/http.hpp"

namespace hearth::push {

namespace {

constexpr std::size_t kPublicKeyBytes = 65;
constexpr std::size_t kPrivateKeyBytes = 32;
constexpr std::size_t kTagBytes = 16;
constexpr std::size_t kHeaderBytes = kSaltBytes + 4 + 1 + kPublicKeyBytes; // with our keyid
constexpr char kCurve[] = "prime256v1";

struct PkeyFree {
  void operator()(EVP_PKEY* key) const noexcept { EVP_PKEY_free(key); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* ctx) const noexcept { EVP_PKEY_CTX_free(ctx); }
};
struct BnFree {
  void operator()(BIGNUM* bn) const noexcept { BN_clear_free(bn); }
};
struct GroupFree {
  void operator()(EC_GROUP* group) const noexcept { EC_GROUP_free(group); }
};
struct PointFree {
  void operator()(EC_POINT* point) const noexcept { EC_POINT_free(point); }
};
struct BldFree {
  void operator()(OSSL_PARAM_BLD* bld) const noexcept { OSSL_PARAM_BLD_free(bld); }
};
struct ParamFree {
  void operator()(OSSL_PARAM* params) const noexcept { OSSL_PARAM_free(params); }
};
struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* ctx) const noexcept { EVP_CIPHER_CTX_free(ctx); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const noexcept { EVP_MD_CTX_free(ctx); }
};
struct KdfFree {
  void operator()(EVP_KDF* kdf) const noexcept { EVP_KDF_free(kdf); }
};
struct KdfCtxFree {
  void operator()(EVP_KDF_CTX* ctx) const noexcept { EVP_KDF_CTX_free(ctx); }
};
struct SigFree {
  void operator()(ECDSA_SIG* sig) const noexcept { ECDSA_SIG_free(sig); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

const unsigned char* bytes(std::string_view text) { return reinterpret_cast<const unsigned char*>(text.data()); }

core::Error invalid(std::string message) { return core::Error{core::ErrorCode::kInvalidFormBody, std::move(message)}; }

std::unique_ptr<EC_GROUP, GroupFree> p256() {
  return std::unique_ptr<EC_GROUP, GroupFree>(EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1));
}

// An EVP key from a public point and, when given, the private scalar.
Pkey makeKey(std::string_view public_key, std::string_view private_key) {
  std::unique_ptr<OSSL_PARAM_BLD, BldFree> bld(OSSL_PARAM_BLD_new());
  if (!bld) return nullptr;
  std::unique_ptr<BIGNUM, BnFree> scalar;
  if (!private_key.empty()) {
    scalar.reset(BN_bin2bn(bytes(private_key), static_cast<int>(private_key.size()), nullptr));
    if (!scalar) return nullptr;
  }
  if (OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, kCurve, 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, public_key.data(), public_key.size()) != 1 ||
      (scalar && OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, scalar.get()) != 1)) {
    return nullptr;
  }
  std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(bld.get()));
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1) return nullptr;
  EVP_PKEY* key = nullptr;
  const int selection = scalar ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY;
  if (EVP_PKEY_fromdata(ctx.get(), &key, selection, params.get()) != 1) return nullptr;
  return Pkey(key);
}

core::Result<std::string> ecdh(const EcKeyPair& own, std::string_view peer_public) {
  Pkey own_key = makeKey(own.public_key, own.private_key);
  Pkey peer_key = makeKey(peer_public, {});
  if (!own_key || !peer_key) return std::unexpected(invalid("bad P-256 key"));
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, own_key.get(), nullptr));
  std::size_t length = 0;
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 || EVP_PKEY_derive_set_peer(ctx.get(), peer_key.get()) != 1 ||
      EVP_PKEY_derive(ctx.get(), nullptr, &length) != 1) {
    return std::unexpected(invalid("ECDH failed"));
  }
  std::string secret(length, '\0');
  if (EVP_PKEY_derive(ctx.get(), reinterpret_cast<unsigned char*>(secret.data()), &length) != 1) {
    return std::unexpected(invalid("ECDH failed"));
  }
  secret.resize(length);
  return secret;
}

// HKDF-SHA256 (RFC 5869), extract and expand.
core::Result<std::string> hkdf(std::string_view salt, std::string_view ikm, std::string_view info, std::size_t length) {
  std::unique_ptr<EVP_KDF, KdfFree> kdf(EVP_KDF_fetch(nullptr, "HKDF", nullptr));
  if (!kdf) return std::unexpected(invalid("HKDF unavailable"));
  std::unique_ptr<EVP_KDF_CTX, KdfCtxFree> ctx(EVP_KDF_CTX_new(kdf.get()));
  if (!ctx) return std::unexpected(invalid("HKDF unavailable"));
  char digest[] = "SHA256";
  std::array<OSSL_PARAM, 5> params{
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<char*>(ikm.data()), ikm.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<char*>(salt.data()), salt.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, const_cast<char*>(info.data()), info.size()),
      OSSL_PARAM_construct_end()};
  std::string out(length, '\0');
  if (EVP_KDF_derive(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), out.size(), params.data()) != 1) {
    return std::unexpected(invalid("HKDF failed"));
  }
  return out;
}

struct ContentKeys {
  std::string cek; //!< 16 bytes
  std::string nonce; //!< 12 bytes
};

// RFC 8291 §3.3-3.4 and RFC 8188 §2.2-2.3: from the ECDH secret to the record's key and nonce.
core::Result<ContentKeys> contentKeys(std::string_view ecdh_secret, std::string_view auth_secret,
                                      std::string_view ua_public, std::string_view as_public, std::string_view salt) {
  std::string key_info = "WebPush: info";
  key_info.push_back('\0');
  key_info.append(ua_public).append(as_public);
  auto ikm = hkdf(auth_secret, ecdh_secret, key_info, 32);
  if (!ikm) return std::unexpected(ikm.error());
  const std::string cek_info("Content-Encoding: aes128gcm\0", 28);
  const std::string nonce_info("Content-Encoding: nonce\0", 24);
  auto cek = hkdf(salt, *ikm, cek_info, 16);
  auto nonce = hkdf(salt, *ikm, nonce_info, 12);
  if (!cek || !nonce) return std::unexpected(invalid("HKDF failed"));
  return ContentKeys{std::move(*cek), std::move(*nonce)};
}

std::string randomBytes(std::size_t count) {
  std::string out(count, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(count)) != 1) out.clear();
  return out;
}

void appendUint32(std::string& out, std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((value >> shift) & 0xff));
}

} // namespace

bool validPublicKey(std::string_view point) {
  if (point.size() != kPublicKeyBytes || static_cast<unsigned char>(point[0]) != 0x04) return false;
  auto group = p256();
  std::unique_ptr<EC_POINT, PointFree> decoded(EC_POINT_new(group.get()));
  if (!group || !decoded) return false;
  return EC_POINT_oct2point(group.get(), decoded.get(), bytes(point), point.size(), nullptr) == 1 &&
         EC_POINT_is_on_curve(group.get(), decoded.get(), nullptr) == 1 &&
         EC_POINT_is_at_infinity(group.get(), decoded.get()) == 0;
}

core::Result<EcKeyPair> keyPairFromPrivate(std::string_view private_key) {
  if (private_key.size() != kPrivateKeyBytes) return std::unexpected(invalid("a P-256 private key is 32 bytes"));
  auto group = p256();
  std::unique_ptr<BIGNUM, BnFree> scalar(BN_bin2bn(bytes(private_key), static_cast<int>(private_key.size()), nullptr));
  if (!group || !scalar) return std::unexpected(invalid("bad P-256 private key"));
  if (BN_is_zero(scalar.get()) || BN_cmp(scalar.get(), EC_GROUP_get0_order(group.get())) >= 0) {
    return std::unexpected(invalid("bad P-256 private key"));
  }
  std::unique_ptr<EC_POINT, PointFree> point(EC_POINT_new(group.get()));
  if (!point || EC_POINT_mul(group.get(), point.get(), scalar.get(), nullptr, nullptr, nullptr) != 1) {
    return std::unexpected(invalid("bad P-256 private key"));
  }
  std::string public_key(kPublicKeyBytes, '\0');
  if (EC_POINT_point2oct(group.get(), point.get(), POINT_CONVERSION_UNCOMPRESSED,
                         reinterpret_cast<unsigned char*>(public_key.data()), public_key.size(),
                         nullptr) != kPublicKeyBytes) {
    return std::unexpected(invalid("bad P-256 private key"));
  }
  return EcKeyPair{std::string(private_key), std::move(public_key)};
}

core::Result<EcKeyPair> generateKeyPair() {
  Pkey key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  BIGNUM* raw = nullptr;
  if (!key || EVP_PKEY_get_bn_param(key.get(), OSSL_PKEY_PARAM_PRIV_KEY, &raw) != 1) {
    return core::fail(core::ErrorCode::kGeneral, "P-256 key generation failed");
  }
  std::unique_ptr<BIGNUM, BnFree> scalar(raw);
  std::string private_key(kPrivateKeyBytes, '\0');
  if (BN_bn2binpad(scalar.get(), reinterpret_cast<unsigned char*>(private_key.data()),
                   static_cast<int>(private_key.size())) != static_cast<int>(kPrivateKeyBytes)) {
    return core::fail(core::ErrorCode::kGeneral, "P-256 key generation failed");
  }
  return keyPairFromPrivate(private_key);
}

core::Result<std::string> encryptMessage(std::string_view plaintext, std::string_view ua_public,
                                         std::string_view auth_secret, const EcKeyPair& sender, std::string_view salt) {
  if (!validPublicKey(ua_public)) return std::unexpected(invalid("p256dh is not a P-256 public key"));
  if (auth_secret.size() != kAuthSecretBytes) return std::unexpected(invalid("auth is not 16 bytes"));
  if (salt.size() != kSaltBytes) return std::unexpected(invalid("salt is not 16 bytes"));
  if (plaintext.size() > kMaxPlaintextBytes) return std::unexpected(invalid("push payload too large"));
  auto secret = ecdh(sender, ua_public);
  if (!secret) return std::unexpected(secret.error());
  auto keys = contentKeys(*secret, auth_secret, ua_public, sender.public_key, salt);
  if (!keys) return std::unexpected(keys.error());

  std::string record(plaintext);
  record.push_back('\x02'); // the last (only) record's delimiter, no padding after it
  std::string out;
  out.reserve(kHeaderBytes + record.size() + kTagBytes);
  out.append(salt);
  appendUint32(out, kRecordSize);
  out.push_back(static_cast<char>(sender.public_key.size()));
  out.append(sender.public_key);

  std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree> ctx(EVP_CIPHER_CTX_new());
  int written = 0;
  std::string ciphertext(record.size(), '\0');
  int final_bytes = 0;
  std::array<unsigned char, kTagBytes> tag{};
  if (!ctx || EVP_EncryptInit_ex2(ctx.get(), EVP_aes_128_gcm(), bytes(keys->cek), bytes(keys->nonce), nullptr) != 1 ||
      EVP_EncryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(ciphertext.data()), &written, bytes(record),
                        static_cast<int>(record.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(ciphertext.data()) + written, &final_bytes) !=
          1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(tag.size()), tag.data()) != 1) {
    return core::fail(core::ErrorCode::kGeneral, "AES-128-GCM failed");
  }
  out.append(ciphertext.data(), static_cast<std::size_t>(written + final_bytes));
  out.append(reinterpret_cast<const char*>(tag.data()), tag.size());
  return out;
}

core::Result<std::string> encryptMessage(std::string_view plaintext, std::string_view ua_public,
                                         std::string_view auth_secret) {
  auto sender = generateKeyPair();
  if (!sender) return std::unexpected(sender.error());
  const std::string salt = randomBytes(kSaltBytes);
  if (salt.empty()) return core::fail(core::ErrorCode::kGeneral, "RAND_bytes failed");
  return encryptMessage(plaintext, ua_public, auth_secret, *sender, salt);
}

core::Result<std::string> decryptMessage(std::string_view body, const EcKeyPair& receiver,
                                         std::string_view auth_secret) {
  if (body.size() < kSaltBytes + 5) return std::unexpected(invalid("body shorter than its header"));
  const std::string_view salt = body.substr(0, kSaltBytes);
  std::uint32_t record_size = 0;
  for (std::size_t index = 0; index < 4; ++index)
    record_size = (record_size << 8) | static_cast<unsigned char>(body[kSaltBytes + index]);
  const std::size_t id_length = static_cast<unsigned char>(body[kSaltBytes + 4]);
  const std::size_t header = kSaltBytes + 5 + id_length;
  if (body.size() < header + kTagBytes + 1) return std::unexpected(invalid("body shorter than one record"));
  const std::string_view sender_public = body.substr(kSaltBytes + 5, id_length);
  const std::string_view record = body.substr(header);
  if (record.size() > record_size) return std::unexpected(invalid("more than one record"));
  if (!validPublicKey(sender_public)) return std::unexpected(invalid("keyid is not a P-256 public key"));
  auto secret = ecdh(receiver, sender_public);
  if (!secret) return std::unexpected(secret.error());
  auto keys = contentKeys(*secret, auth_secret, receiver.public_key, sender_public, salt);
  if (!keys) return std::unexpected(keys.error());
  const std::string_view ciphertext = record.substr(0, record.size() - kTagBytes);
  std::string tag(record.substr(record.size() - kTagBytes));
  std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree> ctx(EVP_CIPHER_CTX_new());
  std::string plain(ciphertext.size(), '\0');
  int written = 0;
  int final_bytes = 0;
  if (!ctx || EVP_DecryptInit_ex2(ctx.get(), EVP_aes_128_gcm(), bytes(keys->cek), bytes(keys->nonce), nullptr) != 1 ||
      EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()), &written, bytes(ciphertext),
                        static_cast<int>(ciphertext.size())) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(tag.size()), tag.data()) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()) + written, &final_bytes) != 1) {
    return std::unexpected(invalid("record fails authentication"));
  }
  plain.resize(static_cast<std::size_t>(written + final_bytes));
  // RFC 8188 §2: strip the padding back to the delimiter, which must be 0x02 in the last record.
  while (!plain.empty() && plain.back() == '\0')
    plain.pop_back();
  if (plain.empty() || plain.back() != '\x02') return std::unexpected(invalid("bad padding delimiter"));
  plain.pop_back();
  return plain;
}

std::string originOf(std::string_view url) {
  std::size_t scheme_end = 0;
  if (url.starts_with("https://")) {
    scheme_end = 8;
  } else if (url.starts_with("http://")) {
    scheme_end = 7;
  } else {
    return {};
  }
  const std::size_t authority_end = url.find_first_of("/?#", scheme_end);
  const std::string_view authority = url.substr(scheme_end, authority_end - scheme_end);
  if (authority.empty() || authority.find('@') != std::string_view::npos) return {};
  std::string origin(url.substr(0, scheme_end));
  for (const char letter : authority)
    origin.push_back(letter >= 'A' && letter <= 'Z' ? static_cast<char>(letter - 'A' + 'a') : letter);
  return origin;
}

core::Result<std::string> vapidJwt(const EcKeyPair& key, std::string_view audience, std::int64_t expires_at,
                                   std::string_view subject) {
  const std::string header = auth::base64UrlEncode(R"({"typ":"JWT","alg":"ES256"})");
  const std::string claims =
      auth::base64UrlEncode("{\"aud\":\"" + net::jsonEscape(audience) + "\",\"exp\":" + std::to_string(expires_at) +
                            ",\"sub\":\"" + net::jsonEscape(subject) + "\"}");
  const std::string signing_input = header + "." + claims;
  Pkey pkey = makeKey(key.public_key, key.private_key);
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  std::size_t der_length = 0;
  if (!pkey || !ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, pkey.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &der_length, bytes(signing_input), signing_input.size()) != 1) {
    return core::fail(core::ErrorCode::kGeneral, "ES256 signing failed");
  }
  std::vector<unsigned char> der(der_length);
  if (EVP_DigestSign(ctx.get(), der.data(), &der_length, bytes(signing_input), signing_input.size()) != 1) {
    return core::fail(core::ErrorCode::kGeneral, "ES256 signing failed");
  }
  const unsigned char* cursor = der.data();
  std::unique_ptr<ECDSA_SIG, SigFree> sig(d2i_ECDSA_SIG(nullptr, &cursor, static_cast<long>(der_length)));
  if (!sig) return core::fail(core::ErrorCode::kGeneral, "ES256 signing failed");
  // JOSE wants r || s, each left-padded to 32 bytes (RFC 7518 §3.4), not DER.
  std::string raw(64, '\0');
  auto* out = reinterpret_cast<unsigned char*>(raw.data());
  if (BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), out, 32) != 32 ||
      BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), out + 32, 32) != 32) {
    return core::fail(core::ErrorCode::kGeneral, "ES256 signing failed");
  }
  return signing_input + "." + auth::base64UrlEncode(raw);
}

std::string vapidAuthorization(std::string_view jwt, std::string_view public_key) {
  return "vapid t=" + std::string(jwt) + ", k=" + auth::base64UrlEncode(public_key);
}

bool verifyEs256Jwt(std::string_view jwt, std::string_view public_key) {
  const std::size_t last_dot = jwt.rfind('.');
  if (last_dot == std::string_view::npos) return false;
  std::string raw;
  if (!auth::base64UrlDecode(jwt.substr(last_dot + 1), raw) || raw.size() != 64) return false;
  std::unique_ptr<ECDSA_SIG, SigFree> sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(bytes(raw), 32, nullptr);
  BIGNUM* s = BN_bin2bn(bytes(raw) + 32, 32, nullptr);
  if (!sig || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return false;
  }
  unsigned char* der = nullptr;
  const int der_length = i2d_ECDSA_SIG(sig.get(), &der);
  if (der_length <= 0) return false;
  std::unique_ptr<unsigned char, decltype([](unsigned char* p) { OPENSSL_free(p); })> der_owner(der);
  Pkey pkey = makeKey(public_key, {});
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  const std::string_view signing_input = jwt.substr(0, last_dot);
  return pkey && ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, pkey.get()) == 1 &&
         EVP_DigestVerify(ctx.get(), der, static_cast<std::size_t>(der_length), bytes(signing_input),
                          signing_input.size()) == 1;
}

} // namespace hearth::push
