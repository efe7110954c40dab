#include "oauth/pkce.hpp"

#include <algorithm>
#include <set>

#include <gtest/gtest.h>

namespace hearth::oauth {
namespace {

bool unreservedOnly(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

TEST(PkceTest, S256MatchesRfc7636AppendixB) {
  EXPECT_EQ(pkceChallenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

TEST(PkceTest, RandomTokensAre32BytesOfBase64Url) {
  std::set<std::string> seen;
  for (int round = 0; round < 100; ++round) {
    const std::string token = randomToken();
    EXPECT_EQ(token.size(), 43u);
    EXPECT_TRUE(unreservedOnly(token)) << token;
    seen.insert(token);
  }
  EXPECT_EQ(seen.size(), 100u);
}

TEST(PkceTest, VerifierAndNonceAreDerivedFromTheBrowserSecret) {
  const std::string secret = randomToken();
  const std::string state = randomToken();
  const std::string verifier = codeVerifierFor(secret, state);
  // RFC 7636 §4.1: 43-128 unreserved characters.
  EXPECT_EQ(verifier.size(), 43u);
  EXPECT_TRUE(unreservedOnly(verifier));
  EXPECT_EQ(verifier, codeVerifierFor(secret, state));
  EXPECT_NE(verifier, codeVerifierFor(secret, randomToken()));
  EXPECT_NE(verifier, codeVerifierFor(randomToken(), state));
  const std::string nonce = nonceFor(secret);
  EXPECT_EQ(nonce, nonceFor(secret));
  EXPECT_NE(nonce, nonceFor(randomToken()));
  EXPECT_NE(nonce, verifier);
  EXPECT_NE(nonce, pkceChallenge(secret));
}

} // namespace
} // namespace hearth::oauth
