#pragma once
// Inside redis/: opening a connection (connect, AUTH, SELECT) under a deadline, the pause
// between attempts, and the log lines of an outage. Shared by RedisClient and RedisSubscriber.
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "core/error.hpp"
#include "redis/client.hpp"

namespace hearth::redis::detail {

using Socket = boost::asio::generic::stream_protocol::socket;

//! One attempt to open a connection; cancel() (from the same executor) ends it early.
//! Connects, then sends AUTH and SELECT if the endpoint says so, CLIENT SETNAME if named, and a
//! PING.
class Connector : public std::enable_shared_from_this<Connector> {
public:
  explicit Connector(const boost::asio::any_io_executor& executor);
  //! Connects, then authenticates and selects the database if the endpoint says so, all
  //! within `timeout`. Errors are kServiceUnavailable, "cannot connect to Redis at ...: why".
  boost::asio::awaitable<core::Result<Socket>> open(const Endpoint& endpoint, std::chrono::milliseconds timeout,
                                                    std::string client_name = {});
  void cancel();

private:
  boost::asio::awaitable<core::Result<void>> connect(const Endpoint& endpoint);
  boost::asio::awaitable<core::Result<void>> handshake(const Endpoint& endpoint, const std::string& client_name);

  Socket socket_;
  boost::asio::ip::tcp::resolver resolver_;
  boost::asio::steady_timer timer_;
  bool timed_out_ = false;
  bool cancelled_ = false;
};

//! Pauses between connection attempts: initial, doubling, up to max.
class Backoff {
public:
  Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max) : initial_(initial), max_(max) {}
  std::chrono::milliseconds next() {
    const auto delay = current_.count() == 0 ? initial_ : current_;
    current_ = std::min(max_, delay * 2);
    return delay;
  }
  void reset() { current_ = std::chrono::milliseconds(0); }

private:
  std::chrono::milliseconds initial_;
  std::chrono::milliseconds max_;
  std::chrono::milliseconds current_{0};
};

//! An outage's log lines: the first failure and then one every 30 s at warn, the rest at
//! debug, and the recovery at info.
class OutageLog {
public:
  OutageLog(std::string name, std::string where) : name_(std::move(name)), where_(std::move(where)) {}
  void connected();
  void failed(const std::string& why);
  void lost(const std::string& why);

private:
  std::string name_;
  std::string where_;
  bool ever_connected_ = false;
  int failures_ = 0;
  std::chrono::steady_clock::time_point last_warning_{};
};

//! The open-and-retry loop both connections run: opens a connection, pausing with backoff after
//! each failure (logged as an outage) until one opens, or until `closed` turns true (nullopt).
//! Use from the connection's executor only.
class Reconnector {
public:
  Reconnector(const boost::asio::any_io_executor& executor, const RedisOptions& options);
  boost::asio::awaitable<std::optional<Socket>> open(const bool& closed);
  //! Ends the attempt or the pause under way.
  void cancel();
  OutageLog& outage() noexcept { return outage_; }

private:
  boost::asio::any_io_executor executor_;
  const RedisOptions& options_;
  std::shared_ptr<Connector> connector_; //!< the attempt under way, if any
  boost::asio::steady_timer retry_timer_;
  Backoff backoff_;
  OutageLog outage_;
};

} // namespace hearth::redis::detail
