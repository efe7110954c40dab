#pragma once
// The event bus across nodes (hearthd --redis): domain events are PUBLISHed to the Redis channel
// `hearth:events`, and every node, the publishing one too, receives them through its subscriber
// and runs its own handlers (EventBus::deliverLocal). Ended sessions travel on
// `hearth:sessions`, so every node closes the affected gateway connections.
//
// The bus has a thread of its own for its two Redis connections; publishing hands the event to
// it and returns at once (one thread's events keep their order). Redis pub/sub is at-most-once:
// events published while Redis is unreachable are dropped (counted, logged), and after a
// reconnection on_missed says that some may have been missed.
#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "core/error.hpp"
#include "domain/accounts.hpp"
#include "domain/events.hpp"
#include "redis/client.hpp"

namespace hearth::redis {
class RedisSubscriber;
}

namespace hearth::bus {

class RedisBus {
public:
  //! The channels are <prefix>events and <prefix>sessions: several deployments (or tests) can
  //! share one Redis under different prefixes.
  RedisBus(redis::RedisOptions options, domain::EventBus& events, std::string channel_prefix = "hearth:");
  ~RedisBus();
  RedisBus(const RedisBus&) = delete;
  RedisBus& operator=(const RedisBus&) = delete;

  //! Sessions ended on any node (this one too). Set before start(); runs on the bus thread.
  void onSessionsEnded(std::function<void(const domain::SessionsEnded&)> handler);
  //! After the subscription came back from a drop: events published meanwhile were not
  //! received here. Set before start(); runs on the bus thread.
  void onMissed(std::function<void()> handler);

  //! Starts the bus thread, connects and subscribes, and becomes `events`' transport. Fails
  //! (kServiceUnavailable) if Redis has not confirmed the subscription within `timeout`.
  core::Result<void> start(std::chrono::milliseconds timeout);
  //! PUBLISH to hearth:events; returns at once. Any thread.
  void publish(const domain::Event& event);
  //! PUBLISH to hearth:sessions; returns at once. Any thread.
  void publishSessionsEnded(const domain::SessionsEnded& ended);
  //! Stops being the transport, closes the connections and joins the thread. Idempotent.
  void close();

  //! Prometheus text: published, received and dropped messages, resubscriptions, connection.
  std::string metricsText() const;
  //! Where Redis is (no credentials), for logs.
  std::string where() const { return options_.endpoint.display(); }

private:
  void send(const std::string& channel, std::string payload);
  void received(std::string_view channel, std::string_view payload);

  redis::RedisOptions options_;
  domain::EventBus& events_;
  std::string events_channel_;
  std::string sessions_channel_;
  std::function<void(const domain::SessionsEnded&)> on_sessions_ended_;
  std::function<void()> on_missed_;

  boost::asio::io_context io_{1};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::unique_ptr<redis::RedisClient> publisher_;
  std::unique_ptr<redis::RedisSubscriber> subscriber_;
  std::thread thread_;
  std::future<void> thread_done_;
  bool started_ = false;
  bool closed_ = false;

  std::atomic<std::uint64_t> published_{0};
  std::atomic<std::uint64_t> received_{0};
  std::atomic<std::uint64_t> publish_failed_{0};
  std::atomic<std::uint64_t> bad_payloads_{0};
  std::atomic<std::uint64_t> resubscribed_{0};
  // Bus thread only.
  bool publish_failing_ = false;
  bool bad_payload_logged_ = false;
};

} // namespace hearth::bus
