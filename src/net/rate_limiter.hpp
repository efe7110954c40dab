#pragma once
// Fixed-window request counters by key (an IP, an account), shared by all threads. Answers
// carry Discord's X-RateLimit-* headers; a refusal is 429 with Retry-After.
#include <chrono>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/clock.hpp"
#include "net/http.hpp"

namespace hearth::net {

struct RateDecision {
  bool allowed = true;
  int limit = 0;
  int remaining = 0;
  double reset_after = 0; //!< seconds until the window resets
  std::int64_t reset_at = 0; //!< unix seconds
};

class RateLimiter {
public:
  explicit RateLimiter(const core::Clock& clock) : clock_(clock) {}
  //! Counts one hit on `key` and says whether it is within `limit` per `window`.
  RateDecision hit(std::string_view key, int limit, std::chrono::seconds window);
  //! Reads the state of `key` without counting.
  RateDecision peek(std::string_view key, int limit, std::chrono::seconds window);

private:
  struct Window {
    std::int64_t started_ms = 0;
    int count = 0;
  };
  RateDecision decide(Window& window, int limit, std::chrono::seconds length, bool count);
  const core::Clock& clock_;
  std::mutex mutex_;
  std::unordered_map<std::string, Window> windows_;
};

//! Adds X-RateLimit-Limit/Remaining/Reset/Reset-After/Bucket to a response.
void addRateLimitHeaders(Response& response, const RateDecision& decision, std::string_view bucket);
//! The 429 answer: Discord's body {message, retry_after, global} plus Retry-After.
Response rateLimitedResponse(const RateDecision& decision, std::string_view bucket);

} // namespace hearth::net
