#pragma once
// Test support for redis/: the test server from HEARTH_TEST_REDIS, a runner for coroutines on
// the test's io_context, and a scripted stand-in server on a unix socket for what a real Redis
// will not do on demand (stay silent, answer garbage, read many commands at once).
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

#include "redis/client.hpp"
#include "redis/resp.hpp"

namespace hearth::redis::test_support {

namespace asio = boost::asio;

inline constexpr const char* kMissingRedis =
    "HEARTH_TEST_REDIS is not set. Start a test Redis and export its URL:\n"
    "  HEARTH_REDIS_DIR=$PWD/var/test/redis scripts/redis.sh start\n"
    "  export HEARTH_TEST_REDIS=\"$(HEARTH_REDIS_DIR=$PWD/var/test/redis scripts/redis.sh url)\"";

//! The test server's endpoint, or nullopt (the caller fails the test).
inline std::optional<Endpoint> testEndpoint() {
  const char* value = std::getenv("HEARTH_TEST_REDIS");
  if (value == nullptr || *value == '\0') return std::nullopt;
  auto endpoint = parseUrl(value);
  if (!endpoint) {
    ADD_FAILURE() << "HEARTH_TEST_REDIS: " << endpoint.error().message;
    return std::nullopt;
  }
  return *endpoint;
}

//! A random hex word, for keys, channels and client names no other test uses.
inline std::string randomWord() {
  std::random_device random;
  std::uniform_int_distribution<std::uint64_t> hex;
  char text[20];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(hex(random)));
  return text;
}

//! Runs the io_context until `done()` holds; throws after `limit`, so a hang fails the test.
inline void runUntil(asio::io_context& io, const std::function<bool()>& done,
                     std::chrono::milliseconds limit = std::chrono::seconds(20)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) throw std::runtime_error("timed out waiting");
    if (io.stopped()) io.restart();
    io.run_one_for(std::chrono::milliseconds(10));
  }
}

//! Runs the io_context for `duration`.
inline void runFor(asio::io_context& io, std::chrono::milliseconds duration) {
  const auto deadline = std::chrono::steady_clock::now() + duration;
  while (std::chrono::steady_clock::now() < deadline) {
    if (io.stopped()) io.restart();
    io.run_one_for(std::chrono::milliseconds(5));
  }
}

//! Spawns `make()` (returning an awaitable of a value) and returns a future of the value.
template <typename Make> auto spawn(asio::io_context& io, Make make) {
  using Value = typename decltype(make())::value_type;
  return asio::co_spawn(
      io, [make = std::move(make)]() mutable -> asio::awaitable<std::optional<Value>> { co_return co_await make(); },
      asio::use_future);
}

template <typename Future> bool isReady(const Future& future) {
  return future.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
}

//! Runs `make()` to completion and returns its value.
template <typename Make> auto run(asio::io_context& io, Make make) {
  auto future = spawn(io, std::move(make));
  runUntil(io, [&] { return isReady(future); });
  return std::move(*future.get());
}

//! One command through `client`, run to completion.
inline core::Result<Reply> call(asio::io_context& io, RedisClient& client, std::vector<std::string> args) {
  return run(io, [&client, args = std::move(args)]() mutable { return client.command(std::move(args)); });
}

//! A stand-in Redis on a unix socket: each command (parsed with the reply parser, as a server
//! would) is answered with what `answer` returns, raw; an empty string answers nothing.
class FakeServer {
public:
  using Answer = std::function<std::string(const std::vector<std::string>& command)>;

  FakeServer(asio::io_context& io, Answer answer)
      : io_(io),
        path_(std::filesystem::temp_directory_path() / ("hearth-fake-redis-" + randomWord() + ".sock")),
        answer_(std::move(answer)) {}
  ~FakeServer() {
    stop();
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
  }

  std::string url() const { return "unix://" + path_.string(); }
  std::filesystem::path path() const { return path_; }

  void start() {
    acceptor_ = std::make_shared<asio::local::stream_protocol::acceptor>(
        io_, asio::local::stream_protocol::endpoint(path_.string()));
    asio::co_spawn(io_, acceptLoop(acceptor_, state_), asio::detached);
  }
  //! Closes the listener and every connection.
  void stop() {
    if (acceptor_) {
      boost::system::error_code ignored;
      acceptor_->close(ignored);
      acceptor_.reset();
    }
    for (auto& socket : state_->sockets) {
      if (auto open = socket.lock()) {
        boost::system::error_code ignored;
        open->close(ignored);
      }
    }
  }

  std::size_t connections() const { return state_->connections; }
  //! Commands received, per read() of the server: how the client batched its writes.
  const std::vector<std::size_t>& commandsPerRead() const { return state_->commands_per_read; }
  const std::vector<std::vector<std::string>>& commands() const { return state_->commands; }

private:
  using Socket = asio::local::stream_protocol::socket;
  struct State {
    std::size_t connections = 0;
    std::vector<std::size_t> commands_per_read;
    std::vector<std::vector<std::string>> commands;
    std::vector<std::weak_ptr<Socket>> sockets;
    Answer answer;
  };

  static asio::awaitable<void> acceptLoop(std::shared_ptr<asio::local::stream_protocol::acceptor> acceptor,
                                          std::shared_ptr<State> state) {
    for (;;) {
      boost::system::error_code ec;
      Socket accepted = co_await acceptor->async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
      auto socket = std::make_shared<Socket>(std::move(accepted));
      ++state->connections;
      state->sockets.push_back(socket);
      asio::co_spawn(acceptor->get_executor(), serve(socket, state), asio::detached);
    }
  }

  static asio::awaitable<void> serve(std::shared_ptr<Socket> socket, std::shared_ptr<State> state) {
    ReplyParser parser;
    std::vector<char> buffer(256 * 1024);
    for (;;) {
      boost::system::error_code ec;
      const std::size_t read =
          co_await socket->async_read_some(asio::buffer(buffer), asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
      parser.feed(std::string_view(buffer.data(), read));
      std::size_t commands = 0;
      std::string out;
      for (;;) {
        auto next = parser.next();
        if (!next || !*next) break;
        std::vector<std::string> command;
        for (const auto& element : (*next)->elements)
          command.push_back(element.text);
        ++commands;
        state->commands.push_back(command);
        out += state->answer(command);
      }
      state->commands_per_read.push_back(commands);
      if (!out.empty())
        co_await asio::async_write(*socket, asio::buffer(out), asio::redirect_error(asio::use_awaitable, ec));
    }
  }

  asio::io_context& io_;
  std::filesystem::path path_;
  Answer answer_;
  std::shared_ptr<State> state_ = [this] {
    auto state = std::make_shared<State>();
    state->answer = answer_;
    return state;
  }();
  std::shared_ptr<asio::local::stream_protocol::acceptor> acceptor_;
};

} // namespace hearth::redis::test_support
