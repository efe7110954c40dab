#include "auth/tokens.hpp"

#include <gtest/gtest.h>

namespace hearth::auth {
namespace {

const std::string kKey(32, 'k');

TEST(Base64Url, RoundTripsEveryLengthAndRefusesNonCanonicalText) {
  std::string bytes;
  for (int length = 0; length < 40; ++length) {
    std::string decoded;
    const std::string encoded = base64UrlEncode(bytes);
    EXPECT_EQ(encoded.find_first_of("+/="), std::string::npos);
    ASSERT_TRUE(base64UrlDecode(encoded, decoded)) << encoded;
    EXPECT_EQ(decoded, bytes);
    bytes += static_cast<char>(length * 37 + 200);
  }
  std::string out;
  EXPECT_EQ(base64UrlEncode("hearth"), "aGVhcnRo");
  EXPECT_FALSE(base64UrlDecode("a", out)); // impossible length
  EXPECT_FALSE(base64UrlDecode("aGVh+nRo", out)); // standard alphabet
  EXPECT_FALSE(base64UrlDecode("aGVhcnRo=", out));
  EXPECT_TRUE(base64UrlDecode("aGE", out));
  EXPECT_EQ(out, "ha");
  EXPECT_FALSE(base64UrlDecode("aGF", out)) << "leftover bits must be zero, or two texts decode alike";
}

TEST(TokenSigner, IssuesTokensThatVerify) {
  core::ManualClock clock;
  const TokenSigner signer(kKey, clock);
  const auto claims = signer.verify(signer.issue(175928847299117063ULL, 42));
  ASSERT_TRUE(claims.has_value()) << claims.error().message;
  EXPECT_EQ(claims->user_id, 175928847299117063ULL);
  EXPECT_EQ(claims->session_id, 42u);
  EXPECT_EQ(claims->expires_at, clock.unixMillis() / 1000 + TokenSigner::kAccessLifetimeSeconds);
}

TEST(TokenSigner, RefusesExpiredTokens) {
  core::ManualClock clock;
  const TokenSigner signer(kKey, clock);
  const std::string token = signer.issue(1, 2);
  clock.advance(std::chrono::seconds(TokenSigner::kAccessLifetimeSeconds - 1));
  EXPECT_TRUE(signer.verify(token).has_value());
  clock.advance(std::chrono::seconds(1));
  EXPECT_EQ(signer.verify(token).error().code, core::ErrorCode::kUnauthorized);
}

TEST(TokenSigner, RefusesOtherKeysAndAlteredParts) {
  core::ManualClock clock;
  const TokenSigner signer(kKey, clock);
  const TokenSigner other(std::string(32, 'x'), clock);
  const std::string token = signer.issue(1, 2);
  EXPECT_FALSE(other.verify(token).has_value());
  for (std::size_t char_idx = 0; char_idx < token.size(); char_idx += 7) {
    std::string altered = token;
    if (altered[char_idx] == '.') continue;
    altered[char_idx] = altered[char_idx] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(signer.verify(altered).has_value()) << "changed position " << char_idx;
  }
}

TEST(TokenSigner, PinsTheAlgorithmAndTheAudience) {
  core::ManualClock clock;
  const TokenSigner signer(kKey, clock);
  const std::string token = signer.issue(1, 2);
  const auto first_dot = token.find('.');
  const auto second_dot = token.find('.', first_dot + 1);
  const std::string payload = token.substr(first_dot + 1, second_dot - first_dot - 1);
  for (const std::string header : {R"({"alg":"none","typ":"at+jwt"})", R"({"alg":"HS512","typ":"at+jwt"})",
                                   R"({"alg":"HS256","typ":"JWT"})", R"({"typ":"at+jwt","alg":"HS256"})"}) {
    EXPECT_FALSE(signer.verify(base64UrlEncode(header) + "." + payload + ".").has_value()) << header;
    EXPECT_FALSE(signer.verify(base64UrlEncode(header) + "." + token.substr(first_dot + 1)).has_value()) << header;
  }
  for (const char* malformed : {"", ".", "..", "a.b.c", "a.b.c.d", "Zm9v"}) {
    EXPECT_FALSE(signer.verify(malformed).has_value()) << malformed;
  }
}

TEST(RefreshTokens, AreRandomAndStoredAsSha256Hex) {
  const std::string first = newRefreshToken();
  EXPECT_EQ(first.size(), 43u);
  EXPECT_NE(first, newRefreshToken());
  EXPECT_EQ(tokenHash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"); // FIPS 180-2 vector
}

TEST(SigningKey, IsCreatedOnceWithOwnerOnlyPermissions) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("hearth-key-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()));
  std::filesystem::remove_all(dir);
  const auto path = dir / "keys" / "jwt.key";
  const auto created = loadOrCreateKey(path);
  ASSERT_TRUE(created.has_value()) << created.error().message;
  EXPECT_EQ(created->size(), TokenSigner::kKeyBytes);
  EXPECT_EQ(std::filesystem::status(path).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  EXPECT_EQ(loadOrCreateKey(path).value(), *created);
  std::filesystem::resize_file(path, 8);
  EXPECT_FALSE(loadOrCreateKey(path).has_value()) << "a short key is refused, not used";
  std::filesystem::remove_all(dir);
}

} // namespace
} // namespace hearth::auth
