#include "oauth/jwt_verify.hpp"

#include <cmath>
#include <limits>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <fmt/format.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "auth/tokens.hpp"
#include "net/json_body.hpp"

namespace hearth::oauth {

namespace json = boost::json;

namespace {

constexpr std::size_t kMaxTokenBytes = 64 * 1024;
constexpr std::size_t kMaxKeys = 100; // a JWKS holds a handful; more is not a key set we trust
constexpr int kMinRsaBits = 2048;
constexpr std::size_t kMaxRsaModulusBytes = 1024; // 8192 bits
constexpr std::size_t kMaxSubjectBytes = 255; // OpenID Connect Core §2

struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* ctx) const noexcept { EVP_PKEY_CTX_free(ctx); }
};
struct BnFree {
  void operator()(BIGNUM* bn) const noexcept { BN_free(bn); }
};
struct ParamBldFree {
  void operator()(OSSL_PARAM_BLD* bld) const noexcept { OSSL_PARAM_BLD_free(bld); }
};
struct ParamFree {
  void operator()(OSSL_PARAM* params) const noexcept { OSSL_PARAM_free(params); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const noexcept { EVP_MD_CTX_free(ctx); }
};
struct EcdsaSigFree {
  void operator()(ECDSA_SIG* sig) const noexcept { ECDSA_SIG_free(sig); }
};

std::unexpected<core::Error> refuse(std::string reason) {
  return core::fail(core::ErrorCode::kUnauthorized, std::move(reason));
}

const unsigned char* bytes(std::string_view text) { return reinterpret_cast<const unsigned char*>(text.data()); }

std::shared_ptr<EVP_PKEY> ownKey(EVP_PKEY* key) { return {key, EVP_PKEY_free}; }

// A string member, or empty when absent or of another type.
std::string_view stringMember(const json::object& object, std::string_view name) {
  const auto* value = object.if_contains(name);
  if (value == nullptr || !value->is_string()) return {};
  return value->get_string();
}

bool decodeMember(const json::object& object, std::string_view name, std::string& out) {
  const std::string_view text = stringMember(object, name);
  return !text.empty() && auth::base64UrlDecode(text, out);
}

std::shared_ptr<EVP_PKEY> keyFromParams(const char* type, OSSL_PARAM* params) {
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* key = nullptr;
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params) != 1) {
    return nullptr;
  }
  auto owned = ownKey(key);
  // Refuses points off the curve and RSA moduli that are not odd, and so on.
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> check(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) return nullptr;
  return owned;
}

std::shared_ptr<EVP_PKEY> rsaKey(const std::string& modulus, const std::string& exponent) {
  if (modulus.empty() || modulus.size() > kMaxRsaModulusBytes || exponent.empty() || exponent.size() > 8)
    return nullptr;
  std::unique_ptr<BIGNUM, BnFree> n(BN_bin2bn(bytes(modulus), static_cast<int>(modulus.size()), nullptr));
  std::unique_ptr<BIGNUM, BnFree> e(BN_bin2bn(bytes(exponent), static_cast<int>(exponent.size()), nullptr));
  if (!n || !e || BN_num_bits(n.get()) < kMinRsaBits) return nullptr;
  std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree> builder(OSSL_PARAM_BLD_new());
  if (!builder || OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1) {
    return nullptr;
  }
  std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(builder.get()));
  if (!params) return nullptr;
  return keyFromParams("RSA", params.get());
}

std::shared_ptr<EVP_PKEY> p256Key(const std::string& x, const std::string& y) {
  if (x.size() != 32 || y.size() != 32) return nullptr;
  std::string point = "\x04" + x + y; // uncompressed SEC 1 encoding
  char group[] = "prime256v1";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()),
      OSSL_PARAM_construct_end(),
  };
  return keyFromParams("EC", params);
}

// One JWKS entry as a usable key, or nullopt to skip it.
std::optional<Jwk> parseKey(const json::value& entry) {
  if (!entry.is_object()) return std::nullopt;
  const auto& object = entry.get_object();
  const std::string_view use = stringMember(object, "use");
  if (object.contains("use") && use != "sig") return std::nullopt;
  const std::string_view kty = stringMember(object, "kty");
  const std::string_view alg = stringMember(object, "alg");
  if (object.contains("alg") && alg != "RS256" && alg != "ES256") return std::nullopt;
  Jwk key;
  key.kid = std::string(stringMember(object, "kid"));
  if (kty == "RSA") {
    if (!alg.empty() && alg != "RS256") return std::nullopt;
    std::string modulus;
    std::string exponent;
    if (!decodeMember(object, "n", modulus) || !decodeMember(object, "e", exponent)) return std::nullopt;
    key.alg = "RS256";
    key.key = rsaKey(modulus, exponent);
  } else if (kty == "EC") {
    if ((!alg.empty() && alg != "ES256") || stringMember(object, "crv") != "P-256") return std::nullopt;
    std::string x;
    std::string y;
    if (!decodeMember(object, "x", x) || !decodeMember(object, "y", y)) return std::nullopt;
    key.alg = "ES256";
    key.key = p256Key(x, y);
  }
  ERR_clear_error();
  if (!key.key) return std::nullopt;
  return key;
}

// A JOSE ECDSA signature is R || S (RFC 7518 §3.4); OpenSSL wants DER.
std::optional<std::string> ecdsaToDer(std::string_view raw) {
  if (raw.size() != 64) return std::nullopt;
  std::unique_ptr<ECDSA_SIG, EcdsaSigFree> sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(bytes(raw.substr(0, 32)), 32, nullptr);
  BIGNUM* s = BN_bin2bn(bytes(raw.substr(32)), 32, nullptr);
  if (!sig || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return std::nullopt;
  }
  const int length = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (length <= 0) return std::nullopt;
  std::string der(static_cast<std::size_t>(length), '\0');
  auto* out = reinterpret_cast<unsigned char*>(der.data());
  if (i2d_ECDSA_SIG(sig.get(), &out) != length) return std::nullopt;
  return der;
}

bool signatureValid(const Jwk& key, std::string_view signing_input, std::string_view signature) {
  std::string der;
  if (key.alg == "ES256") {
    auto converted = ecdsaToDer(signature);
    if (!converted) return false;
    der = std::move(*converted);
    signature = der;
  }
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  const bool valid =
      ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.key.get()) == 1 &&
      EVP_DigestVerify(ctx.get(), bytes(signature), signature.size(), bytes(signing_input), signing_input.size()) == 1;
  ERR_clear_error(); // a failed check leaves entries on this thread's error queue
  return valid;
}

std::optional<std::int64_t> numericDate(const json::object& object, std::string_view name) {
  const auto* value = object.if_contains(name);
  if (value == nullptr) return std::nullopt;
  if (value->is_int64()) return value->get_int64();
  if (value->is_uint64()) {
    if (value->get_uint64() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return std::nullopt;
    return static_cast<std::int64_t>(value->get_uint64());
  }
  if (value->is_double()) {
    const double seconds = value->get_double();
    if (!std::isfinite(seconds) || seconds < 0 || seconds > 1e15) return std::nullopt;
    return static_cast<std::int64_t>(seconds);
  }
  return std::nullopt;
}

struct CompactJws {
  std::string_view signing_input;
  json::object header;
  json::object payload;
  std::string signature;
};

core::Result<json::object> decodeJsonPart(std::string_view part, std::string_view what) {
  std::string decoded;
  if (!auth::base64UrlDecode(part, decoded)) return refuse(fmt::format("{} is not base64url", what));
  auto parsed = net::parseJson(decoded);
  if (!parsed || !parsed->is_object()) return refuse(fmt::format("{} is not a JSON object", what));
  return std::move(parsed->get_object());
}

core::Result<CompactJws> splitJws(std::string_view token) {
  if (token.size() > kMaxTokenBytes) return refuse("token too long");
  const auto first = token.find('.');
  const auto second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    return refuse("not a compact JWS");
  }
  CompactJws jws;
  jws.signing_input = token.substr(0, second);
  auto header = decodeJsonPart(token.substr(0, first), "header");
  if (!header) return std::unexpected(header.error());
  jws.header = std::move(*header);
  auto payload = decodeJsonPart(token.substr(first + 1, second - first - 1), "payload");
  if (!payload) return std::unexpected(payload.error());
  jws.payload = std::move(*payload);
  if (!auth::base64UrlDecode(token.substr(second + 1), jws.signature)) return refuse("signature is not base64url");
  return jws;
}

core::Result<const Jwk*> selectKey(const json::object& header, const Jwks& jwks) {
  const auto* alg_value = header.if_contains("alg");
  if (alg_value == nullptr || !alg_value->is_string()) return refuse("header has no alg");
  const std::string_view alg = alg_value->get_string();
  if (alg != "RS256" && alg != "ES256") return refuse(fmt::format("algorithm {:?} is not accepted", alg));
  if (header.contains("crit")) return refuse("header has critical extensions");
  const auto* kid_value = header.if_contains("kid");
  if (kid_value != nullptr) {
    if (!kid_value->is_string()) return refuse("kid is not a string");
    const std::string_view kid = kid_value->get_string();
    for (const auto& key : jwks.keys) {
      if (key.kid != kid) continue;
      if (key.alg != alg) return refuse(fmt::format("key {:?} is {}, the token says {}", kid, key.alg, alg));
      return &key;
    }
    return refuse(fmt::format("unknown key id {:?}", kid));
  }
  const Jwk* only = nullptr;
  for (const auto& key : jwks.keys) {
    if (key.alg != alg) continue;
    if (only != nullptr) return refuse("no kid and several keys fit");
    only = &key;
  }
  if (only == nullptr) return refuse(fmt::format("no {} key in the JWKS", alg));
  return only;
}

bool audienceHas(const json::value& aud, std::string_view client_id, std::size_t& count) {
  if (aud.is_string()) {
    count = 1;
    return aud.get_string() == client_id;
  }
  if (!aud.is_array()) return false;
  count = aud.get_array().size();
  bool found = false;
  for (const auto& entry : aud.get_array()) {
    if (entry.is_string() && entry.get_string() == client_id) found = true;
  }
  return found;
}

bool sameBytes(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

} // namespace

bool Jwks::hasKey(std::string_view kid) const noexcept {
  for (const auto& key : keys) {
    if (key.kid == kid) return true;
  }
  return false;
}

core::Result<Jwks> parseJwks(std::string_view text) {
  auto parsed = net::parseJson(text);
  if (!parsed) return core::fail(core::ErrorCode::kInvalidFormBody, "JWKS is not JSON: " + parsed.error().message);
  const auto* root = parsed->if_object();
  const auto* keys = root == nullptr ? nullptr : root->if_contains("keys");
  if (keys == nullptr || !keys->is_array()) return core::fail(core::ErrorCode::kInvalidFormBody, "JWKS has no keys");
  Jwks jwks;
  for (const auto& entry : keys->get_array()) {
    if (jwks.keys.size() == kMaxKeys) break;
    if (auto key = parseKey(entry)) jwks.keys.push_back(std::move(*key));
  }
  return jwks;
}

std::optional<std::string> jwsKeyId(std::string_view token) {
  const auto dot = token.find('.');
  if (dot == std::string_view::npos || token.size() > kMaxTokenBytes) return std::nullopt;
  auto header = decodeJsonPart(token.substr(0, dot), "header");
  if (!header) return std::nullopt;
  const std::string_view kid = stringMember(*header, "kid");
  if (kid.empty()) return std::nullopt;
  return std::string(kid);
}

core::Result<IdTokenClaims> verifyIdToken(std::string_view token, const Jwks& jwks, const IdTokenCheck& check) {
  auto jws = splitJws(token);
  if (!jws) return std::unexpected(jws.error());
  auto key = selectKey(jws->header, jwks);
  if (!key) return std::unexpected(key.error());
  if (!signatureValid(**key, jws->signing_input, jws->signature)) return refuse("signature does not verify");

  const auto& claims = jws->payload;
  if (const std::string_view iss = stringMember(claims, "iss"); iss != check.issuer) {
    return refuse(fmt::format("iss {:?} is not {:?}", iss, check.issuer));
  }
  const auto* aud = claims.if_contains("aud");
  std::size_t audiences = 0;
  if (aud == nullptr || !audienceHas(*aud, check.client_id, audiences)) return refuse("aud does not name this client");
  // Core §3.1.3.7 items 4-5: with several audiences, azp must name us.
  if ((audiences > 1 || claims.contains("azp")) && stringMember(claims, "azp") != check.client_id) {
    return refuse("azp does not name this client");
  }
  const auto expires_at = numericDate(claims, "exp");
  if (!expires_at) return refuse("exp is missing");
  if (check.now > *expires_at + check.leeway_seconds) return refuse("token expired");
  const auto issued_at = numericDate(claims, "iat");
  if (!issued_at) return refuse("iat is missing");
  if (*issued_at > check.now + check.leeway_seconds) return refuse("token issued in the future");
  if (const auto not_before = numericDate(claims, "nbf");
      not_before && *not_before > check.now + check.leeway_seconds) {
    return refuse("token not valid yet");
  }
  if (claims.contains("nbf") && !numericDate(claims, "nbf")) return refuse("nbf is not a date");
  if (!sameBytes(stringMember(claims, "nonce"), check.nonce) || check.nonce.empty()) return refuse("nonce mismatch");

  IdTokenClaims result;
  result.subject = std::string(stringMember(claims, "sub"));
  if (result.subject.empty() || result.subject.size() > kMaxSubjectBytes) return refuse("sub is missing or too long");
  result.email = std::string(stringMember(claims, "email"));
  if (const auto* verified = claims.if_contains("email_verified")) {
    // Some providers send the string "true".
    result.email_verified =
        (verified->is_bool() && verified->get_bool()) || (verified->is_string() && verified->get_string() == "true");
  }
  result.preferred_username = std::string(stringMember(claims, "preferred_username"));
  result.name = std::string(stringMember(claims, "name"));
  result.expires_at = *expires_at;
  return result;
}

} // namespace hearth::oauth
