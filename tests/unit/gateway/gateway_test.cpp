#include "gateway/gateway.hpp"

#include <deque>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

namespace hearth::gateway {
namespace {

namespace asio = boost::asio;

// An in-memory connection: the protocol logic above net/ is what is under test here; the real
// WebSocket path is covered by tests/integration/gateway.test.mjs.
class FakeConnection final : public net::WsConnection {
public:
  asio::awaitable<std::optional<std::string>> read() override {
    asio::steady_timer poll(co_await asio::this_coro::executor);
    while (inbox.empty() && !peer_closed && !close_code) {
      poll.expires_after(std::chrono::milliseconds(1));
      co_await poll.async_wait(asio::use_awaitable);
    }
    if (inbox.empty()) co_return std::nullopt;
    std::string next = std::move(inbox.front());
    inbox.pop_front();
    co_return next;
  }
  bool send(std::shared_ptr<const std::string> frame) override {
    if (close_code) return false;
    sent.push_back(*frame);
    return true;
  }
  void close(std::uint16_t code, std::string reason) override {
    if (close_code) return;
    close_code = code;
    close_reason = std::move(reason);
  }
  bool isOpen() const noexcept override { return !close_code; }
  const std::string& remoteAddress() const noexcept override { return address_; }
  std::size_t queuedBytes() const noexcept override { return 0; }

  std::deque<std::string> inbox;
  std::vector<std::string> sent;
  std::optional<std::uint16_t> close_code;
  std::string close_reason;
  bool peer_closed = false;

private:
  std::string address_ = "test";
};

struct Harness {
  explicit Harness(GatewayConfig config, IdentifyFn identify = {}) : gateway(config, clock, std::move(identify)) {}

  // Runs the gateway on `connection` while `script` drives it; returns when both finish.
  void run(const std::function<asio::awaitable<void>(FakeConnection&)>& script) {
    auto connection = std::make_shared<FakeConnection>();
    net::Request request;
    bool gateway_done = false;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
          co_await gateway.run(connection, request);
          gateway_done = true;
        },
        asio::detached);
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
    if (token == "good") co_return Identity{R"({"id":"7","username":"ada"})", 7, 70, "[]"};
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
  EXPECT_EQ(frame->d_json, "251");
  const auto no_d = parseClientFrame(R"({"op":1})");
  ASSERT_TRUE(no_d.has_value());
  EXPECT_FALSE(no_d->heartbeat_seq.has_value());
  EXPECT_EQ(no_d->d_json, "null");
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

} // namespace
} // namespace hearth::gateway
