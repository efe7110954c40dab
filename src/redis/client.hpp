#pragma once
// A Redis client on Asio: commands pipelined on one connection, replies matched in order, one
// writer coalescing whatever is queued into one write, and reconnection with backoff after a
// drop. Debian has no Asio-ready Redis client (hiredis 0.14 has no Asio adapter), hence this.
//
// Lifetime: a RedisClient must be destroyed (or closed) before its io_context; destroying it
// fails whatever waits. Everything it does runs on its executor (one thread): give it an
// io_context's executor or a strand.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "core/error.hpp"
#include "redis/resp.hpp"

namespace hearth::redis {

//! Where Redis is: `unix:///path/redis.sock` (optionally `unix://:password@/path`), or
//! `redis://[[user]:password@]host[:port][/db]` (port 6379, db 0 by default; user and password
//! may be %-encoded; an IPv6 host goes in brackets).
struct Endpoint {
  std::string unix_path; //!< set for unix://
  std::string host; //!< set for redis://
  std::uint16_t port = 6379;
  std::string username; //!< AUTH user password (Redis 6 ACL) when set, else AUTH password
  std::string password;
  int db = 0;
  //! The URL without credentials, for logs.
  std::string display() const;
};

core::Result<Endpoint> parseUrl(std::string_view url);

struct RedisOptions {
  Endpoint endpoint;
  std::chrono::milliseconds connect_timeout{2000}; //!< connect, AUTH and SELECT
  //! A command whose reply takes longer drops the connection (failing what is in flight):
  //! the server is stuck or gone. Blocking commands (BLPOP...) are not for this client.
  std::chrono::milliseconds command_timeout{5000};
  //! A command issued while disconnected waits this long for the connection, then fails.
  std::chrono::milliseconds reconnect_wait{2000};
  std::chrono::milliseconds backoff_initial{50}; //!< first pause between attempts, doubling...
  std::chrono::milliseconds backoff_max{2000}; //!< ...up to this
  std::size_t max_pending = 100000; //!< commands queued or in flight; more fail at once
  std::string log_name = "redis"; //!< prefix of this connection's log lines
  std::string client_name; //!< CLIENT SETNAME on every connection (no spaces), to spot it in CLIENT LIST
};

class RedisClient {
public:
  //! Starts connecting at once, and keeps reconnecting until closed.
  RedisClient(boost::asio::any_io_executor executor, RedisOptions options);
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  //! Sends one command and returns its reply. An error reply (-ERR ...) is an error (kGeneral)
  //! whose message is the server's text; a lost, unreachable or closed connection is
  //! kServiceUnavailable. May be awaited from any executor: it resumes on the caller's.
  boost::asio::awaitable<core::Result<Reply>> command(std::vector<std::string> args);
  //! The same without a coroutine, callable from any thread; `done` (if any) runs on the
  //! client's executor. Commands sent from one thread go out in the order sent.
  void send(std::vector<std::string> args, std::function<void(core::Result<Reply>)> done = {});
  //! Fails what is queued or in flight and stops reconnecting. Callable from any thread.
  void close();
  //! Whether a connection is up right now (any thread).
  bool connected() const noexcept;

  struct Impl;

private:
  std::shared_ptr<Impl> impl_;
};

} // namespace hearth::redis
