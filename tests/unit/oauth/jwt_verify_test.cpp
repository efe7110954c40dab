// ID token verification against keys made here with OpenSSL: good RS256 and ES256 tokens pass;
// every forgery, mismatch and algorithm trick is refused.
#include "oauth/jwt_verify.hpp"

#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "auth/tokens.hpp"

namespace hearth::oauth {
namespace {

namespace json = boost::json;
using auth::base64UrlEncode;

constexpr std::int64_t kNow = 1'700'000'000;
const std::string kIssuer = "https://id.example.org";
const std::string kClient = "hearth-client";
const std::string kNonce = "n-0S6_WzA2Mj";

using Key = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

Key rsaKey(int bits = 2048) {
  return {EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(bits)), EVP_PKEY_free};
}
Key p256Key() { return {EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"), EVP_PKEY_free}; }

std::string bnParam(EVP_PKEY* key, const char* name) {
  BIGNUM* bn = nullptr;
  EXPECT_EQ(EVP_PKEY_get_bn_param(key, name, &bn), 1);
  std::string out(static_cast<std::size_t>(BN_num_bytes(bn)), '\0');
  BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));
  BN_free(bn);
  return out;
}

std::string ecPoint(EVP_PKEY* key) {
  std::string point(65, '\0');
  std::size_t length = 0;
  EXPECT_EQ(EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY,
                                            reinterpret_cast<unsigned char*>(point.data()), point.size(), &length),
            1);
  EXPECT_EQ(length, 65u);
  return point;
}

json::object rsaJwk(EVP_PKEY* key, std::string kid) {
  return {{"kty", "RSA"},
          {"kid", kid},
          {"use", "sig"},
          {"alg", "RS256"},
          {"n", base64UrlEncode(bnParam(key, OSSL_PKEY_PARAM_RSA_N))},
          {"e", base64UrlEncode(bnParam(key, OSSL_PKEY_PARAM_RSA_E))}};
}

json::object ecJwk(EVP_PKEY* key, std::string kid) {
  const std::string point = ecPoint(key);
  return {{"kty", "EC"},
          {"kid", kid},
          {"crv", "P-256"},
          {"x", base64UrlEncode(point.substr(1, 32))},
          {"y", base64UrlEncode(point.substr(33, 32))}};
}

Jwks jwksOf(std::initializer_list<json::object> keys) {
  json::array list;
  for (const auto& key : keys)
    list.push_back(key);
  const json::object doc{{"keys", list}};
  auto parsed = parseJwks(json::serialize(doc));
  EXPECT_TRUE(parsed.has_value());
  return parsed.value_or(Jwks{});
}

std::string sign(EVP_PKEY* key, std::string_view input, bool ecdsa) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EXPECT_EQ(EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key), 1);
  std::size_t length = 0;
  const auto* data = reinterpret_cast<const unsigned char*>(input.data());
  EXPECT_EQ(EVP_DigestSign(ctx.get(), nullptr, &length, data, input.size()), 1);
  std::string signature(length, '\0');
  EXPECT_EQ(EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length, data, input.size()),
            1);
  signature.resize(length);
  if (!ecdsa) return signature;
  // DER → the JOSE form R || S.
  const auto* der = reinterpret_cast<const unsigned char*>(signature.data());
  ECDSA_SIG* parsed = d2i_ECDSA_SIG(nullptr, &der, static_cast<long>(signature.size()));
  std::string raw(64, '\0');
  BN_bn2binpad(ECDSA_SIG_get0_r(parsed), reinterpret_cast<unsigned char*>(raw.data()), 32);
  BN_bn2binpad(ECDSA_SIG_get0_s(parsed), reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
  ECDSA_SIG_free(parsed);
  return raw;
}

json::object goodClaims() {
  return {{"iss", kIssuer},        {"aud", kClient},         {"sub", "248289761001"},
          {"nonce", kNonce},       {"iat", kNow - 5},        {"exp", kNow + 300},
          {"email", "ada@ex.org"}, {"email_verified", true}, {"preferred_username", "ada"},
          {"name", "Ada Lovelace"}};
}

std::string encodePart(const json::object& object) { return base64UrlEncode(json::serialize(object)); }

std::string token(EVP_PKEY* key, const json::object& header, const json::object& claims) {
  const std::string input = encodePart(header) + "." + encodePart(claims);
  const bool ecdsa = header.at("alg").as_string() == "ES256";
  return input + "." + base64UrlEncode(sign(key, input, ecdsa));
}

IdTokenCheck check() { return IdTokenCheck{kIssuer, kClient, kNonce, kNow, 60}; }

class JwtVerifyTest : public ::testing::Test {
protected:
  Key rsa_ = rsaKey();
  Key ec_ = p256Key();
  Key other_rsa_ = rsaKey();
  Jwks jwks_ = jwksOf({rsaJwk(rsa_.get(), "rsa-1"), ecJwk(ec_.get(), "ec-1")});

  std::string rs256(const json::object& claims, std::string kid = "rsa-1") {
    return token(rsa_.get(), {{"alg", "RS256"}, {"kid", kid}, {"typ", "JWT"}}, claims);
  }
  std::string refusal(std::string_view id_token) {
    auto result = verifyIdToken(id_token, jwks_, check());
    EXPECT_FALSE(result.has_value());
    if (result) return {};
    EXPECT_EQ(result.error().code, core::ErrorCode::kUnauthorized);
    return result.error().message;
  }
};

TEST_F(JwtVerifyTest, AcceptsAGoodRs256Token) {
  auto claims = verifyIdToken(rs256(goodClaims()), jwks_, check());
  ASSERT_TRUE(claims.has_value()) << claims.error().message;
  EXPECT_EQ(claims->subject, "248289761001");
  EXPECT_EQ(claims->email, "ada@ex.org");
  EXPECT_TRUE(claims->email_verified);
  EXPECT_EQ(claims->preferred_username, "ada");
  EXPECT_EQ(claims->name, "Ada Lovelace");
  EXPECT_EQ(claims->expires_at, kNow + 300);
}

TEST_F(JwtVerifyTest, AcceptsAGoodEs256Token) {
  const auto id_token = token(ec_.get(), {{"alg", "ES256"}, {"kid", "ec-1"}}, goodClaims());
  auto claims = verifyIdToken(id_token, jwks_, check());
  ASSERT_TRUE(claims.has_value()) << claims.error().message;
  EXPECT_EQ(claims->subject, "248289761001");
}

TEST_F(JwtVerifyTest, RefusesASignatureByAnotherKey) {
  const auto forged = token(other_rsa_.get(), {{"alg", "RS256"}, {"kid", "rsa-1"}}, goodClaims());
  EXPECT_EQ(refusal(forged), "signature does not verify");
  const auto other_ec = p256Key();
  const auto forged_ec = token(other_ec.get(), {{"alg", "ES256"}, {"kid", "ec-1"}}, goodClaims());
  EXPECT_EQ(refusal(forged_ec), "signature does not verify");
}

TEST_F(JwtVerifyTest, RefusesATamperedPayload) {
  const auto genuine = rs256(goodClaims());
  auto claims = goodClaims();
  claims["sub"] = "1";
  const auto first_dot = genuine.find('.');
  const auto second_dot = genuine.rfind('.');
  const auto tampered = genuine.substr(0, first_dot + 1) + encodePart(claims) + genuine.substr(second_dot);
  EXPECT_EQ(refusal(tampered), "signature does not verify");
  // One flipped signature bit.
  auto flipped = genuine;
  flipped[flipped.size() - 5] = flipped[flipped.size() - 5] == 'A' ? 'B' : 'A';
  EXPECT_EQ(refusal(flipped), "signature does not verify");
}

TEST_F(JwtVerifyTest, RefusesAWrongIssuer) {
  auto claims = goodClaims();
  claims["iss"] = "https://id.example.org/";
  EXPECT_NE(refusal(rs256(claims)).find("iss"), std::string::npos);
  claims.erase("iss");
  EXPECT_NE(refusal(rs256(claims)).find("iss"), std::string::npos);
}

TEST_F(JwtVerifyTest, RefusesAWrongAudienceAndChecksAzp) {
  auto claims = goodClaims();
  claims["aud"] = "someone-else";
  EXPECT_EQ(refusal(rs256(claims)), "aud does not name this client");
  claims["aud"] = json::array{"someone-else", "another"};
  EXPECT_EQ(refusal(rs256(claims)), "aud does not name this client");
  claims["aud"] = json::array{kClient, "another"};
  EXPECT_EQ(refusal(rs256(claims)), "azp does not name this client");
  claims["azp"] = "another";
  EXPECT_EQ(refusal(rs256(claims)), "azp does not name this client");
  claims["azp"] = kClient;
  EXPECT_TRUE(verifyIdToken(rs256(claims), jwks_, check()).has_value());
  claims["aud"] = json::array{kClient};
  claims.erase("azp");
  EXPECT_TRUE(verifyIdToken(rs256(claims), jwks_, check()).has_value());
}

TEST_F(JwtVerifyTest, RefusesAnExpiredTokenBeyondTheLeeway) {
  auto claims = goodClaims();
  claims["exp"] = kNow - 61;
  EXPECT_EQ(refusal(rs256(claims)), "token expired");
  claims["exp"] = kNow - 59; // within the 60 s allowed for clock skew
  EXPECT_TRUE(verifyIdToken(rs256(claims), jwks_, check()).has_value());
  claims.erase("exp");
  EXPECT_EQ(refusal(rs256(claims)), "exp is missing");
  claims["exp"] = "soon";
  EXPECT_EQ(refusal(rs256(claims)), "exp is missing");
}

TEST_F(JwtVerifyTest, RefusesTokensFromTheFuture) {
  auto claims = goodClaims();
  claims["iat"] = kNow + 120;
  EXPECT_EQ(refusal(rs256(claims)), "token issued in the future");
  claims["iat"] = kNow;
  claims["nbf"] = kNow + 120;
  EXPECT_EQ(refusal(rs256(claims)), "token not valid yet");
  claims.erase("nbf");
  claims.erase("iat");
  EXPECT_EQ(refusal(rs256(claims)), "iat is missing");
}

TEST_F(JwtVerifyTest, RefusesANonceMismatch) {
  auto claims = goodClaims();
  claims["nonce"] = "another-flow";
  EXPECT_EQ(refusal(rs256(claims)), "nonce mismatch");
  claims.erase("nonce");
  EXPECT_EQ(refusal(rs256(claims)), "nonce mismatch");
}

TEST_F(JwtVerifyTest, RefusesAlgNone) {
  const std::string input = encodePart({{"alg", "none"}, {"kid", "rsa-1"}}) + "." + encodePart(goodClaims());
  EXPECT_EQ(refusal(input + "."), "algorithm \"none\" is not accepted");
  const auto genuine = rs256(goodClaims());
  EXPECT_EQ(refusal(input + genuine.substr(genuine.rfind('.'))), "algorithm \"none\" is not accepted");
  EXPECT_EQ(refusal(encodePart({{"kid", "rsa-1"}}) + "." + encodePart(goodClaims()) + "."), "header has no alg");
}

TEST_F(JwtVerifyTest, RefusesHs256KeyedWithThePublicKey) {
  // The classic confusion: an HMAC whose secret is the RSA public key, as a verifier that lets
  // the token pick the algorithm would check it.
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  ASSERT_EQ(PEM_write_bio_PUBKEY(bio.get(), rsa_.get()), 1);
  char* pem_data = nullptr;
  const long pem_length = BIO_get_mem_data(bio.get(), &pem_data);
  const std::string pem(pem_data, static_cast<std::size_t>(pem_length));
  const std::string input = encodePart({{"alg", "HS256"}, {"kid", "rsa-1"}}) + "." + encodePart(goodClaims());
  unsigned char mac[32];
  unsigned int mac_length = 0;
  HMAC(EVP_sha256(), pem.data(), static_cast<int>(pem.size()), reinterpret_cast<const unsigned char*>(input.data()),
       input.size(), mac, &mac_length);
  const std::string forged =
      input + "." + base64UrlEncode({reinterpret_cast<const char*>(mac), static_cast<std::size_t>(mac_length)});
  EXPECT_EQ(refusal(forged), "algorithm \"HS256\" is not accepted");
}

TEST_F(JwtVerifyTest, PinsTheAlgorithmToTheKey) {
  // An ES256 header naming the RSA key, and the reverse: the key decides, not the token.
  const auto ec_signed = token(ec_.get(), {{"alg", "ES256"}, {"kid", "rsa-1"}}, goodClaims());
  EXPECT_EQ(refusal(ec_signed), "key \"rsa-1\" is RS256, the token says ES256");
  const auto rsa_signed = token(rsa_.get(), {{"alg", "RS256"}, {"kid", "ec-1"}}, goodClaims());
  EXPECT_EQ(refusal(rsa_signed), "key \"ec-1\" is ES256, the token says RS256");
  // A JWKS entry that states another algorithm is not used at all.
  auto ps256 = rsaJwk(rsa_.get(), "ps");
  ps256["alg"] = "PS256";
  EXPECT_TRUE(jwksOf({ps256}).keys.empty());
  EXPECT_EQ(refusal(token(rsa_.get(), {{"alg", "PS256"}, {"kid", "ps"}}, goodClaims())),
            "algorithm \"PS256\" is not accepted");
}

TEST_F(JwtVerifyTest, RefusesAnUnknownKeyId) {
  const auto id_token = rs256(goodClaims(), "rotated-away");
  EXPECT_EQ(jwsKeyId(id_token), "rotated-away");
  EXPECT_FALSE(jwks_.hasKey("rotated-away"));
  EXPECT_TRUE(jwks_.hasKey("rsa-1"));
  EXPECT_EQ(refusal(id_token), "unknown key id \"rotated-away\"");
}

TEST_F(JwtVerifyTest, WithoutKidUsesTheOnlyKeyThatFits) {
  const auto id_token = token(rsa_.get(), {{"alg", "RS256"}}, goodClaims());
  EXPECT_EQ(jwsKeyId(id_token), std::nullopt);
  EXPECT_TRUE(verifyIdToken(id_token, jwks_, check()).has_value());
  const Jwks two_rsa = jwksOf({rsaJwk(rsa_.get(), "a"), rsaJwk(other_rsa_.get(), "b")});
  auto ambiguous = verifyIdToken(id_token, two_rsa, check());
  ASSERT_FALSE(ambiguous.has_value());
  EXPECT_EQ(ambiguous.error().message, "no kid and several keys fit");
}

TEST_F(JwtVerifyTest, RefusesCriticalHeadersAndMalformedTokens) {
  EXPECT_EQ(
      refusal(token(rsa_.get(), {{"alg", "RS256"}, {"kid", "rsa-1"}, {"crit", json::array{"exp"}}}, goodClaims())),
      "header has critical extensions");
  const auto genuine = rs256(goodClaims());
  EXPECT_EQ(refusal(""), "not a compact JWS");
  EXPECT_EQ(refusal("abc"), "not a compact JWS");
  EXPECT_EQ(refusal(genuine + ".extra"), "not a compact JWS");
  EXPECT_EQ(refusal("!!!." + genuine.substr(genuine.find('.') + 1)), "header is not base64url");
  EXPECT_EQ(refusal(base64UrlEncode("[1]") + "." + genuine.substr(genuine.find('.') + 1)),
            "header is not a JSON object");
  auto claims = goodClaims();
  claims["sub"] = "";
  EXPECT_EQ(refusal(rs256(claims)), "sub is missing or too long");
  claims["sub"] = std::string(256, 'x');
  EXPECT_EQ(refusal(rs256(claims)), "sub is missing or too long");
  EXPECT_EQ(refusal(std::string(70000, 'a') + ".b.c"), "token too long");
}

TEST_F(JwtVerifyTest, RefusesEcdsaSignaturesInDerForm) {
  // JOSE wants R || S; a DER signature (what OpenSSL makes) must not be accepted as well.
  const std::string input = encodePart({{"alg", "ES256"}, {"kid", "ec-1"}}) + "." + encodePart(goodClaims());
  const std::string der = sign(ec_.get(), input, false);
  EXPECT_EQ(refusal(input + "." + base64UrlEncode(der)), "signature does not verify");
}

TEST(JwksTest, SkipsKeysItCannotUse) {
  const Key small = rsaKey(1024);
  const Key good = rsaKey();
  const Key ec = p256Key();
  auto encryption = rsaJwk(good.get(), "enc");
  encryption["use"] = "enc";
  auto secp384 = ecJwk(ec.get(), "p384");
  secp384["crv"] = "P-384";
  auto off_curve = ecJwk(ec.get(), "off-curve");
  std::string y = ecPoint(ec.get()).substr(33, 32);
  y[31] = static_cast<char>(y[31] ^ 1);
  off_curve["y"] = base64UrlEncode(y);
  auto ec_as_rs = ecJwk(ec.get(), "ec-rs");
  ec_as_rs["alg"] = "RS256";
  auto broken = rsaJwk(good.get(), "broken");
  broken["n"] = "not base64url!";
  const json::object symmetric{{"kty", "oct"}, {"kid", "hmac"}, {"k", "c2VjcmV0"}};
  const Jwks jwks = jwksOf({rsaJwk(small.get(), "small"), encryption, secp384, off_curve, ec_as_rs, broken, symmetric,
                            rsaJwk(good.get(), "good"), ecJwk(ec.get(), "ec")});
  ASSERT_EQ(jwks.keys.size(), 2u);
  EXPECT_EQ(jwks.keys[0].kid, "good");
  EXPECT_EQ(jwks.keys[0].alg, "RS256");
  EXPECT_EQ(jwks.keys[1].kid, "ec");
  EXPECT_EQ(jwks.keys[1].alg, "ES256");
}

TEST(JwksTest, RefusesDocumentsWithoutKeys) {
  for (const std::string_view doc : {"", "not json", "[]", "{}", R"({"keys": {}})", R"({"keys": [1, "x"]} trailing)"}) {
    auto parsed = parseJwks(doc);
    EXPECT_FALSE(parsed.has_value()) << doc;
  }
  auto empty = parseJwks(R"({"keys": [1, "x", null, {}]})");
  ASSERT_TRUE(empty.has_value());
  EXPECT_TRUE(empty->keys.empty());
}

} // namespace
} // namespace hearth::oauth
