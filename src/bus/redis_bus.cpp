#include "bus/redis_bus.hpp"

#include <unistd.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "bus/event_codec.hpp"
#include "redis/subscriber.hpp"

namespace hearth::bus {

namespace {

//! The start of a payload, safe for a log line.
std::string excerpt(std::string_view payload) {
  std::string out;
  for (const char c : payload.substr(0, 120)) {
    const auto byte = static_cast<unsigned char>(c);
    out += byte >= 0x20 && byte < 0x7f ? c : '?';
  }
  if (payload.size() > 120) out += "...";
  return out;
}

} // namespace

RedisBus::RedisBus(redis::RedisOptions options, domain::EventBus& events, std::string channel_prefix)
    : options_(std::move(options)),
      events_(events),
      events_channel_(channel_prefix + "events"),
      sessions_channel_(channel_prefix + "sessions"),
      work_(io_.get_executor()) {}

RedisBus::~RedisBus() { close(); }

void RedisBus::onSessionsEnded(std::function<void(const domain::SessionsEnded&)> handler) {
  on_sessions_ended_ = std::move(handler);
}

void RedisBus::onMissed(std::function<void()> handler) { on_missed_ = std::move(handler); }

core::Result<void> RedisBus::start(std::chrono::milliseconds timeout) {
  const std::string node = std::to_string(::getpid());
  redis::RedisOptions publisher_options = options_;
  publisher_options.log_name = "event bus (publisher)";
  publisher_options.client_name = "hearthd-" + node + "-publisher";
  publisher_ = std::make_unique<redis::RedisClient>(io_.get_executor(), std::move(publisher_options));

  auto subscribed = std::make_shared<std::promise<void>>();
  auto subscribed_future = subscribed->get_future();
  redis::SubscriberHandlers handlers;
  handlers.on_message = [this](std::string_view channel, std::string_view payload) { received(channel, payload); };
  handlers.on_subscribed = [subscribed, first = true]() mutable {
    if (!first) return;
    first = false;
    subscribed->set_value();
  };
  handlers.on_reconnect = [this] {
    ++resubscribed_;
    spdlog::warn("event bus: subscribed again after a drop; events published meanwhile did not reach this node");
    if (on_missed_) on_missed_();
  };
  redis::RedisOptions subscriber_options = options_;
  subscriber_options.log_name = "event bus (subscriber)";
  subscriber_options.client_name = "hearthd-" + node + "-subscriber";
  subscriber_ =
      std::make_unique<redis::RedisSubscriber>(io_.get_executor(), std::move(subscriber_options), std::move(handlers));
  subscriber_->subscribe(events_channel_);
  subscriber_->subscribe(sessions_channel_);

  auto done = std::make_shared<std::promise<void>>();
  thread_done_ = done->get_future();
  thread_ = std::thread([this, done] {
    io_.run();
    done->set_value();
  });
  started_ = true;
  if (subscribed_future.wait_for(timeout) != std::future_status::ready) {
    close();
    return core::fail(core::ErrorCode::kServiceUnavailable,
                      "Redis at " + where() + " did not answer within " + std::to_string(timeout.count()) + " ms");
  }
  events_.setTransport([this](const domain::Event& event) { publish(event); });
  return {};
}

void RedisBus::publish(const domain::Event& event) { send(events_channel_, encodeEvent(event)); }

void RedisBus::publishSessionsEnded(const domain::SessionsEnded& ended) {
  send(sessions_channel_, encodeSessionsEnded(ended));
}

void RedisBus::send(const std::string& channel, std::string payload) {
  if (!publisher_) return;
  std::vector<std::string> command{"PUBLISH", channel, std::move(payload)};
  publisher_->send(std::move(command), [this](core::Result<redis::Reply> reply) {
    if (reply) {
      ++published_;
      if (publish_failing_) {
        publish_failing_ = false;
        spdlog::info("event bus: publishing again");
      }
      return;
    }
    ++publish_failed_;
    if (!publish_failing_) {
      publish_failing_ = true;
      spdlog::warn("event bus: an event was not published ({}); events are dropped until Redis is back",
                   reply.error().message);
    }
  });
}

void RedisBus::received(std::string_view channel, std::string_view payload) {
  const auto rejected = [&](const core::Error& error) {
    ++bad_payloads_;
    if (!bad_payload_logged_) {
      bad_payload_logged_ = true;
      spdlog::warn("event bus: dropped a message on {} ({}): {} (further ones are only counted, in "
                   "hearth_bus_events_dropped_total)",
                   channel, error.message, excerpt(payload));
    } else {
      spdlog::debug("event bus: dropped a message on {} ({})", channel, error.message);
    }
  };
  if (channel == events_channel_) {
    auto event = decodeEvent(payload);
    if (!event) return rejected(event.error());
    ++received_;
    events_.deliverLocal(*event);
  } else if (channel == sessions_channel_) {
    auto ended = decodeSessionsEnded(payload);
    if (!ended) return rejected(ended.error());
    ++received_;
    if (on_sessions_ended_) on_sessions_ended_(*ended);
  }
}

void RedisBus::close() {
  if (closed_) return;
  closed_ = true;
  if (!started_) return;
  events_.setTransport(nullptr);
  publisher_->close();
  subscriber_->close();
  work_.reset();
  // Closed connections end their coroutines, and the thread runs out of work; if something
  // lingers, stop it.
  if (thread_done_.wait_for(std::chrono::seconds(2)) != std::future_status::ready) io_.stop();
  thread_.join();
}

std::string RedisBus::metricsText() const {
  const bool up = publisher_ && subscriber_ && publisher_->connected() && subscriber_->connected();
  return fmt::format(
      "# HELP hearth_bus_events_published_total Events (and ended sessions) this node published to Redis.\n"
      "# TYPE hearth_bus_events_published_total counter\n"
      "hearth_bus_events_published_total {}\n"
      "# HELP hearth_bus_events_received_total Events (and ended sessions) received from Redis and delivered.\n"
      "# TYPE hearth_bus_events_received_total counter\n"
      "hearth_bus_events_received_total {}\n"
      "# HELP hearth_bus_events_dropped_total Events lost: not published (Redis unreachable) or not understood.\n"
      "# TYPE hearth_bus_events_dropped_total counter\n"
      "hearth_bus_events_dropped_total{{reason=\"publish_failed\"}} {}\n"
      "hearth_bus_events_dropped_total{{reason=\"bad_payload\"}} {}\n"
      "# HELP hearth_bus_resubscriptions_total Subscriptions restored after a drop (events may have been missed).\n"
      "# TYPE hearth_bus_resubscriptions_total counter\n"
      "hearth_bus_resubscriptions_total {}\n"
      "# HELP hearth_bus_redis_up Whether both connections to Redis are up.\n"
      "# TYPE hearth_bus_redis_up gauge\n"
      "hearth_bus_redis_up {}\n",
      published_.load(), received_.load(), publish_failed_.load(), bad_payloads_.load(), resubscribed_.load(),
      up ? 1 : 0);
}

} // namespace hearth::bus
