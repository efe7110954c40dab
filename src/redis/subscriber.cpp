#include "redis/subscriber.hpp"

#include <algorithm>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <spdlog/spdlog.h>

#include "redis/connection.hpp"

namespace hearth::redis {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

struct RedisSubscriber::Impl : std::enable_shared_from_this<Impl> {
  struct Connection {
    explicit Connection(detail::Socket opened) : socket(std::move(opened)) {}
    detail::Socket socket;
  };

  Impl(asio::any_io_executor executor_in, RedisOptions options_in, SubscriberHandlers handlers_in)
      : executor(std::move(executor_in)),
        options(std::move(options_in)),
        handlers(std::move(handlers_in)),
        tick_timer(executor),
        reconnector(executor, options) {}

  asio::any_io_executor executor;
  RedisOptions options;
  SubscriberHandlers handlers;
  asio::steady_timer tick_timer;
  std::shared_ptr<Connection> connection;
  std::vector<std::string> channels; //!< asked for, in order
  std::size_t unconfirmed = 0; //!< SUBSCRIBE confirmations still expected on this connection
  bool reconnected = false; //!< on_reconnect is due once the resubscription is confirmed
  std::string outbox;
  bool writing = false;
  Clock::time_point last_read;
  Clock::time_point ping_sent;
  bool ping_outstanding = false;
  bool closed = false;
  std::atomic<bool> up{false};
  detail::Reconnector reconnector; //!< after `options`: it keeps a reference to them

  template <typename Call> void guarded(const char* what, Call&& call) {
    try {
      call();
    } catch (const std::exception& error) {
      spdlog::error("{}: {} handler failed: {}", options.log_name, what, error.what());
    }
  }

  void queueWrite(const std::vector<std::string>& command) {
    if (!connection) return;
    appendCommand(outbox, command);
    if (!writing) {
      writing = true;
      asio::co_spawn(executor, write(shared_from_this(), connection), asio::detached);
    }
  }

  void addChannel(std::string channel) {
    if (closed || std::find(channels.begin(), channels.end(), channel) != channels.end()) return;
    channels.push_back(channel);
    if (connection) {
      ++unconfirmed;
      queueWrite({"SUBSCRIBE", std::move(channel)});
    }
  }

  void drop(const std::shared_ptr<Connection>& dropped, const std::string& why) {
    if (connection != dropped) return;
    connection.reset();
    up = false;
    writing = false;
    outbox.clear();
    unconfirmed = 0;
    boost::system::error_code ignored;
    dropped->socket.close(ignored);
    if (!closed) reconnector.outage().lost(why);
  }

  void shutdown() {
    if (closed) return;
    closed = true;
    if (connection) {
      const auto current = connection;
      drop(current, "closed");
    }
    reconnector.cancel();
    tick_timer.cancel();
  }

  void confirmed() {
    if (unconfirmed == 0 || --unconfirmed != 0) return;
    if (reconnected) {
      reconnected = false;
      if (handlers.on_reconnect) guarded("reconnect", handlers.on_reconnect);
    }
    if (handlers.on_subscribed) guarded("subscribed", handlers.on_subscribed);
  }

  //! Acts on one reply; returns why the connection must go, or nothing.
  std::string handle(const Reply& reply) {
    if (reply.isError()) return "Redis refused: " + reply.text;
    if (reply.type == Reply::Type::kSimple && reply.text == "PONG") {
      ping_outstanding = false;
      return {};
    }
    if ((reply.type != Reply::Type::kArray && reply.type != Reply::Type::kPush) || reply.elements.empty() ||
        reply.elements[0].type != Reply::Type::kBulk) {
      return "an unexpected reply in subscribe mode: " + reply.describe();
    }
    const std::string& kind = reply.elements[0].text;
    if (kind == "message" && reply.elements.size() == 3) {
      if (handlers.on_message) {
        guarded("message", [&] { handlers.on_message(reply.elements[1].text, reply.elements[2].text); });
      }
    } else if (kind == "subscribe") {
      confirmed();
    } else if (kind == "pong") {
      ping_outstanding = false;
    }
    return {};
  }

  static asio::awaitable<void> run(std::shared_ptr<Impl> self) {
    ReplyParser parser;
    std::vector<char> buffer(64 * 1024);
    bool ever_connected = false;
    while (!self->closed) {
      auto opened = co_await self->reconnector.open(self->closed);
      if (!opened) co_return;
      auto connection = std::make_shared<Connection>(std::move(*opened));
      self->connection = connection;
      self->up = true;
      self->last_read = Clock::now();
      self->ping_outstanding = false;
      self->reconnected = ever_connected;
      ever_connected = true;
      parser.reset();
      if (!self->channels.empty()) {
        std::vector<std::string> command{"SUBSCRIBE"};
        command.insert(command.end(), self->channels.begin(), self->channels.end());
        self->unconfirmed = self->channels.size();
        self->queueWrite(command);
      } else if (self->reconnected) {
        self->reconnected = false;
        if (self->handlers.on_reconnect) self->guarded("reconnect", self->handlers.on_reconnect);
      }
      std::string why;
      while (why.empty() && self->connection == connection) {
        boost::system::error_code ec;
        const std::size_t read = co_await connection->socket.async_read_some(
            asio::buffer(buffer), asio::redirect_error(asio::use_awaitable, ec));
        if (ec) {
          why = ec == asio::error::eof ? std::string("the server closed the connection") : ec.message();
          break;
        }
        self->last_read = Clock::now();
        parser.feed(std::string_view(buffer.data(), read));
        // Handlers may close the subscriber: stop at once when they do.
        while (why.empty() && self->connection == connection) {
          auto reply = parser.next();
          if (!reply) {
            why = reply.error().message;
            break;
          }
          if (!*reply) break;
          why = self->handle(**reply);
        }
      }
      self->drop(connection, why);
    }
  }

  static asio::awaitable<void> write(std::shared_ptr<Impl> self, std::shared_ptr<Connection> connection) {
    while (self->connection == connection && !self->outbox.empty()) {
      const std::string batch = std::move(self->outbox);
      self->outbox.clear();
      boost::system::error_code ec;
      co_await asio::async_write(connection->socket, asio::buffer(batch),
                                 asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        self->drop(connection, "write failed: " + ec.message());
        co_return;
      }
    }
    if (self->connection == connection) self->writing = false;
  }

  //! Keeps a quiet connection honest: a PING after ping_interval of silence, and a drop when
  //! its answer does not come within command_timeout.
  static asio::awaitable<void> tick(std::shared_ptr<Impl> self) {
    while (!self->closed) {
      self->tick_timer.expires_after(std::chrono::milliseconds(250));
      boost::system::error_code ignored;
      co_await self->tick_timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
      if (self->closed || !self->connection) continue;
      const auto now = Clock::now();
      if (self->ping_outstanding) {
        if (self->last_read < self->ping_sent && now - self->ping_sent > self->options.command_timeout) {
          const auto stuck = self->connection;
          self->drop(stuck,
                     "no answer to PING within " + std::to_string(self->options.command_timeout.count()) + " ms");
        }
      } else if (now - self->last_read >= self->options.ping_interval) {
        self->ping_outstanding = true;
        self->ping_sent = now;
        self->queueWrite({"PING"});
      }
    }
  }
};

RedisSubscriber::RedisSubscriber(asio::any_io_executor executor, RedisOptions options, SubscriberHandlers handlers)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(options), std::move(handlers))) {
  asio::co_spawn(impl_->executor, Impl::run(impl_), asio::detached);
  asio::co_spawn(impl_->executor, Impl::tick(impl_), asio::detached);
}

RedisSubscriber::~RedisSubscriber() { close(); }

void RedisSubscriber::subscribe(std::string channel) {
  asio::dispatch(impl_->executor,
                 [impl = impl_, channel = std::move(channel)]() mutable { impl->addChannel(std::move(channel)); });
}

void RedisSubscriber::close() {
  asio::dispatch(impl_->executor, [impl = impl_] { impl->shutdown(); });
}

bool RedisSubscriber::connected() const noexcept { return impl_->up.load(); }

} // namespace hearth::redis
