#include "push/web_push_crypto.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "auth/tokens.hpp"

namespace hearth::push {
namespace {

std::string b64(std::string_view text) {
  std::string out;
  EXPECT_TRUE(auth::base64UrlDecode(text, out)) << text;
  return out;
}

// RFC 8291 Appendix A: the user agent's and the application server's keys, the salt and auth
// secret, and the resulting body.
constexpr std::string_view kPlaintext = "When I grow up, I want to be a watermelon";
constexpr std::string_view kAsPrivate = "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw";
constexpr std::string_view kAsPublic =
    "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8";
constexpr std::string_view kUaPrivate = "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94";
constexpr std::string_view kUaPublic =
    "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
constexpr std::string_view kSalt = "DGv6ra1nlYgDCS1FRnbzlw";
constexpr std::string_view kAuthSecret = "BTBZMqHH6r4Tts7J_aSIgg";
constexpr std::string_view kBody = "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27ml"
                                   "mlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPT"
                                   "pK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN";

TEST(WebPushCrypto, KeyPairFromPrivateRecomputesThePublicPoint) {
  auto sender = keyPairFromPrivate(b64(kAsPrivate));
  ASSERT_TRUE(sender) << sender.error().message;
  EXPECT_EQ(auth::base64UrlEncode(sender->public_key), kAsPublic);
}

TEST(WebPushCrypto, EncryptsRfc8291AppendixAByteForByte) {
  auto sender = keyPairFromPrivate(b64(kAsPrivate));
  ASSERT_TRUE(sender);
  auto body = encryptMessage(kPlaintext, b64(kUaPublic), b64(kAuthSecret), *sender, b64(kSalt));
  ASSERT_TRUE(body) << body.error().message;
  EXPECT_EQ(auth::base64UrlEncode(*body), kBody);
}

TEST(WebPushCrypto, DecryptsRfc8291AppendixA) {
  auto receiver = keyPairFromPrivate(b64(kUaPrivate));
  ASSERT_TRUE(receiver);
  EXPECT_EQ(auth::base64UrlEncode(receiver->public_key), kUaPublic);
  auto plain = decryptMessage(b64(kBody), *receiver, b64(kAuthSecret));
  ASSERT_TRUE(plain) << plain.error().message;
  EXPECT_EQ(*plain, kPlaintext);
}

TEST(WebPushCrypto, FreshKeysRoundTripAndTamperingFails) {
  auto receiver = generateKeyPair();
  ASSERT_TRUE(receiver);
  const std::string auth_secret(16, '\x07');
  auto body = encryptMessage(R"({"type":"message"})", receiver->public_key, auth_secret);
  ASSERT_TRUE(body) << body.error().message;
  auto plain = decryptMessage(*body, *receiver, auth_secret);
  ASSERT_TRUE(plain);
  EXPECT_EQ(*plain, R"({"type":"message"})");
  std::string tampered = *body;
  tampered.back() = static_cast<char>(tampered.back() ^ 1);
  EXPECT_FALSE(decryptMessage(tampered, *receiver, auth_secret));
  EXPECT_FALSE(decryptMessage(*body, *receiver, std::string(16, '\x08')));
  EXPECT_FALSE(decryptMessage(body->substr(0, 30), *receiver, auth_secret));
}

TEST(WebPushCrypto, RefusesBadKeysSecretsAndOversizedPayloads) {
  auto receiver = generateKeyPair();
  ASSERT_TRUE(receiver);
  EXPECT_TRUE(validPublicKey(receiver->public_key));
  std::string off_curve = receiver->public_key;
  off_curve[40] = static_cast<char>(off_curve[40] ^ 1);
  EXPECT_FALSE(validPublicKey(off_curve));
  EXPECT_FALSE(validPublicKey(receiver->public_key.substr(0, 33)));
  EXPECT_FALSE(validPublicKey(std::string(65, '\0')));
  EXPECT_FALSE(encryptMessage("x", off_curve, std::string(16, 'a')));
  EXPECT_FALSE(encryptMessage("x", receiver->public_key, std::string(15, 'a')));
  EXPECT_TRUE(encryptMessage(std::string(kMaxPlaintextBytes, 'x'), receiver->public_key, std::string(16, 'a')));
  EXPECT_FALSE(encryptMessage(std::string(kMaxPlaintextBytes + 1, 'x'), receiver->public_key, std::string(16, 'a')));
  EXPECT_FALSE(keyPairFromPrivate(std::string(32, '\0')));
  EXPECT_FALSE(keyPairFromPrivate(std::string(32, '\xff'))); // above the group order
}

TEST(WebPushCrypto, OriginOfAnEndpoint) {
  EXPECT_EQ(originOf("https://FCM.googleapis.com/fcm/send/abc"), "https://fcm.googleapis.com");
  EXPECT_EQ(originOf("http://127.0.0.1:4000/push?x=1"), "http://127.0.0.1:4000");
  EXPECT_EQ(originOf("https://push.example"), "https://push.example");
  EXPECT_EQ(originOf("ftp://push.example/"), "");
  EXPECT_EQ(originOf("https://user@push.example/"), "");
}

TEST(Vapid, JwtVerifiesWithThePublicKeyAndCarriesTheClaims) {
  auto key = generateKeyPair();
  ASSERT_TRUE(key);
  auto jwt = vapidJwt(*key, "https://push.example", 1'800'000'000, "mailto:admin@hearth.example");
  ASSERT_TRUE(jwt) << jwt.error().message;
  EXPECT_TRUE(verifyEs256Jwt(*jwt, key->public_key));
  auto other = generateKeyPair();
  ASSERT_TRUE(other);
  EXPECT_FALSE(verifyEs256Jwt(*jwt, other->public_key));

  const auto first_dot = jwt->find('.');
  const auto last_dot = jwt->rfind('.');
  const auto header = boost::json::parse(b64(jwt->substr(0, first_dot))).as_object();
  EXPECT_EQ(header.at("alg").as_string(), "ES256");
  EXPECT_EQ(header.at("typ").as_string(), "JWT");
  const auto claims = boost::json::parse(b64(jwt->substr(first_dot + 1, last_dot - first_dot - 1))).as_object();
  EXPECT_EQ(claims.at("aud").as_string(), "https://push.example");
  EXPECT_EQ(claims.at("exp").as_int64(), 1'800'000'000);
  EXPECT_EQ(claims.at("sub").as_string(), "mailto:admin@hearth.example");
  EXPECT_EQ(b64(jwt->substr(last_dot + 1)).size(), 64u); // r || s, not DER

  std::string tampered = *jwt;
  tampered[first_dot + 2] = tampered[first_dot + 2] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(verifyEs256Jwt(tampered, key->public_key));
  EXPECT_EQ(vapidAuthorization("a.b.c", key->public_key), "vapid t=a.b.c, k=" + auth::base64UrlEncode(key->public_key));
}

} // namespace
} // namespace hearth::push
