#include "redis/connection.hpp"

#include <sys/un.h>

#include <array>

#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <spdlog/spdlog.h>

namespace hearth::redis::detail {

namespace asio = boost::asio;
using core::ErrorCode;

Connector::Connector(const asio::any_io_executor& executor)
    : socket_(executor), resolver_(executor), timer_(executor) {}

void Connector::cancel() {
  cancelled_ = true;
  boost::system::error_code ignored;
  socket_.close(ignored);
  resolver_.cancel();
  timer_.cancel();
}

asio::awaitable<core::Result<Socket>> Connector::open(const Endpoint& endpoint, std::chrono::milliseconds timeout,
                                                      std::string client_name) {
  timer_.expires_after(timeout);
  timer_.async_wait([weak = std::weak_ptr<Connector>(shared_from_this())](const boost::system::error_code& ec) {
    if (ec) return;
    if (auto self = weak.lock(); self && !self->cancelled_) {
      self->timed_out_ = true;
      boost::system::error_code ignored;
      self->socket_.close(ignored);
      self->resolver_.cancel();
    }
  });
  auto done = co_await connect(endpoint);
  if (done && !cancelled_ && !timed_out_) done = co_await handshake(endpoint, client_name);
  timer_.cancel();
  if (!done || cancelled_ || timed_out_) {
    std::string why = cancelled_   ? std::string("the client was closed")
                      : timed_out_ ? "no answer within " + std::to_string(timeout.count()) + " ms"
                                   : done.error().message;
    co_return core::fail(ErrorCode::kServiceUnavailable,
                         "cannot connect to Redis at " + endpoint.display() + ": " + std::move(why));
  }
  co_return std::move(socket_);
}

asio::awaitable<core::Result<void>> Connector::connect(const Endpoint& endpoint) {
  boost::system::error_code ec;
  if (!endpoint.unix_path.empty()) {
    if (endpoint.unix_path.size() >= sizeof(sockaddr_un::sun_path)) {
      co_return core::fail(ErrorCode::kServiceUnavailable, "the socket path is too long");
    }
    const asio::generic::stream_protocol::endpoint target{asio::local::stream_protocol::endpoint(endpoint.unix_path)};
    co_await socket_.async_connect(target, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return core::fail(ErrorCode::kServiceUnavailable, ec.message());
    co_return core::Result<void>();
  }
  const std::string port = std::to_string(endpoint.port);
  const auto results =
      co_await resolver_.async_resolve(endpoint.host, port, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return core::fail(ErrorCode::kServiceUnavailable, "cannot resolve " + endpoint.host + ": " + ec.message());
  for (const auto& entry : results) {
    if (cancelled_ || timed_out_) break;
    const asio::generic::stream_protocol::endpoint target{entry.endpoint()};
    boost::system::error_code ignored;
    socket_.close(ignored);
    co_await socket_.async_connect(target, asio::redirect_error(asio::use_awaitable, ec));
    if (!ec) {
      socket_.set_option(asio::ip::tcp::no_delay(true), ignored);
      co_return core::Result<void>();
    }
  }
  co_return core::fail(ErrorCode::kServiceUnavailable, ec ? ec.message() : std::string("no address"));
}

asio::awaitable<core::Result<void>> Connector::handshake(const Endpoint& endpoint, const std::string& client_name) {
  // AUTH and SELECT when asked for, then a PING: a server that wants a password we lack, or is
  // still loading its data, fails here rather than on the first real command.
  std::string out;
  std::vector<std::string> names;
  if (!endpoint.password.empty()) {
    if (endpoint.username.empty()) {
      appendCommand(out, {"AUTH", endpoint.password});
    } else {
      appendCommand(out, {"AUTH", endpoint.username, endpoint.password});
    }
    names.emplace_back("AUTH");
  }
  if (endpoint.db != 0) {
    appendCommand(out, {"SELECT", std::to_string(endpoint.db)});
    names.emplace_back("SELECT");
  }
  if (!client_name.empty()) {
    appendCommand(out, {"CLIENT", "SETNAME", client_name});
    names.emplace_back("CLIENT SETNAME");
  }
  appendCommand(out, {"PING"});
  names.emplace_back("PING");

  boost::system::error_code ec;
  co_await asio::async_write(socket_, asio::buffer(out), asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return core::fail(ErrorCode::kServiceUnavailable, ec.message());
  ReplyParser parser;
  std::array<char, 4096> buffer{};
  std::size_t answered = 0;
  while (answered < names.size()) {
    const std::size_t read =
        co_await socket_.async_read_some(asio::buffer(buffer), asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      co_return core::fail(ErrorCode::kServiceUnavailable,
                           ec == asio::error::eof ? std::string("the server closed the connection") : ec.message());
    }
    parser.feed(std::string_view(buffer.data(), read));
    for (;;) {
      auto reply = parser.next();
      if (!reply) co_return core::fail(ErrorCode::kServiceUnavailable, reply.error().message);
      if (!*reply) break;
      if (answered == names.size()) co_return core::fail(ErrorCode::kServiceUnavailable, "an unexpected reply");
      if ((*reply)->isError()) {
        co_return core::fail(ErrorCode::kServiceUnavailable, names[answered] + " refused: " + (*reply)->text);
      }
      ++answered;
    }
  }
  if (parser.buffered() != 0) co_return core::fail(ErrorCode::kServiceUnavailable, "an unexpected reply");
  co_return core::Result<void>();
}

void OutageLog::connected() {
  if (failures_ > 0) {
    spdlog::info("{}: connected to {} after {} failed attempts", name_, where_, failures_);
  } else if (ever_connected_) {
    spdlog::info("{}: reconnected to {}", name_, where_);
  } else {
    spdlog::debug("{}: connected to {}", name_, where_);
  }
  ever_connected_ = true;
  failures_ = 0;
}

void OutageLog::failed(const std::string& why) {
  ++failures_;
  const auto now = std::chrono::steady_clock::now();
  if (failures_ == 1 || now - last_warning_ >= std::chrono::seconds(30)) {
    last_warning_ = now;
    spdlog::warn("{}: {} (attempt {}, retrying)", name_, why, failures_);
  } else {
    spdlog::debug("{}: {} (attempt {}, retrying)", name_, why, failures_);
  }
}

void OutageLog::lost(const std::string& why) {
  spdlog::warn("{}: connection to {} lost ({}); reconnecting", name_, where_, why);
}

Reconnector::Reconnector(const asio::any_io_executor& executor, const RedisOptions& options)
    : executor_(executor),
      options_(options),
      retry_timer_(executor),
      backoff_(options.backoff_initial, options.backoff_max),
      outage_(options.log_name, options.endpoint.display()) {}

asio::awaitable<std::optional<Socket>> Reconnector::open(const bool& closed) {
  while (!closed) {
    connector_ = std::make_shared<Connector>(executor_);
    auto opened = co_await connector_->open(options_.endpoint, options_.connect_timeout, options_.client_name);
    connector_.reset();
    if (closed) break;
    if (opened) {
      backoff_.reset();
      outage_.connected();
      co_return std::move(*opened);
    }
    outage_.failed(opened.error().message);
    retry_timer_.expires_after(backoff_.next());
    boost::system::error_code ignored;
    co_await retry_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
  co_return std::nullopt;
}

void Reconnector::cancel() {
  if (connector_) connector_->cancel();
  retry_timer_.cancel();
}

} // namespace hearth::redis::detail
