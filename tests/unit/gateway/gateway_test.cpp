#include "gateway/gateway.hpp"

#include <atomic>
#include <deque>
#include <set>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

namespace hearth::gateway {
namespace {

namespace asio = boost::asio;

// An in-memory connection: the protocol logic above net/ is what is under test here; the real
// WebSocket path is covered by tests/integration/gateway.test.mjs.
class FakeConnection final : public net::WsConnection, public std::enable_shared_from_this<FakeConnection> {
public:
  explicit FakeConnection(asio::any_io_executor executor) : executor_(executor), poll_(executor) {}

  void startReading(net::WsOnMessage on_message) override {
    on_message_ = std::move(on_message);
    readMore();
  }
  void readMore() override {
    asio::post(executor_, [self = shared_from_this()] { self->deliver(); });
  }
  asio::any_io_executor executor() override { return executor_; }
  bool send(net::WsText frame) override {
    if (close_code) return false;
    sent.push_back(net::flatten(frame));
    return true;
  }
  bool sendReplay(net::WsText frame) override { return send(std::move(frame)); }
  bool sendNow(std::vector<net::WsText>& frames) override {
    flushed_on.insert(std::this_thread::get_id());
    bool open = true;
    for (auto& frame : frames) {
      if (!(open = send(std::move(frame)))) break;
    }
    frames.clear();
    return open;
  }
  void close(std::uint16_t code, std::string reason) override {
    if (close_code) return;
    close_code = code;
    close_reason = std::move(reason);
  }
  bool isOpen() const noexcept override { return !close_code; }
  const std::string& remoteAddress() const noexcept override { return address_; }
  std::size_t queuedBytes() const noexcept override { return 0; }
  std::optional<std::uint16_t> closeCode() const noexcept override { return peer_close_code; }
  void enableZlibStream() override { zlib = true; }

  std::deque<std::string> inbox;
  std::vector<std::string> sent;
  std::set<std::thread::id> flushed_on; //!< the threads sendNow ran on
  std::optional<std::uint16_t> close_code;
  std::string close_reason;
  bool peer_closed = false;
  std::optional<std::uint16_t> peer_close_code;
  bool zlib = false;

private:
  // The next message, the end (closed, once the inbox is empty), or a look again in 1 ms.
  void deliver() {
    if (!on_message_) return;
    if (!inbox.empty()) {
      std::string next = std::move(inbox.front());
      inbox.pop_front();
      on_message_(std::move(next));
    } else if (peer_closed || close_code) {
      auto reader = std::move(on_message_);
      on_message_ = nullptr;
      reader(std::nullopt);
    } else {
      poll_.expires_after(std::chrono::milliseconds(1));
      poll_.async_wait([self = shared_from_this()](boost::system::error_code) { self->deliver(); });
    }
  }

  asio::any_io_executor executor_;
  asio::steady_timer poll_;
  net::WsOnMessage on_message_;
  std::string address_ = "test";
};

struct Harness {
  explicit Harness(GatewayConfig config, IdentifyFn identify = {}) : gateway(config, clock, std::move(identify)) {}

  // Runs the gateway on `connection` while `script` drives it; returns when both finish.
  void run(const std::function<asio::awaitable<void>(FakeConnection&)>& script) {
    auto connection = std::make_shared<FakeConnection>(io.get_executor());
    net::Request request;
    bool gateway_done = false;
    asio::post(io, [&] { gateway.run(connection, request, [&] { gateway_done = true; }); });
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
          co_await script(*connection);
          connection->peer_closed = true;
        },
        asio::detached);
    io.run_for(std::chrono::seconds(10));
    EXPECT_TRUE(gateway_done) << "the gateway loop did not end";
    last = connection;
  }

  core::ManualClock clock;
  Gateway gateway;
  asio::io_context io;
  std::shared_ptr<FakeConnection> last;
};

// Polls `condition` for up to `attempts` milliseconds of real time.
asio::awaitable<void> waitFor(const std::function<bool()>& condition, int attempts = 2000) {
  asio::steady_timer poll(co_await asio::this_coro::executor);
  for (int attempt = 0; attempt < attempts && !condition(); ++attempt) {
    poll.expires_after(std::chrono::milliseconds(1));
    co_await poll.async_wait(asio::use_awaitable);
  }
}

TEST(Gateway, SaysHelloThenAcknowledgesHeartbeats) {
  Harness harness(GatewayConfig{.heartbeat_interval = std::chrono::milliseconds(41250)});
  harness.run([](FakeConnection& connection) -> asio::awaitable<void> {
    co_await waitFor([&] { return !connection.sent.empty(); });
    connection.inbox.push_back(R"({"op":1,"d":null})");
    connection.inbox.push_back(R"({"op":1,"d":5})");
    co_await waitFor([&] { return connection.sent.size() == 3; });
  });
  const auto& sent = harness.last->sent;
  ASSERT_EQ(sent.size(), 3u);
  EXPECT_EQ(sent[0], R"({"op":10,"d":{"heartbeat_interval":41250},"s":null,"t":null})");
  EXPECT_EQ(sent[1], R"({"op":11,"d":null,"s":null,"t":null})");
  EXPECT_FALSE(harness.last->close_code.has_value());
}

TEST(Gateway, ClosesWith4009WhenHeartbeatsStop) {
  Harness harness(GatewayConfig{.heartbeat_interval = std::chrono::milliseconds(1000)});
  harness.run([&harness](FakeConnection& connection) -> asio::awaitable<void> {
    co_await waitFor([&] { return !connection.sent.empty(); });
    harness.clock.advance(std::chrono::milliseconds(1400)); // inside interval + grace (1500)
    // The watchdog looks every 125 ms of real time: 400 ms gives it three looks.
    co_await waitFor([&] { return connection.close_code.has_value(); }, 400);
    EXPECT_FALSE(connection.close_code.has_value()) << "closed too early";
    connection.inbox.push_back(R"({"op":1,"d":null})"); // moves the deadline to 1400 + 1500
    co_await waitFor([&] { return connection.sent.size() >= 2; });
    harness.clock.advance(std::chrono::milliseconds(1400));
    co_await waitFor([&] { return connection.close_code.has_value(); }, 400);
    EXPECT_FALSE(connection.close_code.has_value()) << "a heartbeat should have moved the deadline";
    harness.clock.advance(std::chrono::milliseconds(200));
    co_await waitFor([&] { return connection.close_code.has_value(); });
  });
  EXPECT_EQ(harness.last->close_code, 4009);
}

// One watchdog serves every connection: it closes the one whose heartbeats stopped, leaves the
// others alone, and stops with the last connection (nothing keeps the io_context running).
TEST(Gateway, OneWatchdogClosesOnlyTheConnectionsWhoseHeartbeatsStopped) {
  core::ManualClock clock;
  Gateway gateway(GatewayConfig{.heartbeat_interval = std::chrono::milliseconds(1000)}, clock);
  asio::io_context io;
  auto beating = std::make_shared<FakeConnection>(io.get_executor());
  auto silent = std::make_shared<FakeConnection>(io.get_executor());
  net::Request request;
  int ended = 0;
  for (const auto& connection : {beating, silent}) {
    asio::post(io, [&, connection] { gateway.run(connection, request, [&] { ++ended; }); });
  }
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        co_await waitFor([&] { return !beating->sent.empty() && !silent->sent.empty(); });
        clock.advance(std::chrono::milliseconds(1400));
        beating->inbox.push_back(R"({"op":1,"d":null})"); // its deadline moves to 1400 + 1500
        co_await waitFor([&] { return beating->sent.size() >= 2; });
        clock.advance(std::chrono::milliseconds(200)); // past the silent one's 1500
        co_await waitFor([&] { return silent->close_code.has_value(); });
        co_await waitFor([&] { return beating->close_code.has_value(); }, 400); // three more looks
        beating->peer_closed = true;
      },
      asio::detached);
  const auto started = std::chrono::steady_clock::now();
  io.run_for(std::chrono::seconds(10));
  EXPECT_EQ(silent->close_code, 4009);
  EXPECT_FALSE(beating->close_code.has_value());
  EXPECT_EQ(ended, 2);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(3));
}

TEST(Gateway, RateLimitsInboundFramesPerWindow) {
  Harness harness(GatewayConfig{.frames_per_window = 3, .rate_window = std::chrono::milliseconds(60000)});
  harness.run([&harness](FakeConnection& connection) -> asio::awaitable<void> {
    for (int frame_idx = 0; frame_idx < 3; ++frame_idx)
      connection.inbox.push_back(R"({"op":1,"d":null})");
    co_await waitFor([&] { return connection.sent.size() == 4; });
    harness.clock.advance(std::chrono::milliseconds(60001)); // the window slides: three more are fine
    for (int frame_idx = 0; frame_idx < 3; ++frame_idx)
      connection.inbox.push_back(R"({"op":1,"d":null})");
    co_await waitFor([&] { return connection.sent.size() == 7; });
    EXPECT_FALSE(connection.close_code.has_value());
    connection.inbox.push_back(R"({"op":1,"d":null})");
    co_await waitFor([&] { return connection.close_code.has_value(); });
  });
  EXPECT_EQ(harness.last->close_code, 4008);
}

struct CloseCase {
  const char* frame;
  std::uint16_t code;
};

class GatewayCloses : public ::testing::TestWithParam<CloseCase> {};

TEST_P(GatewayCloses, WithDiscordsCode) {
  Harness harness(GatewayConfig{});
  const std::string frame = GetParam().frame;
  harness.run([&frame](FakeConnection& connection) -> asio::awaitable<void> {
    connection.inbox.push_back(frame);
    co_await waitFor([&] { return connection.close_code.has_value(); });
  });
  EXPECT_EQ(harness.last->close_code, GetParam().code) << GetParam().frame;
}

INSTANTIATE_TEST_SUITE_P(Frames, GatewayCloses,
                         ::testing::Values(CloseCase{"not json", 4002}, CloseCase{"[1]", 4002},
                                           CloseCase{R"({"d":1})", 4002}, CloseCase{R"({"op":"1"})", 4002},
                                           CloseCase{R"({"op":1.5})", 4002}, CloseCase{R"({"op":42})", 4001},
                                           CloseCase{R"({"op":2,"d":{"token":"x"}})", 4004},
                                           CloseCase{R"({"op":3,"d":{}})", 4003},
                                           CloseCase{R"({"op":8,"d":{}})", 4003}));

TEST(Gateway, ResumeOfAnUnknownSessionGetsInvalidSession) {
  Harness harness(GatewayConfig{});
  harness.run([](FakeConnection& connection) -> asio::awaitable<void> {
    connection.inbox.push_back(R"({"op":6,"d":{"token":"t","session_id":"s","seq":1}})");
    co_await waitFor([&] { return connection.sent.size() == 2; });
  });
  ASSERT_EQ(harness.last->sent.size(), 2u);
  EXPECT_EQ(harness.last->sent[1], R"({"op":9,"d":false,"s":null,"t":null})");
}

// Accepts the token "good" as user 7; a database failure for "db-down".
IdentifyFn fakeIdentify() {
  return [](std::string token, std::size_t) -> asio::awaitable<core::Result<Identity>> {
    if (token == "good" || token == "good-too") {
      Identity identity;
      identity.user_json = R"({"id":"7","username":"ada"})";
      identity.user_id = 7;
      identity.session_id = 70;
      identity.guilds_json = "[]";
      identity.presence_candidates = {7, 8};
      co_return identity;
    }
    if (token == "db-down") co_return core::fail(core::ErrorCode::kDatabase, "down");
    co_return core::fail(core::ErrorCode::kUnauthorized, "bad token");
  };
}

TEST(Gateway, IdentifyWithAValidTokenGetsReadyWithTheUserAndSequenceOne) {
  Harness harness(GatewayConfig{}, fakeIdentify());
  harness.run([](FakeConnection& connection) -> asio::awaitable<void> {
    connection.inbox.push_back(R"({"op":2,"d":{"token":"good","properties":{"os":"linux"}}})");
    co_await waitFor([&] { return connection.sent.size() == 2; });
    connection.inbox.push_back(R"({"op":3,"d":{"status":"online"}})"); // accepted once identified
    connection.inbox.push_back(R"({"op":1,"d":1})");
    co_await waitFor([&] { return connection.sent.size() == 3; });
    connection.inbox.push_back(R"({"op":2,"d":{"token":"good"}})");
    co_await waitFor([&] { return connection.close_code.has_value(); });
  });
  const auto& sent = harness.last->sent;
  ASSERT_GE(sent.size(), 3u);
  EXPECT_TRUE(sent[1].starts_with(R"({"op":0,"s":1,"t":"READY","d":{"v":10,"user":{"id":"7","username":"ada"},)"))
      << sent[1];
  EXPECT_NE(sent[1].find(R"("session_id":")"), std::string::npos);
  EXPECT_EQ(sent[2], R"({"op":11,"d":null,"s":null,"t":null})");
  EXPECT_EQ(harness.last->close_code, 4005) << "a second IDENTIFY";
}

// A bug met while handling a frame (here, IDENTIFY's lookup throwing) closes that connection with
// 1011; the connection still ends in order and the server hears of it.
TEST(Gateway, AFrameWhoseHandlingThrowsClosesItsConnectionWith1011) {
  Harness harness(GatewayConfig{}, [](std::string, std::size_t) -> asio::awaitable<core::Result<Identity>> {
    throw std::runtime_error("lookup broke");
    co_return Identity{};
  });
  harness.run([](FakeConnection& connection) -> asio::awaitable<void> {
    connection.inbox.push_back(R"({"op":2,"d":{"token":"good","properties":{"os":"linux"}}})");
    co_await waitFor([&] { return connection.close_code.has_value(); });
  });
  EXPECT_EQ(harness.last->close_code, 1011);
  EXPECT_EQ(harness.last->close_reason, "internal error");
  EXPECT_EQ(harness.last->sent.size(), 1u) << "HELLO only, no READY";
}

TEST(Gateway, ClosingASessionClosesItsIdentifiedConnectionsOnly) {
  Harness harness(GatewayConfig{}, fakeIdentify());
  std::size_t before_close = 0;
  std::size_t other_session = 0;
  std::size_t other_user = 0;
  std::size_t after_close = 0;
  harness.run([&](FakeConnection& connection) -> asio::awaitable<void> {
    connection.inbox.push_back(R"({"op":2,"d":{"token":"good"}})");
    co_await waitFor([&] { return connection.sent.size() == 2; });
    before_close = harness.gateway.identifiedConnections();
    other_session = harness.gateway.closeSessions(7, 71, 0); // user 7's other session: not this one
    other_user = harness.gateway.closeSessions(8, 0, 0);
    EXPECT_EQ(harness.gateway.closeSessions(7, 0, 70), 0u) << "all but session 70";
    EXPECT_EQ(harness.gateway.closeSessions(7, 70, 0), 1u);
    co_await waitFor([&] { return connection.close_code.has_value(); });
  });
  after_close = harness.gateway.identifiedConnections();
  EXPECT_EQ(before_close, 1u);
  EXPECT_EQ(other_session, 0u);
  EXPECT_EQ(other_user, 0u);
  EXPECT_EQ(harness.last->close_code, 4004);
  EXPECT_EQ(after_close, 0u) << "the registry forgets ended connections";
}

TEST(Gateway, DispatchGoesToTheUsersConnectionsWithTheNextSequence) {
  Harness harness(GatewayConfig{}, fakeIdentify());
  std::size_t queued_for_other = 1;
  harness.run([&](FakeConnection& connection) -> asio::awaitable<void> {
    connection.inbox.push_back(R"({"op":2,"d":{"token":"good"}})");
    co_await waitFor([&] { return connection.sent.size() == 2; });
    EXPECT_EQ(harness.gateway.connectedUsers(), std::vector<std::uint64_t>{7});
    queued_for_other = harness.gateway.dispatch(8, "CHANNEL_CREATE", std::make_shared<const std::string>("{}"));
    EXPECT_EQ(harness.gateway.dispatch(7, "CHANNEL_CREATE", std::make_shared<const std::string>(R"({"id":"1"})")), 1u);
    co_await waitFor([&] { return connection.sent.size() == 3; });
    connection.inbox.push_back(R"({"op":1,"d":2})");
    co_await waitFor([&] { return connection.sent.size() == 4; });
    EXPECT_EQ(harness.gateway.dispatch(7, "GUILD_DELETE", std::make_shared<const std::string>(R"({"id":"9"})")), 1u);
    co_await waitFor([&] { return connection.sent.size() == 5; });
    connection.inbox.push_back(R"({"op":99})");
    co_await waitFor([&] { return connection.close_code.has_value(); });
  });
  const auto& sent = harness.last->sent;
  EXPECT_EQ(queued_for_other, 0u);
  ASSERT_GE(sent.size(), 5u);
  EXPECT_EQ(sent[2], R"({"op":0,"s":2,"t":"CHANNEL_CREATE","d":{"id":"1"}})");
  EXPECT_EQ(sent[4], R"({"op":0,"s":3,"t":"GUILD_DELETE","d":{"id":"9"}})");
  EXPECT_TRUE(sent[1].find(R"("guilds":[])") != std::string::npos) << sent[1];
}

TEST(Gateway, DispatchesFromManyThreadsReachTheConnectionInSequenceOrder) {
  // Deliveries come from every worker thread at once (each server's events on its own), one
  // user at a time and to many users at once; each connection must still see 2, 3, 4... .
  Harness harness(GatewayConfig{}, fakeIdentify());
  constexpr int kPerThread = 400;
  harness.run([&](FakeConnection& connection) -> asio::awaitable<void> {
    connection.inbox.push_back(R"({"op":2,"d":{"token":"good"}})");
    co_await waitFor([&] { return connection.sent.size() == 2; });
    auto data = std::make_shared<const std::string>("{}");
    std::thread one([&] {
      for (int index = 0; index < kPerThread; ++index)
        EXPECT_EQ(harness.gateway.dispatch(7, "TYPING_START", data), 1u);
    });
    std::thread each([&] {
      const std::vector<std::uint64_t> users{8, 7, 9};
      for (int index = 0; index < kPerThread; ++index)
        EXPECT_EQ(harness.gateway.dispatchToEach(users, "MESSAGE_CREATE", data), 1u);
    });
    // The connection's own thread (this one) keeps running the flushes meanwhile.
    co_await waitFor([&] { return connection.sent.size() == 2 + 2 * kPerThread; }, 10000);
    one.join();
    each.join();
    connection.inbox.push_back(R"({"op":99})");
    co_await waitFor([&] { return connection.close_code.has_value(); });
  });
  const auto& sent = harness.last->sent;
  ASSERT_EQ(sent.size(), 2u + 2 * kPerThread);
  int typing = 0;
  for (std::size_t index = 2; index < sent.size(); ++index) {
    const std::string expected_seq = "\"s\":" + std::to_string(index) + ",";
    ASSERT_NE(sent[index].find(expected_seq), std::string::npos) << "frame " << index << ": " << sent[index];
    if (sent[index].find("TYPING_START") != std::string::npos) ++typing;
  }
  EXPECT_EQ(typing, kPerThread);
}

TEST(Gateway, ADispatchToSessionsOnSeveralThreadsIsWrittenOnEachOnesOwnThread) {
  // Two connections of one user, on two worker threads. A dispatch from a third thread reaches
  // both with the same bytes (each thread's sessions share that thread's copy of the body), and
  // each connection is written on its own thread only.
  core::ManualClock clock;
  // Before the gateway, so they outlive it: its watchdog's timer belongs to one of them.
  asio::io_context io0;
  asio::io_context io1;
  Gateway gateway(GatewayConfig{}, clock, fakeIdentify());
  auto keep0 = asio::make_work_guard(io0);
  auto keep1 = asio::make_work_guard(io1);
  auto first = std::make_shared<FakeConnection>(io0.get_executor());
  auto second = std::make_shared<FakeConnection>(io1.get_executor());
  first->inbox.push_back(R"({"op":2,"d":{"token":"good"}})");
  second->inbox.push_back(R"({"op":2,"d":{"token":"good-too"}})");
  std::atomic<int> ended = 0;
  net::Request on0;
  on0.worker = 0;
  net::Request on1;
  on1.worker = 1;
  asio::post(io0, [&] { gateway.run(first, on0, [&] { ++ended; }); });
  asio::post(io1, [&] { gateway.run(second, on1, [&] { ++ended; }); });
  // Each thread returns once its context runs out of work (the guards go below), or after 30 s.
  std::thread thread0([&] { io0.run_for(std::chrono::seconds(30)); });
  std::thread thread1([&] { io1.run_for(std::chrono::seconds(30)); });
  const auto id0 = thread0.get_id();
  const auto id1 = thread1.get_id();
  for (int attempt = 0; attempt < 5000 && gateway.identifiedConnections() < 2; ++attempt)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  ASSERT_EQ(gateway.identifiedConnections(), 2u);

  constexpr int kDispatches = 100;
  for (int index = 0; index < kDispatches; ++index) {
    const auto data = std::make_shared<const std::string>(R"({"n":)" + std::to_string(index) + "}");
    EXPECT_EQ(gateway.dispatchToEach({7}, "MESSAGE_CREATE", data), 2u);
  }
  // After the flushes already posted to each thread, the client goes away.
  asio::post(io0, [&] { first->peer_closed = true; });
  asio::post(io1, [&] { second->peer_closed = true; });
  for (int attempt = 0; attempt < 5000 && ended < 2; ++attempt)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  keep0.reset();
  keep1.reset();
  thread0.join();
  thread1.join();

  EXPECT_EQ(ended, 2);
  ASSERT_EQ(first->sent.size(), 2u + kDispatches);
  ASSERT_EQ(second->sent.size(), 2u + kDispatches);
  for (int index = 0; index < kDispatches; ++index) {
    const std::size_t at = 2 + static_cast<std::size_t>(index);
    EXPECT_EQ(first->sent[at], R"({"op":0,"s":)" + std::to_string(at) + R"(,"t":"MESSAGE_CREATE","d":{"n":)" +
                                   std::to_string(index) + "}}");
    EXPECT_EQ(second->sent[at], first->sent[at]);
  }
  EXPECT_EQ(first->flushed_on, std::set<std::thread::id>{id0});
  EXPECT_EQ(second->flushed_on, std::set<std::thread::id>{id1});
}

TEST(Gateway, IdentifyFailuresMapToCloseCodes) {
  for (const auto& [token, code] :
       std::vector<std::pair<std::string, std::uint16_t>>{{"bad", 4004}, {"db-down", 4000}, {"", 4004}}) {
    Harness harness(GatewayConfig{}, fakeIdentify());
    const std::string frame = R"({"op":2,"d":{"token":")" + token + R"("}})";
    harness.run([&frame](FakeConnection& connection) -> asio::awaitable<void> {
      connection.inbox.push_back(frame);
      co_await waitFor([&] { return connection.close_code.has_value(); });
    });
    EXPECT_EQ(harness.last->close_code, code) << token;
  }
}

TEST(GatewayFrames, ParsesOpAndHeartbeatSequence) {
  const auto frame = parseClientFrame(R"({"op":1,"d":251,"s":null,"t":null})");
  ASSERT_TRUE(frame.has_value());
  EXPECT_EQ(frame->op, 1);
  EXPECT_EQ(frame->heartbeat_seq, 251);
  const auto no_d = parseClientFrame(R"({"op":1})");
  ASSERT_TRUE(no_d.has_value());
  EXPECT_FALSE(no_d->heartbeat_seq.has_value());
  const auto identify = parseClientFrame(R"({"op":2,"d":{"token":"abc","properties":{}}})");
  ASSERT_TRUE(identify.has_value());
  EXPECT_EQ(identify->token, "abc");
  EXPECT_EQ(parseClientFrame(R"({"op":2,"d":{"token":5}})")->token, "");
  EXPECT_FALSE(parseClientFrame(R"({"op":-1})").has_value());
  EXPECT_FALSE(parseClientFrame(R"({"op":256})").has_value());
}

TEST(GatewayFrames, MapsErrorsToCloseCodes) {
  EXPECT_EQ(closeCodeFor(core::ErrorCode::kInvalidJson), CloseCode::kDecodeError);
  EXPECT_EQ(closeCodeFor(core::ErrorCode::kUnauthorized), CloseCode::kAuthenticationFailed);
  EXPECT_EQ(closeCodeFor(core::ErrorCode::kRateLimited), CloseCode::kRateLimited);
  EXPECT_EQ(closeCodeFor(core::ErrorCode::kDatabase), CloseCode::kUnknownError);
}

std::string sessionIdOf(const std::string& ready) {
  const std::string key = R"("session_id":")";
  const auto at = ready.find(key);
  if (at == std::string::npos) return {};
  return ready.substr(at + key.size(), 32);
}

GatewayHooks resumableHooks() {
  GatewayHooks hooks;
  hooks.identify = fakeIdentify();
  hooks.authenticate = [](std::string token, std::size_t) -> asio::awaitable<core::Result<Principal>> {
    if (token == "good" || token == "good-too") co_return Principal{7, 70};
    if (token == "other-user") co_return Principal{8, 80};
    co_return core::fail(core::ErrorCode::kUnauthorized, "bad token");
  };
  return hooks;
}

struct ResumeHarness {
  explicit ResumeHarness(GatewayConfig config = {}, GatewayHooks hooks = resumableHooks())
      : gateway(config, clock, std::move(hooks)) {}

  // Runs one connection through `script`; returns what it was sent.
  std::shared_ptr<FakeConnection> run(const std::function<asio::awaitable<void>(FakeConnection&)>& script) {
    auto connection = std::make_shared<FakeConnection>(io.get_executor());
    net::Request request;
    bool done = false;
    asio::post(io, [&] { gateway.run(connection, request, [&] { done = true; }); });
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
          co_await script(*connection);
          connection->peer_closed = true;
        },
        asio::detached);
    io.restart();
    io.run_for(std::chrono::seconds(10));
    EXPECT_TRUE(done);
    return connection;
  }
  // Identifies, receives READY and `events` dispatches, then drops without a close frame.
  std::string identifyThenDrop(int events) {
    std::string id;
    run([&](FakeConnection& connection) -> asio::awaitable<void> {
      connection.inbox.push_back(R"({"op":2,"d":{"token":"good"}})");
      co_await waitFor([&] { return connection.sent.size() == 2; });
      id = sessionIdOf(connection.sent[1]);
      for (int event = 0; event < events; ++event)
        gateway.dispatch(7, "MESSAGE_CREATE", std::make_shared<const std::string>(std::to_string(event)));
      co_await waitFor([&] { return connection.sent.size() == 2 + static_cast<std::size_t>(events); });
    });
    return id;
  }
  std::shared_ptr<FakeConnection> resume(const std::string& token, const std::string& id, std::int64_t seq,
                                         std::size_t expect_frames) {
    const std::string frame =
        R"({"op":6,"d":{"token":")" + token + R"(","session_id":")" + id + R"(","seq":)" + std::to_string(seq) + "}}";
    return run([&](FakeConnection& connection) -> asio::awaitable<void> {
      connection.inbox.push_back(frame);
      co_await waitFor([&] { return connection.sent.size() >= expect_frames || connection.close_code.has_value(); });
    });
  }

  core::ManualClock clock;
  Gateway gateway;
  asio::io_context io;
};

TEST(GatewayResume, ReplaysWhatTheDroppedConnectionMissedInOrderThenResumed) {
  ResumeHarness harness;
  const auto id = harness.identifyThenDrop(2); // READY s1, events s2 s3 received
  ASSERT_EQ(id.size(), 32u);
  EXPECT_EQ(harness.gateway.identifiedConnections(), 0u);
  EXPECT_EQ(harness.gateway.connectedUsers(), std::vector<std::uint64_t>{7}) << "the session waits for a resume";
  // Sent while no connection is attached: kept for the resume.
  EXPECT_EQ(harness.gateway.dispatch(7, "MESSAGE_UPDATE", std::make_shared<const std::string>("\"late\"")), 1u);
  // The client saw s2 but not s3 (lost in flight).
  const auto resumed = harness.resume("good-too", id, 2, 4);
  const auto& sent = resumed->sent;
  ASSERT_EQ(sent.size(), 4u);
  EXPECT_EQ(sent[1], R"({"op":0,"s":3,"t":"MESSAGE_CREATE","d":1})");
  EXPECT_EQ(sent[2], R"({"op":0,"s":4,"t":"MESSAGE_UPDATE","d":"late"})");
  EXPECT_EQ(sent[3], R"({"op":0,"s":5,"t":"RESUMED","d":{}})");
  EXPECT_FALSE(resumed->close_code.has_value());
}

TEST(GatewayResume, RefusesUnknownForeignStaleAndFutureSequences) {
  GatewayConfig config;
  config.replay_limit = 3;
  ResumeHarness harness(config);
  const auto id = harness.identifyThenDrop(0);
  for (int event = 0; event < 5; ++event) // s2..s6; only s4..s6 are kept
    harness.gateway.dispatch(7, "TYPING_START", std::make_shared<const std::string>("{}"));
  const std::string invalid = R"({"op":9,"d":false,"s":null,"t":null})";
  EXPECT_EQ(harness.resume("good", "0123456789abcdef0123456789abcdef", 1, 2)->sent.back(), invalid) << "unknown";
  EXPECT_EQ(harness.resume("other-user", id, 1, 2)->sent.back(), invalid) << "another user's token";
  EXPECT_EQ(harness.resume("bad", id, 1, 2)->sent.back(), invalid) << "a bad token";
  EXPECT_EQ(harness.resume("good", id, 2, 2)->sent.back(), invalid) << "s3 is no longer kept";
  EXPECT_EQ(harness.resume("good", id, 99, 2)->close_code, 4007) << "a sequence never sent";
  const auto resumed = harness.resume("good", id, 3, 5);
  ASSERT_EQ(resumed->sent.size(), 5u) << "s4..s6 and RESUMED";
  EXPECT_EQ(resumed->sent[1], R"({"op":0,"s":4,"t":"TYPING_START","d":{}})");
}

TEST(GatewayResume, HeartbeatAcknowledgementsTrimTheReplayBuffer) {
  GatewayConfig config;
  config.replay_limit = 2;
  ResumeHarness harness(config);
  std::string id;
  harness.run([&](FakeConnection& connection) -> asio::awaitable<void> {
    connection.inbox.push_back(R"({"op":2,"d":{"token":"good"}})");
    co_await waitFor([&] { return connection.sent.size() == 2; });
    id = sessionIdOf(connection.sent[1]);
    harness.gateway.dispatch(7, "A", std::make_shared<const std::string>("1")); // s2
    harness.gateway.dispatch(7, "B", std::make_shared<const std::string>("2")); // s3
    connection.inbox.push_back(R"({"op":1,"d":3})"); // the client has s3
    co_await waitFor([&] { return connection.sent.size() == 5; });
  });
  harness.gateway.dispatch(7, "C", std::make_shared<const std::string>("3")); // s4
  harness.gateway.dispatch(7, "D", std::make_shared<const std::string>("4")); // s5
  // With a limit of 2, s4 and s5 fit because s2 and s3 were acknowledged.
  const auto resumed = harness.resume("good", id, 3, 4);
  ASSERT_EQ(resumed->sent.size(), 4u);
  EXPECT_EQ(resumed->sent[1], R"({"op":0,"s":4,"t":"C","d":3})");
}

TEST(GatewayResume, EndsWithTheResumeWindowAndWithNonResumableCloses) {
  ResumeHarness harness;
  const auto id = harness.identifyThenDrop(0);
  harness.clock.advance(std::chrono::seconds(179));
  harness.gateway.sweep();
  EXPECT_EQ(harness.gateway.connectedUsers().size(), 1u) << "inside the window";
  harness.clock.advance(std::chrono::seconds(2));
  harness.gateway.sweep();
  EXPECT_TRUE(harness.gateway.connectedUsers().empty());
  EXPECT_EQ(harness.resume("good", id, 1, 2)->sent.back(), R"({"op":9,"d":false,"s":null,"t":null})");

  // A client closing with 1000 ends its session at once.
  std::string closed_id;
  harness.run([&](FakeConnection& connection) -> asio::awaitable<void> {
    connection.inbox.push_back(R"({"op":2,"d":{"token":"good"}})");
    co_await waitFor([&] { return connection.sent.size() == 2; });
    closed_id = sessionIdOf(connection.sent[1]);
    connection.peer_close_code = 1000;
  });
  EXPECT_TRUE(harness.gateway.connectedUsers().empty());
  EXPECT_EQ(harness.resume("good", closed_id, 1, 2)->sent.back(), R"({"op":9,"d":false,"s":null,"t":null})");
}

// Two gateways stand for two nodes sharing a session store and an event stream (fakes here; the
// Redis ones are tested in tests/unit/bus and tests/integration/cluster.test.mjs).
struct SharedFake {
  std::map<std::string, SessionRecord> records;
  std::vector<ReplayEvent> stream; //!< what the user may see, in stream order
  std::uint64_t watermark = 100;
  std::vector<std::string> moved;
  std::function<void()> during_replay; //!< runs while the replay is read (live events arrive)

  SharedSessions hooks() {
    SharedSessions out;
    out.save = [this](const SessionRecord& record, std::chrono::milliseconds) { records[record.id] = record; };
    out.drop = [this](const std::string& id) { records.erase(id); };
    out.load = [this](std::string id, std::size_t) -> asio::awaitable<core::Result<std::optional<SessionRecord>>> {
      const auto found = records.find(id);
      co_return found == records.end() ? std::nullopt : std::optional(found->second);
    };
    out.replay = [this](std::uint64_t, std::uint64_t after,
                        std::size_t) -> asio::awaitable<core::Result<std::vector<ReplayEvent>>> {
      if (during_replay) during_replay();
      std::vector<ReplayEvent> missed;
      for (const auto& event : stream)
        if (event.pos > after) missed.push_back(event);
      co_return missed;
    };
    out.watermark = [this] { return watermark; };
    out.moved = [this](const std::string& id) { moved.push_back(id); };
    return out;
  }
};

std::shared_ptr<const std::string> text(const char* value) { return std::make_shared<const std::string>(value); }

TEST(GatewayResume, OnAnotherNodeFromTheSharedCheckpointAndStream) {
  SharedFake shared;
  auto hooks = resumableHooks();
  hooks.shared = shared.hooks();
  ResumeHarness first(GatewayConfig{}, hooks);
  ResumeHarness second(GatewayConfig{}, hooks);
  std::string id;
  first.run([&](FakeConnection& connection) -> asio::awaitable<void> {
    connection.inbox.push_back(R"({"op":2,"d":{"token":"good"}})");
    co_await waitFor([&] { return connection.sent.size() == 2; });
    id = sessionIdOf(connection.sent[1]);
    EXPECT_EQ(shared.records[id].pos, 100u) << "identified at the watermark";
    EXPECT_EQ(shared.records[id].seq, 1);
    first.gateway.dispatch(7, "MESSAGE_CREATE", text("101"), 101); // s2
    first.gateway.dispatch(7, "MESSAGE_CREATE", text("102"), 102); // s3
    shared.watermark = 102;
    connection.inbox.push_back(R"({"op":1,"d":2})"); // the client acknowledges s2 only
    co_await waitFor([&] { return connection.sent.size() == 5; });
  });
  ASSERT_EQ(shared.records[id].seq, 2);
  EXPECT_EQ(shared.records[id].pos, 101u) << "s3 (at 102) is unacknowledged: the checkpoint stays before it";
  // The node dies; the stream has moved on.
  shared.stream = {
      {"MESSAGE_CREATE", text("101"), 101}, {"MESSAGE_CREATE", text("102"), 102}, {"MESSAGE_CREATE", text("103"), 103}};
  // While the replay is read, live events reach the new node: one the replay has, one it hasn't.
  shared.during_replay = [&] {
    second.gateway.dispatch(7, "MESSAGE_CREATE", text("103"), 103);
    second.gateway.dispatch(7, "MESSAGE_CREATE", text("104"), 104);
  };
  const auto resumed = second.resume("good-too", id, 3, 5);
  const auto& sent = resumed->sent;
  ASSERT_EQ(sent.size(), 5u);
  // At least once, in order: 102 again (the client's s3 was not acknowledged), 103 once, 104.
  EXPECT_EQ(sent[1], R"({"op":0,"s":4,"t":"MESSAGE_CREATE","d":102})");
  EXPECT_EQ(sent[2], R"({"op":0,"s":5,"t":"MESSAGE_CREATE","d":103})");
  EXPECT_EQ(sent[3], R"({"op":0,"s":6,"t":"MESSAGE_CREATE","d":104})");
  EXPECT_EQ(sent[4], R"({"op":0,"s":7,"t":"RESUMED","d":{}})");
  EXPECT_FALSE(resumed->close_code.has_value());
  EXPECT_EQ(shared.moved, std::vector<std::string>{id});
  // The session lives on the second node now, and resumes there as usual.
  shared.during_replay = nullptr;
  EXPECT_EQ(second.gateway.dispatch(7, "TYPING_START", text("{}"), 105), 1u);
  const auto again = second.resume("good", id, 7, 3);
  ASSERT_EQ(again->sent.size(), 3u);
  EXPECT_EQ(again->sent[1], R"({"op":0,"s":8,"t":"TYPING_START","d":{}})");
  // The first node hears of the move and forgets its copy.
  first.gateway.sessionMovedAway(id);
  EXPECT_TRUE(first.gateway.connectedUsers().empty());
}

TEST(GatewayResume, OnAnotherNodeRefusesUnknownAndForeignSessions) {
  SharedFake shared;
  auto hooks = resumableHooks();
  hooks.shared = shared.hooks();
  ResumeHarness node(GatewayConfig{}, hooks);
  const std::string invalid = R"({"op":9,"d":false,"s":null,"t":null})";
  EXPECT_EQ(node.resume("good", "0123456789abcdef0123456789abcdef", 1, 2)->sent.back(), invalid) << "no record";
  shared.records["feedfacefeedfacefeedfacefeedface"] = SessionRecord{"feedfacefeedfacefeedfacefeedface", 7, 70, 1, 5};
  EXPECT_EQ(node.resume("other-user", "feedfacefeedfacefeedfacefeedface", 1, 2)->sent.back(), invalid)
      << "another user's token";
  EXPECT_TRUE(node.gateway.connectedUsers().empty()) << "nothing left behind";
  shared.records["feedfacefeedfacefeedfacefeedface"].sign_in = 71;
  EXPECT_EQ(node.resume("good", "feedfacefeedfacefeedfacefeedface", 1, 2)->sent.back(), invalid)
      << "the same user, another sign-in session";
  EXPECT_TRUE(shared.moved.empty());
}

TEST(GatewayPresence, CombinesSessionsAndAnnouncesOnlyChanges) {
  std::vector<std::string> announced;
  GatewayHooks hooks = resumableHooks();
  hooks.presence_changed = [&](std::uint64_t user, const std::string& status, const std::string& activities) {
    announced.push_back(std::to_string(user) + " " + status + " " + activities);
  };
  GatewayConfig config;
  config.presence_grace = std::chrono::milliseconds(0); // a drop reads offline at once
  ResumeHarness harness(config, std::move(hooks));
  std::string ready_presences;
  harness.run([&](FakeConnection& connection) -> asio::awaitable<void> {
    connection.inbox.push_back(R"({"op":2,"d":{"token":"good","presence":{"status":"dnd","afk":false}}})");
    co_await waitFor([&] { return connection.sent.size() == 2; });
    connection.inbox.push_back(R"({"op":3,"d":{"status":"dnd","afk":false,"since":null,"activities":[]}})");
    connection.inbox.push_back(
        R"({"op":3,"d":{"status":"idle","afk":true,"since":5,"activities":[{"type":4,"name":"Custom Status","state":"out \"for\" lunch"}]}})");
    connection.inbox.push_back(R"({"op":3,"d":{"status":"invisible","afk":false,"since":null,"activities":[]}})");
    connection.inbox.push_back(R"({"op":1,"d":null})");
    co_await waitFor([&] { return connection.sent.size() == 3; });
    EXPECT_EQ(harness.gateway.presencesJson({7}), "[]") << "invisible reads offline";
    connection.inbox.push_back(R"({"op":3,"d":{"status":"online","afk":false,"since":null,"activities":[]}})");
    connection.inbox.push_back(R"({"op":1,"d":null})");
    co_await waitFor([&] { return connection.sent.size() == 4; });
    ready_presences = harness.gateway.presencesJson({7, 8});
  });
  const std::vector<std::string> expected{
      "7 dnd []",     R"(7 idle [{"type":4,"name":"Custom Status","state":"out \"for\" lunch"}])",
      "7 offline []", "7 online []",
      "7 offline []", // the connection dropped
  };
  EXPECT_EQ(announced, expected);
  EXPECT_EQ(ready_presences,
            R"([{"user":{"id":"7"},"status":"online","activities":[],"client_status":{"web":"online"}}])");
}

TEST(GatewayPresence, ADroppedConnectionKeepsItsPresenceForTheGraceThenReadsOffline) {
  std::vector<std::string> announced;
  GatewayHooks hooks = resumableHooks();
  hooks.presence_changed = [&](std::uint64_t user, const std::string& status, const std::string&) {
    announced.push_back(std::to_string(user) + " " + status);
  };
  GatewayConfig config;
  config.presence_grace = std::chrono::seconds(10);
  ResumeHarness harness(config, std::move(hooks));
  const std::string id = harness.identifyThenDrop(0);
  EXPECT_EQ(announced, std::vector<std::string>{"7 online"}) << "a drop alone changes nothing";
  EXPECT_NE(harness.gateway.presenceJson(7), "");
  harness.clock.advance(std::chrono::seconds(9));
  harness.gateway.sweep();
  EXPECT_EQ(announced.size(), 1u) << "still within the grace";
  // Back within the grace: nobody saw it leave.
  EXPECT_EQ(harness.resume("good", id, 1, 2)->sent.back(), R"({"op":0,"s":2,"t":"RESUMED","d":{}})");
  EXPECT_EQ(announced.size(), 1u);
  // It drops again (the resumed connection ended without a close frame) and stays away.
  harness.clock.advance(std::chrono::seconds(10));
  harness.gateway.sweep();
  EXPECT_EQ(announced, (std::vector<std::string>{"7 online", "7 offline"}));
  EXPECT_EQ(harness.gateway.presenceJson(7), "");
  harness.gateway.sweep();
  EXPECT_EQ(announced.size(), 2u) << "announced once";
}

TEST(GatewayPresence, SeveralNodesPublishTheirSummaryAndCombineWhatTheStreamSays) {
  std::vector<std::string> announced;
  std::vector<std::string> published;
  GatewayHooks hooks = resumableHooks();
  hooks.presence_changed = [&](std::uint64_t user, const std::string& status, const std::string&) {
    announced.push_back(std::to_string(user) + " " + status);
  };
  hooks.shared_presence.publish = [&](std::uint64_t user, const NodePresence& presence) {
    published.push_back(std::to_string(user) + " " + std::to_string(presence.rank) + " " + presence.custom_status);
  };
  GatewayConfig config;
  config.presence_grace = std::chrono::milliseconds(0);
  ResumeHarness harness(config, std::move(hooks));
  harness.run([&](FakeConnection& connection) -> asio::awaitable<void> {
    connection.inbox.push_back(R"({"op":2,"d":{"token":"good","presence":{"status":"idle","afk":true}}})");
    co_await waitFor([&] { return connection.sent.size() == 2; });
    // Nothing is announced from local sessions alone: only what comes back from the stream.
    EXPECT_TRUE(announced.empty());
    EXPECT_EQ(harness.gateway.presenceJson(7), "");
  });
  EXPECT_EQ(published, (std::vector<std::string>{"7 1 ", "7 0 "})) << "idle, then gone";
  // The stream, in its order: node a (this one) idle, node b dnd, node a gone, node b gone.
  harness.gateway.applyPresence("a", 7, NodePresence{1, "", false});
  harness.gateway.applyPresence("b", 7, NodePresence{3, "busy", false});
  EXPECT_NE(harness.gateway.presenceJson(7).find(R"("status":"dnd","activities":[{"type":4)"), std::string::npos);
  harness.gateway.applyPresence("a", 7, NodePresence{0, "", false});
  harness.gateway.applyPresence("a", 7, NodePresence{0, "", false}); // a repeat changes nothing
  harness.gateway.applyPresence("c", 8, NodePresence{2, "", false});
  harness.gateway.nodeGone("b");
  EXPECT_EQ(announced, (std::vector<std::string>{"7 idle", "7 dnd", "8 online", "7 offline"}));
  EXPECT_EQ(harness.gateway.presencesJson({7, 8}),
            R"([{"user":{"id":"8"},"status":"online","activities":[],"client_status":{"web":"online"}}])");
  // Taken for gone by the others: this node says again what it holds (nothing now).
  published.clear();
  harness.gateway.republishPresence();
  EXPECT_TRUE(published.empty());
}

TEST(GatewayPresence, BadPresencePayloadsCloseWithDecodeError) {
  for (const std::string frame : {R"({"op":3,"d":{"status":"sleeping"}})", R"({"op":3,"d":5})",
                                  R"({"op":3,"d":{"status":"online","activities":{}}})"}) {
    ResumeHarness harness;
    const auto connection = harness.run([&](FakeConnection& conn) -> asio::awaitable<void> {
      conn.inbox.push_back(R"({"op":2,"d":{"token":"good"}})");
      co_await waitFor([&] { return conn.sent.size() == 2; });
      conn.inbox.push_back(frame);
      co_await waitFor([&] { return conn.close_code.has_value(); });
    });
    EXPECT_EQ(connection->close_code, 4002) << frame;
  }
}

TEST(GatewayMembers, AnswersRequestsInChunksWithNonceNotFoundAndPresences) {
  GatewayHooks hooks = resumableHooks();
  MemberRequest seen;
  hooks.request_members = [&seen](Principal who, MemberRequest request,
                                  std::size_t) -> asio::awaitable<core::Result<MemberAnswer>> {
    seen = request;
    MemberAnswer answer;
    if (who.user_id != 7) co_return answer;
    for (std::uint64_t user = 1; user <= 1001; ++user) {
      answer.members_json.push_back(R"({"user":{"id":")" + std::to_string(user) + R"("}})");
      answer.user_ids.push_back(user);
    }
    answer.not_found = {5000};
    co_return answer;
  };
  ResumeHarness harness(GatewayConfig{}, std::move(hooks));
  const auto connection = harness.run([&](FakeConnection& conn) -> asio::awaitable<void> {
    conn.inbox.push_back(R"({"op":2,"d":{"token":"good"}})");
    co_await waitFor([&] { return conn.sent.size() == 2; });
    conn.inbox.push_back(
        R"({"op":8,"d":{"guild_id":"42","query":"ad","limit":0,"presences":true,"user_ids":["5000"],"nonce":"n1"}})");
    co_await waitFor([&] { return conn.sent.size() == 4; });
  });
  EXPECT_EQ(seen.guild_id, 42u);
  EXPECT_EQ(seen.query, "ad");
  EXPECT_EQ(seen.user_ids, std::vector<std::uint64_t>{5000});
  ASSERT_EQ(connection->sent.size(), 4u);
  const auto& first = connection->sent[2];
  EXPECT_TRUE(first.starts_with(R"({"op":0,"s":2,"t":"GUILD_MEMBERS_CHUNK","d":{"guild_id":"42","members":[)"))
      << first;
  EXPECT_NE(first.find(R"("chunk_index":0,"chunk_count":2,"not_found":["5000"],"presences":[{"user":{"id":"7"})"),
            std::string::npos)
      << "user 7 is online (this session)";
  EXPECT_NE(first.find(R"("nonce":"n1")"), std::string::npos);
  EXPECT_NE(connection->sent[3].find(R"("members":[{"user":{"id":"1001"}}],"chunk_index":1,"chunk_count":2)"),
            std::string::npos);
}

TEST(GatewayFrames, ParsesResumeAndMemberRequestsOrRefusesTheirShape) {
  const auto resume = parseClientFrame(R"({"op":6,"d":{"token":"t","session_id":"abc","seq":12}})");
  ASSERT_TRUE(resume.has_value());
  EXPECT_EQ(resume->resume_session, "abc");
  EXPECT_EQ(resume->resume_seq, 12);
  EXPECT_EQ(resume->token, "t");
  for (const char* bad :
       {R"({"op":6,"d":{"token":"t","seq":1}})", R"({"op":6,"d":{"token":"t","session_id":"a","seq":"1"}})"}) {
    const auto parsed = parseClientFrame(bad);
    ASSERT_FALSE(parsed.has_value()) << bad;
    EXPECT_EQ(closeCodeFor(parsed.error().code), CloseCode::kDecodeError) << bad;
  }
  for (const char* bad : {R"({"op":8,"d":{"guild_id":42}})", R"({"op":8,"d":{"guild_id":"1","limit":1001}})",
                          R"({"op":8,"d":{"guild_id":"1","user_ids":[1]}})", R"({"op":3})"}) {
    const auto parsed = parseClientFrame(bad);
    ASSERT_TRUE(parsed.has_value()) << bad;
    EXPECT_TRUE(parsed->payload_error.has_value()) << bad;
  }
  EXPECT_FALSE(resumable(1000));
  EXPECT_FALSE(resumable(4004));
  EXPECT_TRUE(resumable(4000));
  EXPECT_TRUE(resumable(1006));
}

} // namespace
} // namespace hearth::gateway
