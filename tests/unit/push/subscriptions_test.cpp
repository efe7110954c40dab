#include "push/subscriptions.hpp"

#include <gtest/gtest.h>

#include "auth/tokens.hpp"

namespace hearth::push {
namespace {

TEST(PublicAddress, RefusesLocalPrivateAndSpecialRanges) {
  for (const char* address : {"127.0.0.1",
                              "10.1.2.3",
                              "172.16.0.1",
                              "172.31.255.255",
                              "192.168.1.1",
                              "169.254.169.254",
                              "100.64.0.1",
                              "0.0.0.0",
                              "224.0.0.1",
                              "255.255.255.255",
                              "::1",
                              "::",
                              "fe80::1",
                              "fc00::1",
                              "fd12:3456::1",
                              "ff02::1",
                              "::ffff:127.0.0.1",
                              "::ffff:10.0.0.1",
                              "64:ff9b::a00:1",
                              "not an address"}) {
    EXPECT_FALSE(publicAddressText(address)) << address;
  }
  for (const char* address : {"8.8.8.8", "172.32.0.1", "142.250.74.14", "2a00:1450:4007::200e", "::ffff:8.8.4.4"}) {
    EXPECT_TRUE(publicAddressText(address)) << address;
  }
  EXPECT_TRUE(publicAddressText("127.0.0.1", true));
  EXPECT_FALSE(publicAddressText("127.0.0.2", true));
  EXPECT_FALSE(publicAddressText("10.0.0.1", true));
}

TEST(CheckEndpoint, HttpsOnlyUnlessTheTestFlagAllowsLoopback) {
  const EndpointPolicy strict;
  EndpointPolicy tests;
  tests.allow_insecure_loopback = true;
  EXPECT_EQ(checkEndpoint("https://fcm.googleapis.com/fcm/send/abc", strict).value(), "fcm.googleapis.com");
  EXPECT_EQ(checkEndpoint("https://push.example:8443/x?y=1", strict).value(), "push.example");
  EXPECT_EQ(checkEndpoint("https://[2a00:1450:4007::200e]/x", strict).value(), "2a00:1450:4007::200e");
  EXPECT_FALSE(checkEndpoint("http://push.example/x", strict));
  EXPECT_FALSE(checkEndpoint("http://127.0.0.1:4000/x", strict));
  EXPECT_TRUE(checkEndpoint("http://127.0.0.1:4000/x", tests));
  EXPECT_FALSE(checkEndpoint("http://127.0.0.1/x", tests)); // a port is required
  EXPECT_FALSE(checkEndpoint("http://localhost:4000/x", tests));
  EXPECT_FALSE(checkEndpoint("http://10.0.0.1:4000/x", tests));
  for (const char* url :
       {"https://10.0.0.1/x", "https://127.0.0.1/x", "https://[::1]/x", "https://localhost/x",
        "https://printer.local/x", "https://user:pw@push.example/x", "https://push.example/x#f", "https:///x",
        "https://push.example:abc/x", "ftp://push.example/", "https://push example/", "javascript:alert(1)", ""}) {
    const auto checked = checkEndpoint(url, strict);
    ASSERT_FALSE(checked) << url;
    EXPECT_EQ(checked.error().code, core::ErrorCode::kInvalidFormBody);
    ASSERT_EQ(checked.error().fields.size(), 1u);
    EXPECT_EQ(checked.error().fields[0].field, "endpoint");
  }
  EXPECT_FALSE(checkEndpoint("https://push.example/" + std::string(kMaxEndpointBytes, 'a'), strict));
}

TEST(ValidateSubscription, KeysMustBeAPointAndSixteenBytes) {
  auto key = generateKeyPair();
  ASSERT_TRUE(key);
  const std::string p256dh = auth::base64UrlEncode(key->public_key);
  const std::string secret = auth::base64UrlEncode(std::string(16, 'k'));
  auto ok = validateSubscription("https://push.example/x", p256dh, secret, {});
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->p256dh, key->public_key);
  EXPECT_EQ(ok->auth, std::string(16, 'k'));

  auto bad = validateSubscription("http://push.example/x", "AAAA", auth::base64UrlEncode(std::string(15, 'k')), {});
  ASSERT_FALSE(bad);
  ASSERT_EQ(bad.error().fields.size(), 3u);
  EXPECT_EQ(bad.error().fields[0].field, "endpoint");
  EXPECT_EQ(bad.error().fields[1].field, "keys.p256dh");
  EXPECT_EQ(bad.error().fields[2].field, "keys.auth");
  EXPECT_FALSE(validateSubscription("https://push.example/x", p256dh + "=", secret, {}));
  EXPECT_FALSE(validateSubscription("https://push.example/x", p256dh.substr(0, 44), secret, {})); // compressed length
}

} // namespace
} // namespace hearth::push
