#include "auth/totp.hpp"

#include <set>

#include <gtest/gtest.h>

namespace hearth::auth {
namespace {

// RFC 4226 Appendix D: HOTP values of the ASCII secret "12345678901234567890", counters 0-9.
TEST(Hotp, Rfc4226AppendixD) {
  const char* expected[] = {"755224", "287082", "359152", "969429", "338314",
                            "254676", "287922", "162583", "399871", "520489"};
  for (std::uint64_t counter = 0; counter < 10; ++counter) {
    EXPECT_EQ(hotp("12345678901234567890", counter), expected[counter]) << counter;
  }
}

// RFC 6238 Appendix B: 8-digit codes for SHA-1, SHA-256 and SHA-512 at the listed times.
TEST(Totp, Rfc6238AppendixB) {
  const std::string sha1_key = "12345678901234567890";
  const std::string sha256_key = "12345678901234567890123456789012";
  const std::string sha512_key = "1234567890123456789012345678901234567890123456789012345678901234";
  struct Vector {
    std::int64_t time;
    const char* sha1;
    const char* sha256;
    const char* sha512;
  };
  const Vector vectors[] = {
      {59, "94287082", "46119246", "90693936"},         {1111111109, "07081804", "68084774", "25091201"},
      {1111111111, "14050471", "67062674", "99943326"}, {1234567890, "89005924", "91819424", "93441116"},
      {2000000000, "69279037", "90698825", "38618901"}, {20000000000, "65353130", "77737706", "47863826"},
  };
  for (const auto& vector : vectors) {
    EXPECT_EQ(totpAt(sha1_key, vector.time, 8, OtpHash::kSha1), vector.sha1) << vector.time;
    EXPECT_EQ(totpAt(sha256_key, vector.time, 8, OtpHash::kSha256), vector.sha256) << vector.time;
    EXPECT_EQ(totpAt(sha512_key, vector.time, 8, OtpHash::kSha512), vector.sha512) << vector.time;
  }
}

TEST(Base32, RoundTripsAndMatchesRfc4648) {
  // RFC 4648 §10 test vectors (padding dropped).
  EXPECT_EQ(base32Encode("f"), "MY");
  EXPECT_EQ(base32Encode("foob"), "MZXW6YQ");
  EXPECT_EQ(base32Encode("foobar"), "MZXW6YTBOI");
  EXPECT_EQ(base32Decode("mzxw6ytboi======"), "foobar");
  EXPECT_EQ(base32Decode("MZXW 6YTB OI"), "foobar");
  EXPECT_FALSE(base32Decode("MZXW1").has_value()); // '1' is not in the alphabet
  const std::string secret = newTotpSecret();
  EXPECT_EQ(secret.size(), 32u); // 20 bytes
  EXPECT_EQ(base32Decode(secret)->size(), 20u);
}

TEST(Totp, AcceptsOneStepOfSkewEachCodeOnce) {
  const std::string key = "12345678901234567890";
  const std::string secret = base32Encode(key);
  const std::int64_t now = 1'700'000'000;
  const std::int64_t step = now / kTotpStepSeconds;
  EXPECT_EQ(verifyTotp(secret, totpAt(key, now), now, std::nullopt), step);
  EXPECT_EQ(verifyTotp(secret, totpAt(key, now - 30), now, std::nullopt), step - 1);
  EXPECT_EQ(verifyTotp(secret, totpAt(key, now + 30), now, std::nullopt), step + 1);
  EXPECT_FALSE(verifyTotp(secret, totpAt(key, now - 60), now, std::nullopt));
  EXPECT_FALSE(verifyTotp(secret, totpAt(key, now + 60), now, std::nullopt));
  // Replay: the step already used (or an earlier one) is refused.
  EXPECT_FALSE(verifyTotp(secret, totpAt(key, now), now, step));
  EXPECT_FALSE(verifyTotp(secret, totpAt(key, now - 30), now, step));
  EXPECT_EQ(verifyTotp(secret, totpAt(key, now + 30), now, step), step + 1);
  // Shape: spaces are fine, anything else is not.
  const std::string code = totpAt(key, now);
  EXPECT_EQ(verifyTotp(secret, code.substr(0, 3) + " " + code.substr(3), now, std::nullopt), step);
  EXPECT_FALSE(verifyTotp(secret, code + "0", now, std::nullopt));
  EXPECT_FALSE(verifyTotp(secret, "abcdef", now, std::nullopt));
}

TEST(Totp, OtpauthUriEscapesTheAccount) {
  EXPECT_EQ(otpauthUri("Hearth", "ada lovelace", "JBSWY3DPEHPK3PXP"),
            "otpauth://totp/Hearth:ada%20lovelace?secret=JBSWY3DPEHPK3PXP&issuer=Hearth&algorithm=SHA1&digits=6"
            "&period=30");
}

TEST(RecoveryCodes, AreUnambiguousAndNormalize) {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    const std::string code = newRecoveryCode();
    ASSERT_EQ(code.size(), 9u);
    EXPECT_EQ(code[4], '-');
    EXPECT_EQ(code.find_first_of("01ilo"), std::string::npos) << code;
    seen.insert(code);
  }
  EXPECT_GT(seen.size(), 195u);
  EXPECT_EQ(normalizeRecoveryCode("AbCd-EfGh"), "abcdefgh");
  EXPECT_TRUE(looksLikeTotp("123 456"));
  EXPECT_FALSE(looksLikeTotp("abcd-efgh"));
}

} // namespace
} // namespace hearth::auth
