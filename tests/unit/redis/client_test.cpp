// RedisClient against the test Redis (HEARTH_TEST_REDIS): commands, pipelining in order, error
// replies, reconnection after its connection is killed; and against a stand-in server for
// batching, silence, garbage and a server that comes up late. Also the URL parser.
#include "redis/client.hpp"

#include <chrono>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "unit/redis/redis_test_support.hpp"

namespace hearth::redis {
namespace {

namespace asio = boost::asio;
using core::ErrorCode;
using test_support::call;
using test_support::FakeServer;
using test_support::runUntil;

TEST(RedisUrl, ParsesUnixSocketsAndTcpAddresses) {
  auto unix_socket = parseUrl("unix:///var/run/redis/redis.sock");
  ASSERT_TRUE(unix_socket.has_value());
  EXPECT_EQ(unix_socket->unix_path, "/var/run/redis/redis.sock");
  EXPECT_EQ(unix_socket->display(), "unix:///var/run/redis/redis.sock");

  auto with_password = parseUrl("unix://:s3cret@/tmp/r.sock");
  ASSERT_TRUE(with_password.has_value());
  EXPECT_EQ(with_password->unix_path, "/tmp/r.sock");
  EXPECT_EQ(with_password->password, "s3cret");

  auto plain = parseUrl("redis://127.0.0.1");
  ASSERT_TRUE(plain.has_value());
  EXPECT_EQ(plain->host, "127.0.0.1");
  EXPECT_EQ(plain->port, 6379);
  EXPECT_EQ(plain->db, 0);
  EXPECT_TRUE(plain->password.empty());

  auto full = parseUrl("redis://hearth:p%40ss%3Aword@cache.internal:6380/3");
  ASSERT_TRUE(full.has_value());
  EXPECT_EQ(full->host, "cache.internal");
  EXPECT_EQ(full->port, 6380);
  EXPECT_EQ(full->db, 3);
  EXPECT_EQ(full->username, "hearth");
  EXPECT_EQ(full->password, "p@ss:word");
  EXPECT_EQ(full->display(), "redis://cache.internal:6380/3") << "no credentials in logs";

  auto password_only = parseUrl("redis://:secret@localhost:7000");
  ASSERT_TRUE(password_only.has_value());
  EXPECT_TRUE(password_only->username.empty());
  EXPECT_EQ(password_only->password, "secret");

  auto ipv6 = parseUrl("redis://[::1]:6390/1");
  ASSERT_TRUE(ipv6.has_value());
  EXPECT_EQ(ipv6->host, "::1");
  EXPECT_EQ(ipv6->port, 6390);
  EXPECT_EQ(ipv6->display(), "redis://[::1]:6390/1");
}

TEST(RedisUrl, RejectsWhatItCannotUse) {
  for (const char* url :
       {"", "localhost:6379", "http://localhost", "rediss://localhost", "unix://relative.sock", "unix://", "redis://",
        "redis://:pw@", "redis://host:0", "redis://host:65536", "redis://host:port", "redis://host:", "redis://host/db",
        "redis://host/-1", "redis://[::1", "redis://[::1]x", "redis://a:b%zz@host"}) {
    const auto parsed = parseUrl(url);
    EXPECT_FALSE(parsed.has_value()) << url;
    if (!parsed) {
      EXPECT_NE(parsed.error().message.find("bad Redis URL"), std::string::npos) << url;
    }
  }
  EXPECT_NE(parseUrl("rediss://h").error().message.find("TLS"), std::string::npos);
}

class RedisClientTest : public ::testing::Test {
protected:
  void SetUp() override {
    const auto endpoint = test_support::testEndpoint();
    ASSERT_TRUE(endpoint.has_value()) << test_support::kMissingRedis;
    endpoint_ = *endpoint;
    prefix_ = "hearth-test:" + test_support::randomWord() + ":";
  }

  RedisOptions options(const std::string& client_name = {}) const {
    RedisOptions options;
    options.endpoint = endpoint_;
    options.client_name = client_name;
    options.backoff_initial = std::chrono::milliseconds(20);
    options.backoff_max = std::chrono::milliseconds(200);
    return options;
  }

  static RedisOptions fakeOptions(const FakeServer& server) {
    RedisOptions options;
    options.endpoint = *parseUrl(server.url());
    options.backoff_initial = std::chrono::milliseconds(20);
    options.backoff_max = std::chrono::milliseconds(100);
    return options;
  }

  asio::io_context io_; // first member: clients in test bodies go before it
  Endpoint endpoint_;
  std::string prefix_;
};

TEST_F(RedisClientTest, SetsAndGetsValues) {
  RedisClient client(io_.get_executor(), options());
  const std::string key = prefix_ + "greeting";
  const std::string value("hé\r\n\0llo", 9);

  auto set = call(io_, client, {"SET", key, value, "EX", "60"});
  ASSERT_TRUE(set.has_value()) << set.error().message;
  EXPECT_EQ(set->type, Reply::Type::kSimple);
  EXPECT_EQ(set->text, "OK");
  EXPECT_TRUE(client.connected());

  auto get = call(io_, client, {"GET", key});
  ASSERT_TRUE(get.has_value()) << get.error().message;
  EXPECT_EQ(get->type, Reply::Type::kBulk);
  EXPECT_EQ(get->text, value);

  auto missing = call(io_, client, {"GET", prefix_ + "nothing"});
  ASSERT_TRUE(missing.has_value());
  EXPECT_TRUE(missing->isNull());

  auto removed = call(io_, client, {"DEL", key});
  ASSERT_TRUE(removed.has_value());
  EXPECT_EQ(removed->integer, 1);
}

TEST_F(RedisClientTest, ManyConcurrentCommandsKeepTheirOrder) {
  RedisClient client(io_.get_executor(), options());
  const std::string counter = prefix_ + "counter";
  constexpr int kCommands = 2000;
  std::vector<std::int64_t> seen(kCommands, -1);
  std::vector<std::string> echoed(kCommands);
  int done = 0;
  for (int idx = 0; idx < kCommands; ++idx) {
    asio::co_spawn(
        io_,
        [&, idx]() -> asio::awaitable<void> {
          std::vector<std::string> incr{"INCR", counter};
          auto count = co_await client.command(std::move(incr));
          std::vector<std::string> echo{"ECHO", "payload-" + std::to_string(idx)};
          auto back = co_await client.command(std::move(echo));
          if (count) seen[static_cast<std::size_t>(idx)] = count->integer;
          if (back) echoed[static_cast<std::size_t>(idx)] = back->text;
          ++done;
        },
        asio::detached);
  }
  runUntil(io_, [&] { return done == kCommands; });
  for (int idx = 0; idx < kCommands; ++idx) {
    ASSERT_EQ(seen[static_cast<std::size_t>(idx)], idx + 1) << "the replies of INCR came back in the order sent";
    ASSERT_EQ(echoed[static_cast<std::size_t>(idx)], "payload-" + std::to_string(idx));
  }
  call(io_, client, {"DEL", counter});
}

TEST_F(RedisClientTest, CommandsFromAnotherThreadArriveInOrder) {
  RedisClient client(io_.get_executor(), options());
  const std::string list = prefix_ + "list";
  std::atomic<int> answered{0};
  std::thread sender([&] {
    for (int idx = 0; idx < 500; ++idx)
      client.send({"RPUSH", list, std::to_string(idx)}, [&](core::Result<Reply> reply) {
        if (reply) ++answered;
      });
  });
  runUntil(io_, [&] { return answered == 500; });
  sender.join();
  auto items = call(io_, client, {"LRANGE", list, "0", "-1"});
  ASSERT_TRUE(items.has_value());
  ASSERT_EQ(items->elements.size(), 500u);
  for (std::size_t idx = 0; idx < 500; ++idx)
    ASSERT_EQ(items->elements[idx].text, std::to_string(idx));
  call(io_, client, {"DEL", list});
}

TEST_F(RedisClientTest, ErrorRepliesComeBackAsErrorsWithTheServersText) {
  RedisClient client(io_.get_executor(), options());
  auto unknown = call(io_, client, {"NOSUCHCOMMAND", "x"});
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error().code, ErrorCode::kGeneral);
  EXPECT_TRUE(unknown.error().message.starts_with("ERR unknown command")) << unknown.error().message;

  const std::string key = prefix_ + "text";
  ASSERT_TRUE(call(io_, client, {"SET", key, "not a number", "EX", "60"}).has_value());
  auto incr = call(io_, client, {"INCR", key});
  ASSERT_FALSE(incr.has_value());
  EXPECT_EQ(incr.error().message, "ERR value is not an integer or out of range");
  auto wrong_type = call(io_, client, {"LPUSH", key, "x"});
  ASSERT_FALSE(wrong_type.has_value());
  EXPECT_TRUE(wrong_type.error().message.starts_with("WRONGTYPE")) << wrong_type.error().message;

  // The connection carries on.
  auto ping = call(io_, client, {"PING"});
  ASSERT_TRUE(ping.has_value());
  EXPECT_EQ(ping->text, "PONG");
  call(io_, client, {"DEL", key});
}

TEST_F(RedisClientTest, ReconnectsAfterItsConnectionIsKilled) {
  RedisClient admin(io_.get_executor(), options());
  RedisClient victim(io_.get_executor(), options("hearth-test-victim-" + test_support::randomWord()));
  auto first_id = call(io_, victim, {"CLIENT", "ID"});
  ASSERT_TRUE(first_id.has_value()) << first_id.error().message;

  // A command in flight when the connection dies fails, clearly.
  auto blocked = test_support::spawn(io_, [&]() {
    std::vector<std::string> blpop{"BLPOP", prefix_ + "never", "10"};
    return victim.command(std::move(blpop));
  });
  test_support::runFor(io_, std::chrono::milliseconds(200));
  auto killed = call(io_, admin, {"CLIENT", "KILL", "ID", std::to_string(first_id->integer)});
  ASSERT_TRUE(killed.has_value()) << killed.error().message;
  EXPECT_EQ(killed->integer, 1);
  runUntil(io_, [&] { return test_support::isReady(blocked); });
  const auto lost = *blocked.get();
  ASSERT_FALSE(lost.has_value());
  EXPECT_EQ(lost.error().code, ErrorCode::kServiceUnavailable);
  EXPECT_NE(lost.error().message.find("connection to Redis lost"), std::string::npos) << lost.error().message;

  // The next one goes out on a new connection.
  auto second_id = call(io_, victim, {"CLIENT", "ID"});
  ASSERT_TRUE(second_id.has_value()) << second_id.error().message;
  EXPECT_NE(second_id->integer, first_id->integer);
  EXPECT_TRUE(victim.connected());
  auto name = call(io_, victim, {"CLIENT", "GETNAME"});
  ASSERT_TRUE(name.has_value());
  EXPECT_TRUE(name->text.starts_with("hearth-test-victim-")) << "named again on the new connection";
}

TEST_F(RedisClientTest, CommandsWaitForAConnectionThenFail) {
  RedisOptions unreachable = options();
  unreachable.endpoint.unix_path = "/nonexistent/hearth/redis.sock";
  unreachable.reconnect_wait = std::chrono::milliseconds(300);
  RedisClient client(io_.get_executor(), unreachable);
  const auto started = std::chrono::steady_clock::now();
  auto result = call(io_, client, {"PING"});
  const auto waited = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kServiceUnavailable);
  EXPECT_EQ(result.error().message, "Redis at unix:///nonexistent/hearth/redis.sock is unreachable");
  EXPECT_GE(waited, std::chrono::milliseconds(250));
  EXPECT_LT(waited, std::chrono::seconds(3));
  EXPECT_FALSE(client.connected());
}

TEST_F(RedisClientTest, CommandsQueuedWhileDisconnectedGoOutOnceTheServerIsUp) {
  FakeServer server(io_, [](const std::vector<std::string>& command) -> std::string {
    if (command[0] == "PING") return "+PONG\r\n";
    return "$" + std::to_string(command[1].size()) + "\r\n" + command[1] + "\r\n";
  });
  RedisOptions late = fakeOptions(server);
  late.reconnect_wait = std::chrono::seconds(5);
  RedisClient client(io_.get_executor(), late);
  auto waiting = test_support::spawn(io_, [&]() {
    std::vector<std::string> echo{"ECHO", "after all"};
    return client.command(std::move(echo));
  });
  test_support::runFor(io_, std::chrono::milliseconds(300));
  EXPECT_FALSE(test_support::isReady(waiting));
  server.start();
  runUntil(io_, [&] { return test_support::isReady(waiting); });
  const auto result = *waiting.get();
  ASSERT_TRUE(result.has_value()) << result.error().message;
  EXPECT_EQ(result->text, "after all");
}

TEST_F(RedisClientTest, QueuedCommandsLeaveInOneWrite) {
  FakeServer server(io_, [](const std::vector<std::string>& command) -> std::string {
    if (command[0] == "PING") return "+PONG\r\n";
    return ":" + command[1] + "\r\n";
  });
  server.start();
  RedisClient client(io_.get_executor(), fakeOptions(server));
  ASSERT_TRUE(call(io_, client, {"PING"}).has_value());
  const std::size_t reads_before = server.commandsPerRead().size();

  int done = 0;
  std::vector<std::int64_t> results(200, -1);
  for (int idx = 0; idx < 200; ++idx) {
    asio::co_spawn(
        io_,
        [&, idx]() -> asio::awaitable<void> {
          std::vector<std::string> echo{"ECHO", std::to_string(idx)};
          auto reply = co_await client.command(std::move(echo));
          if (reply) results[static_cast<std::size_t>(idx)] = reply->integer;
          ++done;
        },
        asio::detached);
  }
  runUntil(io_, [&] { return done == 200; });
  for (int idx = 0; idx < 200; ++idx)
    EXPECT_EQ(results[static_cast<std::size_t>(idx)], idx);
  const auto& per_read = server.commandsPerRead();
  std::size_t commands = 0;
  for (std::size_t read_idx = reads_before; read_idx < per_read.size(); ++read_idx)
    commands += per_read[read_idx];
  EXPECT_EQ(commands, 200u);
  EXPECT_LE(per_read.size() - reads_before, 2u) << "200 commands queued together are written together";
}

TEST_F(RedisClientTest, ASilentServerIsDroppedAfterTheCommandTimeout) {
  FakeServer server(io_, [](const std::vector<std::string>& command) -> std::string {
    if (command[0] == "HANG") return "";
    return "+PONG\r\n";
  });
  server.start();
  RedisOptions impatient = fakeOptions(server);
  impatient.command_timeout = std::chrono::milliseconds(300);
  RedisClient client(io_.get_executor(), impatient);
  const auto started = std::chrono::steady_clock::now();
  auto hung = call(io_, client, {"HANG"});
  ASSERT_FALSE(hung.has_value());
  EXPECT_EQ(hung.error().code, ErrorCode::kServiceUnavailable);
  EXPECT_EQ(hung.error().message, "connection to Redis lost (no reply within 300 ms)");
  EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(250));
  auto after = call(io_, client, {"PING"});
  ASSERT_TRUE(after.has_value()) << after.error().message;
  EXPECT_EQ(server.connections(), 2u) << "a new connection";
}

TEST_F(RedisClientTest, GarbageFromTheServerDropsTheConnection) {
  int answers = 0;
  FakeServer server(io_, [&answers](const std::vector<std::string>& command) -> std::string {
    if (command[0] == "PING") return "+PONG\r\n";
    return ++answers == 1 ? "?garbage\r\n" : "+fine\r\n";
  });
  server.start();
  RedisClient client(io_.get_executor(), fakeOptions(server));
  auto bad = call(io_, client, {"GET", "x"});
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().message, "connection to Redis lost (malformed RESP: unknown reply type byte 0x3f)");
  auto good = call(io_, client, {"GET", "x"});
  ASSERT_TRUE(good.has_value()) << good.error().message;
  EXPECT_EQ(good->text, "fine");
}

TEST_F(RedisClientTest, CloseFailsWhatWaitsAndLaterCommands) {
  FakeServer server(io_, [](const std::vector<std::string>& command) -> std::string {
    return command[0] == "PING" ? "+PONG\r\n" : "";
  });
  server.start();
  auto client = std::make_unique<RedisClient>(io_.get_executor(), fakeOptions(server));
  ASSERT_TRUE(call(io_, *client, {"PING"}).has_value());
  auto pending = test_support::spawn(io_, [&]() {
    std::vector<std::string> hang{"HANG"};
    return client->command(std::move(hang));
  });
  test_support::runFor(io_, std::chrono::milliseconds(50));
  client->close();
  runUntil(io_, [&] { return test_support::isReady(pending); });
  const auto closed = *pending.get();
  ASSERT_FALSE(closed.has_value());
  EXPECT_EQ(closed.error().message, "the Redis client is closed");
  EXPECT_FALSE(client->connected());
  auto after = call(io_, *client, {"PING"});
  ASSERT_FALSE(after.has_value());
  EXPECT_EQ(after.error().message, "the Redis client is closed");

  // Destroying a client with a command in flight fails it as well; nothing leaks (ASan).
  auto another = std::make_unique<RedisClient>(io_.get_executor(), fakeOptions(server));
  ASSERT_TRUE(call(io_, *another, {"PING"}).has_value());
  auto orphan = test_support::spawn(io_, [&]() {
    std::vector<std::string> hang{"HANG"};
    return another->command(std::move(hang));
  });
  test_support::runFor(io_, std::chrono::milliseconds(50));
  another.reset();
  runUntil(io_, [&] { return test_support::isReady(orphan); });
  EXPECT_FALSE(orphan.get()->has_value());
}

} // namespace
} // namespace hearth::redis
