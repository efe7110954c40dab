// RedisBus against the test Redis (HEARTH_TEST_REDIS): two buses stand for two nodes. An event
// published on one reaches the handlers of both, in order, with its stream position; garbage in
// the stream is dropped and counted; ended and moved sessions travel too; the stream can be read
// again from a position (RESUME on another node), records are kept; an unreachable Redis fails
// the start.
#include "bus/redis_bus.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <map>
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
  std::vector<std::string> presence; //!< "<node> <user> <rank> <custom>"
  std::vector<std::string> gone;

  std::vector<std::string> presenceSeen() {
    std::lock_guard lock(mutex);
    return presence;
  }
  std::vector<std::string> goneSeen() {
    std::lock_guard lock(mutex);
    return gone;
  }

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

  std::unique_ptr<Node> startNode(std::chrono::milliseconds node_timeout = std::chrono::seconds(20)) {
    auto node = std::make_unique<Node>();
    Recorder* recorder = &node->recorder;
    node->events.subscribe([recorder](const domain::Event& event) {
      std::lock_guard lock(recorder->mutex);
      recorder->events.push_back(event);
    });
    RedisBusOptions bus_options{prefix_};
    bus_options.node_timeout = node_timeout;
    bus_options.node_heartbeat = node_timeout / 5;
    node->bus = std::make_unique<RedisBus>(options_, node->events, bus_options);
    node->bus->onPresence(
        [recorder](const std::string& from, std::uint64_t user, int rank, const std::string& custom, bool foreground) {
          std::lock_guard lock(recorder->mutex);
          recorder->presence.push_back(from + " " + std::to_string(user) + " " + std::to_string(rank) +
                                       (foreground ? "f " : " ") + custom);
        });
    node->bus->onNodeGone([recorder](const std::string& from) {
      std::lock_guard lock(recorder->mutex);
      recorder->gone.push_back(from);
    });
    node->bus->onSessionsEnded([recorder](const domain::SessionsEnded& ended) {
      std::lock_guard lock(recorder->mutex);
      recorder->ended.push_back(ended);
    });
    auto started = node->bus->start(std::chrono::seconds(5));
    EXPECT_TRUE(started.has_value()) << started.error().message;
    return node;
  }

  //! XADD from outside any bus, as a misbehaving node would.
  void publishRaw(const std::string& kind, const std::string& payload) {
    rawCommand({"XADD", prefix_ + "stream", "*", "k", kind, "p", payload});
  }

  //! Any command, from outside any bus.
  void rawCommand(std::vector<std::string> command) {
    boost::asio::io_context io;
    redis::RedisClient client(io.get_executor(), options_);
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

  //! Runs a coroutine to completion on an io_context of its own.
  template <typename Body> auto run(Body body) {
    boost::asio::io_context io;
    auto future = boost::asio::co_spawn(io, body(), boost::asio::use_future);
    // Until nothing holds work on `io`: the Redis client's reply handler does, from its thread.
    io.run();
    return future.get();
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

TEST_F(RedisBusTest, GarbageInTheStreamIsDroppedAndCounted) {
  auto node = startNode();
  publishRaw("e", "{not json");
  publishRaw("e", R"({"type":"A"})");
  publishRaw("s", R"({"user_id":-1})");
  publishRaw("m", "no-space");
  publishRaw("x", "{}");
  publishRaw("e", encodeEvent(event(9)));
  ASSERT_TRUE(waitFor([&] { return node->recorder.eventCount() == 1; }));
  EXPECT_NE(node->bus->metricsText().find("hearth_bus_events_dropped_total{reason=\"bad_payload\"} 5\n"),
            std::string::npos)
      << node->bus->metricsText();
  EXPECT_EQ(node->recorder.endedCount(), 0u);
}

TEST_F(RedisBusTest, StreamIdsPackIntoOrderedPositions) {
  EXPECT_EQ(packStreamId("0-0"), 0u);
  const auto a = packStreamId("1700000000000-5");
  const auto b = packStreamId("1700000000000-6");
  const auto c = packStreamId("1700000000001-0");
  ASSERT_TRUE(a && b && c);
  EXPECT_LT(*a, *b);
  EXPECT_LT(*b, *c);
  EXPECT_EQ(streamIdText(*a), "1700000000000-5");
  EXPECT_EQ(streamIdText(*c - 1), "1700000000000-1048575") << "just before c: the end of the previous ms";
  for (const char* bad : {"", "-", "12", "12-", "-3", "a-1", "1-1048576", "1-2-3", "99999999999999999999-0"})
    EXPECT_FALSE(packStreamId(bad).has_value()) << bad;
}

TEST_F(RedisBusTest, EventsCarryTheirPositionAndCanBeReadAgainFromOne) {
  auto node = startNode();
  int stored = 0;
  std::mutex stored_mutex;
  for (std::uint64_t idx = 1; idx <= 5; ++idx) {
    node->bus->publish(event(idx), [&] {
      std::lock_guard lock(stored_mutex);
      ++stored;
    });
  }
  ASSERT_TRUE(waitFor([&] { return node->recorder.eventCount() == 5; }));
  {
    std::lock_guard lock(stored_mutex);
    EXPECT_EQ(stored, 5) << "each publish says when it is stored";
  }
  std::vector<std::uint64_t> positions;
  {
    std::lock_guard lock(node->recorder.mutex);
    for (const auto& got : node->recorder.events)
      positions.push_back(got.stream_pos);
  }
  ASSERT_TRUE(std::is_sorted(positions.begin(), positions.end()));
  EXPECT_GT(positions.front(), node->bus->startPosition());
  // From after the second: the third to the fifth, as they were.
  const auto after = run([&]() -> boost::asio::awaitable<core::Result<std::vector<domain::Event>>> {
    co_return co_await node->bus->eventsAfter(positions[1], 100);
  });
  ASSERT_TRUE(after.has_value()) << after.error().message;
  ASSERT_EQ(after->size(), 3u);
  for (std::size_t idx = 0; idx < 3; ++idx) {
    EXPECT_EQ((*after)[idx].channel_id, idx + 3);
    EXPECT_EQ((*after)[idx].stream_pos, positions[idx + 2]);
  }
  const auto too_many = run([&]() -> boost::asio::awaitable<core::Result<std::vector<domain::Event>>> {
    co_return co_await node->bus->eventsAfter(0, 2);
  });
  EXPECT_FALSE(too_many.has_value()) << "more than asked for is an error, not a cut";
}

TEST_F(RedisBusTest, RecordsAreReplacedWholeAndDropped) {
  auto node = startNode();
  node->bus->putRecord("s1", {{"user", "7"}, {"pos", "9"}}, std::chrono::seconds(30));
  node->bus->putRecord("s1", {{"user", "8"}}, std::chrono::seconds(30));
  using Fields = std::map<std::string, std::string>;
  const auto read = [&](std::string key) {
    return run([&]() -> boost::asio::awaitable<core::Result<Fields>> { co_return co_await node->bus->record(key); });
  };
  auto got = read("s1");
  ASSERT_TRUE(got.has_value()) << got.error().message;
  EXPECT_EQ(*got, (Fields{{"user", "8"}})) << "the second put replaced the first whole";
  node->bus->dropRecord("s1");
  got = read("s1");
  ASSERT_TRUE(got.has_value());
  EXPECT_TRUE(got->empty());
  node->bus->putRecord("s2", {{"user", "1"}}, std::chrono::milliseconds(50));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  got = read("s2");
  ASSERT_TRUE(got.has_value());
  EXPECT_TRUE(got->empty()) << "expired";
}

TEST_F(RedisBusTest, ANodeReadsFromWhereTheStreamWasWhenItStarted) {
  auto first = startNode();
  first->events.publish(event(1));
  ASSERT_TRUE(waitFor([&] { return first->recorder.eventCount() == 1; }));
  auto second = startNode();
  first->events.publish(event(2));
  ASSERT_TRUE(waitFor([&] { return second->recorder.eventCount() == 1; }));
  std::lock_guard lock(second->recorder.mutex);
  EXPECT_EQ(second->recorder.events[0].channel_id, 2u) << "what came before its start is not its to deliver";
}

TEST_F(RedisBusTest, MovedSessionsReachEveryNodeWithTheNewNode) {
  auto first = startNode();
  auto second = startNode();
  std::mutex mutex;
  std::vector<std::string> moves;
  second->bus->close();
  // A bus of its own with the handler set before start.
  domain::EventBus events;
  RedisBus watcher(options_, events, RedisBusOptions{prefix_});
  watcher.onSessionMoved([&](const std::string& id, const std::string& node) {
    std::lock_guard lock(mutex);
    moves.push_back(id + "@" + node);
  });
  ASSERT_TRUE(watcher.start(std::chrono::seconds(5)).has_value());
  first->bus->publishSessionMoved("abc123");
  ASSERT_TRUE(waitFor([&] {
    std::lock_guard lock(mutex);
    return moves.size() == 1;
  }));
  std::lock_guard lock(mutex);
  EXPECT_EQ(moves[0], "abc123@" + first->bus->node());
  EXPECT_NE(first->bus->node(), watcher.node());
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

TEST_F(RedisBusTest, PresenceReachesEveryNodeAndANodeStartingLaterReadsWhatOthersHold) {
  auto first = startNode();
  auto second = startNode();
  const std::string a = first->bus->node();
  first->bus->publishPresence(5, 2, "out \"for\" lunch, back soon");
  first->bus->publishPresence(6, 3, "", true); // in the foreground (Web Push)
  first->bus->publishPresence(6, 0, "");
  const std::vector<std::string> expected{a + " 5 2 out \"for\" lunch, back soon", a + " 6 3f ", a + " 6 0 "};
  ASSERT_TRUE(waitFor([&] { return second->recorder.presenceSeen().size() == 3; }));
  EXPECT_EQ(second->recorder.presenceSeen(), expected);
  ASSERT_TRUE(waitFor([&] { return first->recorder.presenceSeen().size() == 3; }));
  EXPECT_EQ(first->recorder.presenceSeen(), expected) << "the publishing node applies its own from the stream too";

  // A node starting now learns what the others hold at start (user 6 is gone), not the history.
  auto third = startNode();
  EXPECT_EQ(third->recorder.presenceSeen(), std::vector<std::string>{a + " 5 2 out \"for\" lunch, back soon"});

  // A node that shuts down says so: the others forget its presence at once.
  first->bus->close();
  ASSERT_TRUE(waitFor([&] { return second->recorder.goneSeen() == std::vector<std::string>{a}; }));
  ASSERT_TRUE(waitFor([&] { return third->recorder.goneSeen() == std::vector<std::string>{a}; }));
  EXPECT_TRUE(first->recorder.goneSeen().empty())
      << "its own goodbye, read back while closing, is not taken for the others declaring it gone";
  auto fourth = startNode();
  EXPECT_TRUE(fourth->recorder.presenceSeen().empty()) << "its entries were removed";
}

TEST_F(RedisBusTest, ANodeThatSaysNothingIsTakenForGoneAndLiveOnesAreNot) {
  // A node that died holding a user's presence: listed, with an entry, and silent.
  rawCommand({"SADD", prefix_ + "nodes", "ghost"});
  rawCommand({"HSET", prefix_ + "presence:ghost", "9", "2 "});
  const auto timeout = std::chrono::milliseconds(600);
  auto first = startNode(timeout);
  auto second = startNode(timeout);
  EXPECT_EQ(first->recorder.presenceSeen(), std::vector<std::string>{"ghost 9 2 "}) << "read at start";
  ASSERT_TRUE(
      waitFor([&] { return first->recorder.goneSeen().size() >= 1 && second->recorder.goneSeen().size() >= 1; }));
  // Both may have noticed it: each says so once, so it may be announced twice; never a live node.
  std::this_thread::sleep_for(4 * timeout);
  for (auto* node : {first.get(), second.get()}) {
    for (const auto& gone : node->recorder.goneSeen())
      EXPECT_EQ(gone, "ghost") << "live nodes send signs of life";
  }
  auto third = startNode(timeout);
  EXPECT_TRUE(third->recorder.presenceSeen().empty()) << "the ghost's entries were removed";
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
  RedisBus bus(unreachable, events, RedisBusOptions{prefix_});
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
