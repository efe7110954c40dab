// RedisBus against the test Redis (HEARTH_TEST_REDIS): two buses stand for two nodes. An event
// published on one reaches the handlers of both, in order; garbage on the channel is dropped
// and counted; ended sessions travel too; an unreachable Redis fails the start.
#include "bus/redis_bus.hpp"

#include <chrono>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include "bus/event_codec.hpp"

namespace hearth::bus {
namespace {

//! Handlers run on the bus's thread: a recorder the test thread can wait on.
struct Recorder {
  std::mutex mutex;
  std::vector<domain::Event> events;
  std::vector<domain::SessionsEnded> ended;

  std::size_t eventCount() {
    std::lock_guard lock(mutex);
    return events.size();
  }
  std::size_t endedCount() {
    std::lock_guard lock(mutex);
    return ended.size();
  }
};

bool waitFor(const std::function<bool()>& done, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

std::string randomWord() {
  std::random_device random;
  return std::to_string(std::uniform_int_distribution<std::uint64_t>()(random));
}

class RedisBusTest : public ::testing::Test {
protected:
  //! One node: its EventBus (with a recording handler) and its RedisBus.
  struct Node {
    domain::EventBus events;
    Recorder recorder;
    std::unique_ptr<RedisBus> bus;
  };

  void SetUp() override {
    const char* url = std::getenv("HEARTH_TEST_REDIS");
    ASSERT_TRUE(url != nullptr && *url != '\0')
        << "HEARTH_TEST_REDIS is not set. Start a test Redis and export its URL:\n"
           "  HEARTH_REDIS_DIR=$PWD/var/test/redis scripts/redis.sh start\n"
           "  export HEARTH_TEST_REDIS=\"$(HEARTH_REDIS_DIR=$PWD/var/test/redis scripts/redis.sh url)\"";
    auto endpoint = redis::parseUrl(url);
    ASSERT_TRUE(endpoint.has_value()) << endpoint.error().message;
    options_.endpoint = *endpoint;
    prefix_ = "hearth-test-" + randomWord() + ":";
  }

  std::unique_ptr<Node> startNode() {
    auto node = std::make_unique<Node>();
    Recorder* recorder = &node->recorder;
    node->events.subscribe([recorder](const domain::Event& event) {
      std::lock_guard lock(recorder->mutex);
      recorder->events.push_back(event);
    });
    node->bus = std::make_unique<RedisBus>(options_, node->events, prefix_);
    node->bus->onSessionsEnded([recorder](const domain::SessionsEnded& ended) {
      std::lock_guard lock(recorder->mutex);
      recorder->ended.push_back(ended);
    });
    auto started = node->bus->start(std::chrono::seconds(5));
    EXPECT_TRUE(started.has_value()) << started.error().message;
    return node;
  }

  //! PUBLISH from outside any bus, as a misbehaving node would.
  void publishRaw(const std::string& channel, const std::string& payload) {
    boost::asio::io_context io;
    redis::RedisClient client(io.get_executor(), options_);
    std::vector<std::string> command{"PUBLISH", channel, payload};
    auto future = boost::asio::co_spawn(
        io,
        [&]() -> boost::asio::awaitable<bool> {
          auto reply = co_await client.command(std::move(command));
          co_return reply.has_value();
        },
        boost::asio::use_future);
    while (future.wait_for(std::chrono::seconds(0)) != std::future_status::ready)
      io.run_one_for(std::chrono::milliseconds(10));
    EXPECT_TRUE(future.get());
  }

  redis::RedisOptions options_;
  std::string prefix_;
};

domain::Event event(std::uint64_t channel_id, std::string data = "{}") {
  domain::Event out;
  out.type = "MESSAGE_CREATE";
  out.guild_id = 77;
  out.channel_id = channel_id;
  out.data = std::move(data);
  return out;
}

TEST_F(RedisBusTest, AnEventPublishedOnOneNodeReachesEveryNodeInOrder) {
  auto first = startNode();
  auto second = startNode();
  domain::Event overwrites = event(1, R"({"content":"hé"})");
  overwrites.type = "CHANNEL_UPDATE";
  overwrites.overwrites_changed = true;
  overwrites.previous_overwrites = {{5, domain::OverwriteType::kMember, 0, 1024}};
  first->events.publish(overwrites);
  ASSERT_TRUE(waitFor([&] { return first->recorder.eventCount() == 1 && second->recorder.eventCount() == 1; }))
      << "the publishing node hears its own event back, like every other";
  {
    std::lock_guard lock(second->recorder.mutex);
    const auto& got = second->recorder.events[0];
    EXPECT_EQ(got.type, "CHANNEL_UPDATE");
    EXPECT_EQ(got.data, R"({"content":"hé"})");
    EXPECT_TRUE(got.overwrites_changed);
    ASSERT_EQ(got.previous_overwrites.size(), 1u);
    EXPECT_EQ(got.previous_overwrites[0].deny, 1024u);
  }

  // Many events from one thread keep their order on every node.
  for (std::uint64_t idx = 2; idx <= 300; ++idx)
    first->events.publish(event(idx));
  ASSERT_TRUE(waitFor([&] { return first->recorder.eventCount() == 300 && second->recorder.eventCount() == 300; }));
  for (auto* node : {first.get(), second.get()}) {
    std::lock_guard lock(node->recorder.mutex);
    for (std::uint64_t idx = 1; idx <= 300; ++idx)
      ASSERT_EQ(node->recorder.events[idx - 1].channel_id, idx);
  }
  ASSERT_TRUE(waitFor([&] {
    return first->bus->metricsText().find("hearth_bus_events_published_total 300\n") != std::string::npos;
  })) << first->bus->metricsText();
  const std::string metrics = second->bus->metricsText();
  EXPECT_NE(metrics.find("hearth_bus_events_received_total 300\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("hearth_bus_events_published_total 0\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("hearth_bus_redis_up 1\n"), std::string::npos) << metrics;
}

TEST_F(RedisBusTest, GarbageOnTheChannelIsDroppedAndCounted) {
  auto node = startNode();
  publishRaw(prefix_ + "events", "{not json");
  publishRaw(prefix_ + "events", R"({"type":"A"})");
  publishRaw(prefix_ + "sessions", R"({"user_id":-1})");
  publishRaw(prefix_ + "events", encodeEvent(event(9)));
  ASSERT_TRUE(waitFor([&] { return node->recorder.eventCount() == 1; }));
  EXPECT_NE(node->bus->metricsText().find("hearth_bus_events_dropped_total{reason=\"bad_payload\"} 3\n"),
            std::string::npos)
      << node->bus->metricsText();
  EXPECT_EQ(node->recorder.endedCount(), 0u);
}

TEST_F(RedisBusTest, EndedSessionsReachEveryNode) {
  auto first = startNode();
  auto second = startNode();
  domain::SessionsEnded ended;
  ended.user_id = 12;
  ended.session_id = 34;
  first->bus->publishSessionsEnded(ended);
  ASSERT_TRUE(waitFor([&] { return first->recorder.endedCount() == 1 && second->recorder.endedCount() == 1; }));
  std::lock_guard lock(second->recorder.mutex);
  EXPECT_EQ(second->recorder.ended[0].user_id, 12u);
  EXPECT_EQ(second->recorder.ended[0].session_id, 34u);
  EXPECT_EQ(second->recorder.events.size(), 0u) << "not an event";
}

TEST_F(RedisBusTest, AfterCloseTheEventBusIsInProcessAgain) {
  auto node = startNode();
  node->bus->close();
  node->events.publish(event(5));
  EXPECT_EQ(node->recorder.eventCount(), 1u) << "delivered at once, locally";
  node->bus->close(); // idempotent
}

TEST_F(RedisBusTest, StartFailsWhenRedisDoesNotAnswer) {
  redis::RedisOptions unreachable = options_;
  unreachable.endpoint = *redis::parseUrl("unix:///nonexistent/hearth/redis.sock");
  domain::EventBus events;
  int delivered = 0;
  events.subscribe([&](const domain::Event&) { ++delivered; });
  RedisBus bus(unreachable, events, prefix_);
  const auto started_at = std::chrono::steady_clock::now();
  auto started = bus.start(std::chrono::milliseconds(400));
  ASSERT_FALSE(started.has_value());
  EXPECT_EQ(started.error().code, core::ErrorCode::kServiceUnavailable);
  EXPECT_EQ(started.error().message, "Redis at unix:///nonexistent/hearth/redis.sock did not answer within 400 ms");
  EXPECT_LT(std::chrono::steady_clock::now() - started_at, std::chrono::seconds(3));
  events.publish(event(1));
  EXPECT_EQ(delivered, 1) << "not the transport after a failed start";
}

} // namespace
} // namespace hearth::bus
