#include "net/rate_limiter.hpp"

#include <gtest/gtest.h>

namespace hearth::net {
namespace {

TEST(RateLimiter, AllowsTheLimitPerWindowThenRefusesUntilItResets) {
  core::ManualClock clock(1'700'000'000'000);
  RateLimiter limiter(clock);
  for (int hit_idx = 0; hit_idx < 3; ++hit_idx) {
    const auto decision = limiter.hit("ip:1", 3, std::chrono::seconds(60));
    EXPECT_TRUE(decision.allowed);
    EXPECT_EQ(decision.remaining, 2 - hit_idx);
  }
  clock.advance(std::chrono::seconds(20));
  const auto refused = limiter.hit("ip:1", 3, std::chrono::seconds(60));
  EXPECT_FALSE(refused.allowed);
  EXPECT_DOUBLE_EQ(refused.reset_after, 40.0);
  EXPECT_EQ(refused.reset_at, 1'700'000'060);
  EXPECT_TRUE(limiter.hit("ip:2", 3, std::chrono::seconds(60)).allowed) << "keys are independent";
  clock.advance(std::chrono::seconds(40));
  EXPECT_TRUE(limiter.hit("ip:1", 3, std::chrono::seconds(60)).allowed);
}

TEST(RateLimiter, PeekDoesNotCount) {
  core::ManualClock clock;
  RateLimiter limiter(clock);
  for (int peek_idx = 0; peek_idx < 5; ++peek_idx)
    EXPECT_TRUE(limiter.peek("k", 1, std::chrono::seconds(1)).allowed);
  limiter.hit("k", 1, std::chrono::seconds(1));
  EXPECT_FALSE(limiter.peek("k", 1, std::chrono::seconds(1)).allowed);
}

TEST(RateLimiter, RefusalCarriesDiscordsHeadersAndBody) {
  RateDecision decision{false, 5, 0, 1.25, 1'700'000'002};
  const auto response = rateLimitedResponse(decision, "auth");
  EXPECT_EQ(response.status, 429);
  EXPECT_EQ(response.headers.get("Retry-After"), "2");
  EXPECT_EQ(response.headers.get("X-RateLimit-Limit"), "5");
  EXPECT_EQ(response.headers.get("X-RateLimit-Remaining"), "0");
  EXPECT_EQ(response.headers.get("X-RateLimit-Reset"), "1700000002");
  EXPECT_EQ(response.headers.get("X-RateLimit-Reset-After"), "1.250");
  EXPECT_EQ(response.headers.get("X-RateLimit-Bucket"), "auth");
  EXPECT_EQ(response.body, R"({"message":"You are being rate limited.","retry_after":1.250,"global":false})");
}

} // namespace
} // namespace hearth::net
