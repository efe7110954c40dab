#pragma once
// Sends Web Push messages (RFC 8030) through libcurl on threads of its own, so the I/O threads
// never wait on a push service. A bounded queue: beyond its limit, pushes are dropped (counted,
// logged once per burst). Each request is encrypted for its subscription (RFC 8291), carries a
// VAPID Authorization (RFC 8292), TTL and Urgency; the connection is SSRF-guarded: the address
// actually connected must be public (EndpointPolicy), no redirects, a short timeout, a small
// response cap. 404/410 report the subscription gone; 429/5xx are retried once, then dropped.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.hpp"
#include "push/subscriptions.hpp"
#include "push/web_push_crypto.hpp"

namespace hearth::push {

struct SenderConfig {
  //! The VAPID `sub` claim: a mailto: or https: contact (hearthd --push-contact).
  std::string contact = "mailto:admin@localhost";
  EndpointPolicy policy;
  std::size_t queue_limit = 1000;
  std::size_t threads = 2;
  std::chrono::milliseconds timeout{5000}; //!< per request, connecting included
  int ttl_seconds = 86400; //!< how long the push service keeps an undelivered message
  std::chrono::milliseconds retry_pause{1000}; //!< before the one retry of a 429/5xx
};

struct PushJob {
  Subscription subscription;
  std::string payload; //!< the plaintext (JSON), at most kMaxPlaintextBytes
  bool urgent = true; //!< Urgency: high, else normal
};

enum class PushOutcome { kDelivered, kGone, kRetry, kFailed };

class PushSender {
public:
  //! Called on a sender thread for a subscription the push service answered 404 or 410.
  using GoneFn = std::function<void(const Subscription&)>;
  PushSender(SenderConfig config, EcKeyPair vapid, const core::Clock& clock, GoneFn on_gone);
  ~PushSender(); //!< finishes the request in flight, drops the rest
  PushSender(const PushSender&) = delete;
  PushSender& operator=(const PushSender&) = delete;

  //! Queues a push; false (and counted as dropped) when the queue is full. Thread-safe.
  bool enqueue(PushJob job);
  //! One attempt, blocking the calling thread.
  PushOutcome deliverOnce(const PushJob& job);
  const EcKeyPair& vapidKey() const noexcept { return vapid_; }

  struct Stats {
    std::uint64_t delivered = 0;
    std::uint64_t gone = 0;
    std::uint64_t failed = 0;
    std::uint64_t dropped = 0;
  };
  Stats stats() const;
  //! Prometheus text of stats().
  std::string metricsText() const;

private:
  void run();
  //! The VAPID JWT for an origin, reused for 12 hours (it is valid for 24).
  core::Result<std::string> jwtFor(const std::string& origin);

  SenderConfig config_;
  EcKeyPair vapid_;
  const core::Clock& clock_;
  GoneFn on_gone_;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<PushJob> queue_;
  bool stopping_ = false;
  bool dropping_ = false; //!< in a burst of drops (logged once)
  std::atomic<bool> abort_{false};
  std::mutex jwt_mutex_;
  struct CachedJwt {
    std::string origin;
    std::string jwt;
    std::int64_t renew_at = 0;
  };
  std::vector<CachedJwt> jwts_;
  std::atomic<std::uint64_t> delivered_{0}, gone_{0}, failed_{0}, dropped_{0};
  std::vector<std::thread> threads_;
};

} // namespace hearth::push
