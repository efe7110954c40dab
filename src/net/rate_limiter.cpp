#include "net/rate_limiter.hpp"

#include <cmath>

#include <fmt/format.h>

namespace hearth::net {

RateDecision RateLimiter::decide(Window& window, int limit, std::chrono::seconds length, bool count) {
  const std::int64_t now = clock_.unixMillis();
  const std::int64_t length_ms = std::chrono::duration_cast<std::chrono::milliseconds>(length).count();
  if (now - window.started_ms >= length_ms) window = Window{now, 0};
  RateDecision decision;
  decision.limit = limit;
  decision.allowed = window.count < limit;
  if (count && decision.allowed) ++window.count;
  decision.remaining = std::max(0, limit - window.count);
  const std::int64_t reset_ms = window.started_ms + length_ms;
  decision.reset_after = static_cast<double>(reset_ms - now) / 1000.0;
  decision.reset_at = (reset_ms + 999) / 1000;
  return decision;
}

RateDecision RateLimiter::hit(std::string_view key, int limit, std::chrono::seconds window) {
  std::lock_guard lock(mutex_);
  if (windows_.size() > 100'000) {
    // Bound memory under a flood of distinct keys: drop windows that have ended.
    const std::int64_t now = clock_.unixMillis();
    std::erase_if(windows_, [&](const auto& entry) { return now - entry.second.started_ms > 3'600'000; });
  }
  return decide(windows_[std::string(key)], limit, window, true);
}

RateDecision RateLimiter::peek(std::string_view key, int limit, std::chrono::seconds window) {
  std::lock_guard lock(mutex_);
  const auto it = windows_.find(std::string(key));
  if (it == windows_.end()) return RateDecision{true, limit, limit, 0, 0};
  return decide(it->second, limit, window, false);
}

void addRateLimitHeaders(Response& response, const RateDecision& decision, std::string_view bucket) {
  response.headers.add("X-RateLimit-Limit", std::to_string(decision.limit));
  response.headers.add("X-RateLimit-Remaining", std::to_string(decision.remaining));
  response.headers.add("X-RateLimit-Reset", std::to_string(decision.reset_at));
  response.headers.add("X-RateLimit-Reset-After", fmt::format("{:.3f}", decision.reset_after));
  response.headers.add("X-RateLimit-Bucket", std::string(bucket));
}

Response rateLimitedResponse(const RateDecision& decision, std::string_view bucket) {
  Response response = jsonResponse(
      429, fmt::format(R"({{"message":"You are being rate limited.","retry_after":{:.3f},"global":false}})",
                       decision.reset_after));
  response.headers.add("Retry-After", std::to_string(static_cast<long>(std::ceil(decision.reset_after))));
  response.headers.add("X-RateLimit-Scope", "user");
  addRateLimitHeaders(response, decision, bucket);
  return response;
}

} // namespace hearth::net
