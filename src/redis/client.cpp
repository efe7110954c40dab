#include "redis/client.hpp"

#include <array>
#include <charconv>
#include <deque>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "redis/connection.hpp"

namespace hearth::redis {

namespace asio = boost::asio;
using core::ErrorCode;
using Clock = std::chrono::steady_clock;

// ---- URLs ----------------------------------------------------------------------------------

namespace {

core::Result<std::string> percentDecoded(std::string_view text) {
  std::string out;
  for (std::size_t idx = 0; idx < text.size(); ++idx) {
    if (text[idx] != '%') {
      out += text[idx];
      continue;
    }
    unsigned value = 0;
    if (text.size() - idx < 3 ||
        std::from_chars(text.data() + idx + 1, text.data() + idx + 3, value, 16).ptr != text.data() + idx + 3) {
      return core::fail(ErrorCode::kGeneral, "a bad %-escape in the Redis URL");
    }
    out += static_cast<char>(value);
    idx += 2;
  }
  return out;
}

core::Result<void> parseUserinfo(std::string_view userinfo, Endpoint& endpoint) {
  const auto colon = userinfo.find(':');
  auto user = percentDecoded(userinfo.substr(0, colon));
  if (!user) return std::unexpected(user.error());
  endpoint.username = std::move(*user);
  if (colon != std::string_view::npos) {
    auto password = percentDecoded(userinfo.substr(colon + 1));
    if (!password) return std::unexpected(password.error());
    endpoint.password = std::move(*password);
  } else {
    // redis://secret@host: a lone userinfo is the password (as redis-cli reads it).
    endpoint.password = std::move(endpoint.username);
    endpoint.username.clear();
  }
  return {};
}

} // namespace

std::string Endpoint::display() const {
  if (!unix_path.empty()) return "unix://" + unix_path;
  const std::string shown_host = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return "redis://" + shown_host + ":" + std::to_string(port) + (db != 0 ? "/" + std::to_string(db) : "");
}

core::Result<Endpoint> parseUrl(std::string_view url) {
  const auto bad = [&](const std::string& why) {
    return core::fail(ErrorCode::kGeneral, "bad Redis URL (" + why +
                                               "); expected unix:///path/to/redis.sock or "
                                               "redis://[:password@]host[:port][/db]");
  };
  Endpoint endpoint;
  if (url.starts_with("unix://")) {
    std::string_view rest = url.substr(7);
    if (!rest.starts_with("/")) {
      const auto at = rest.find('@');
      if (at == std::string_view::npos) return bad("the socket path must be absolute");
      if (auto parsed = parseUserinfo(rest.substr(0, at), endpoint); !parsed) return bad(parsed.error().message);
      rest = rest.substr(at + 1);
    }
    if (!rest.starts_with("/") || rest.size() < 2) return bad("the socket path must be absolute");
    endpoint.unix_path = rest;
    return endpoint;
  }
  if (url.starts_with("rediss://")) return bad("TLS (rediss://) is not supported");
  if (!url.starts_with("redis://")) return bad("unknown scheme");
  std::string_view rest = url.substr(8);
  const auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  const std::string_view path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    if (auto parsed = parseUserinfo(authority.substr(0, at), endpoint); !parsed) return bad(parsed.error().message);
    authority = authority.substr(at + 1);
  }
  std::string_view port_text;
  if (authority.starts_with("[")) {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return bad("an unclosed [ in the host");
    endpoint.host = authority.substr(1, close - 1);
    const auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (!after.starts_with(":")) return bad("junk after the host");
      port_text = after.substr(1);
    }
  } else {
    const auto colon = authority.find(':');
    endpoint.host = authority.substr(0, colon);
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (endpoint.host.empty()) return bad("no host");
  if (!port_text.empty() || authority.ends_with(":")) {
    unsigned port = 0;
    const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 || port > 65535) {
      return bad("the port must be 1-65535");
    }
    endpoint.port = static_cast<std::uint16_t>(port);
  }
  if (!path.empty()) {
    const auto [end, ec] = std::from_chars(path.data(), path.data() + path.size(), endpoint.db);
    if (ec != std::errc() || end != path.data() + path.size() || endpoint.db < 0 || endpoint.db > 1000000) {
      return bad("the database must be a number");
    }
  }
  return endpoint;
}

// ---- the client ----------------------------------------------------------------------------

namespace {

using Handler = asio::any_completion_handler<void(core::Result<Reply>)>;

struct Pending {
  Handler handler; //!< never move-assign a Pending (see enqueue)
  asio::any_completion_executor work; //!< keeps the caller's executor from running out of work
  std::string bytes; //!< the encoded command, until written
  Clock::time_point deadline; //!< queued: of the wait for a connection; in flight: of the reply
};

constexpr std::size_t kMaxBatchBytes = 1024 * 1024;

} // namespace

struct RedisClient::Impl : std::enable_shared_from_this<Impl> {
  //! One open connection; replaced by a new one after a drop.
  struct Connection {
    explicit Connection(detail::Socket opened) : socket(std::move(opened)), wake(socket.get_executor()) {}
    detail::Socket socket;
    asio::steady_timer wake; //!< the writer sleeps on it; cancelled when there is more to write
  };

  Impl(asio::any_io_executor executor_in, RedisOptions options_in)
      : executor(std::move(executor_in)),
        options(std::move(options_in)),
        sweep_timer(executor),
        reconnector(executor, options) {}

  asio::any_io_executor executor;
  RedisOptions options;
  asio::steady_timer sweep_timer;
  std::shared_ptr<Connection> connection; //!< null while disconnected
  std::deque<Pending> queued; //!< not written yet, in order
  std::deque<Pending> inflight; //!< written, awaiting their replies, in order
  bool closed = false;
  std::atomic<bool> up{false};
  detail::Reconnector reconnector; //!< after `options`: it keeps a reference to them

  //! Hands the result to the waiting caller, never from inside the client's own loops: first a
  //! hop through this executor, then on to the caller's.
  void complete(Pending& pending, core::Result<Reply> result) {
    asio::post(executor, [handler = std::move(pending.handler), work = std::move(pending.work),
                          result = std::move(result), fallback = executor]() mutable {
      auto handler_executor = asio::get_associated_executor(handler, fallback);
      asio::dispatch(handler_executor, [handler = std::move(handler), result = std::move(result)]() mutable {
        std::move(handler)(std::move(result));
      });
    });
  }

  void failAll(std::deque<Pending>& pendings, const std::string& message) {
    auto failing = std::move(pendings);
    pendings.clear();
    for (auto& pending : failing)
      complete(pending, core::fail(ErrorCode::kServiceUnavailable, message));
  }

  void enqueue(std::vector<std::string> args, Handler handler) {
    auto work =
        asio::prefer(asio::get_associated_executor(handler, executor), asio::execution::outstanding_work.tracked);
    // Constructed, never assigned: Boost 1.81's any_completion_handler move assignment recurses
    // without end (it copies from an lvalue through its converting constructor).
    Pending pending{std::move(handler), std::move(work), {}, {}};
    if (closed) {
      complete(pending, core::fail(ErrorCode::kServiceUnavailable, "the Redis client is closed"));
      return;
    }
    if (queued.size() + inflight.size() >= options.max_pending) {
      complete(pending, core::fail(ErrorCode::kServiceUnavailable,
                                   "too many Redis commands waiting (" + std::to_string(options.max_pending) + ")"));
      return;
    }
    pending.bytes = encodeCommand(args);
    pending.deadline = Clock::now() + options.reconnect_wait;
    queued.push_back(std::move(pending));
    if (connection) connection->wake.cancel();
  }

  //! Ends this connection (if still the current one): what is in flight fails, what is queued
  //! waits for the next connection.
  void drop(const std::shared_ptr<Connection>& dropped, const std::string& why) {
    if (connection != dropped) return;
    connection.reset();
    up = false;
    boost::system::error_code ignored;
    dropped->socket.close(ignored);
    dropped->wake.cancel();
    failAll(inflight, closed ? std::string("the Redis client is closed") : "connection to Redis lost (" + why + ")");
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
    sweep_timer.cancel();
    failAll(inflight, "the Redis client is closed");
    failAll(queued, "the Redis client is closed");
  }

  static asio::awaitable<void> run(std::shared_ptr<Impl> self) {
    ReplyParser parser;
    std::vector<char> buffer(64 * 1024);
    while (!self->closed) {
      auto opened = co_await self->reconnector.open(self->closed);
      if (!opened) co_return;
      auto connection = std::make_shared<Connection>(std::move(*opened));
      self->connection = connection;
      self->up = true;
      parser.reset();
      asio::co_spawn(self->executor, write(self, connection), asio::detached);
      std::string why;
      while (why.empty()) {
        boost::system::error_code ec;
        const std::size_t read = co_await connection->socket.async_read_some(
            asio::buffer(buffer), asio::redirect_error(asio::use_awaitable, ec));
        if (ec) {
          why = ec == asio::error::eof ? std::string("the server closed the connection") : ec.message();
          break;
        }
        parser.feed(std::string_view(buffer.data(), read));
        for (;;) {
          auto reply = parser.next();
          if (!reply) {
            why = reply.error().message;
            break;
          }
          if (!*reply) break;
          if ((*reply)->type == Reply::Type::kPush) continue; // RESP3 out-of-band data: not ours
          if (self->inflight.empty()) {
            why = "a reply to no command";
            break;
          }
          Pending pending = std::move(self->inflight.front());
          self->inflight.pop_front();
          if ((*reply)->isError()) {
            self->complete(pending, core::fail(ErrorCode::kGeneral, std::move((*reply)->text)));
          } else {
            self->complete(pending, std::move(**reply));
          }
        }
      }
      self->drop(connection, why);
    }
  }

  //! The one writer of a connection: everything queued leaves in one write.
  static asio::awaitable<void> write(std::shared_ptr<Impl> self, std::shared_ptr<Connection> connection) {
    std::string batch;
    while (self->connection == connection) {
      if (self->queued.empty()) {
        connection->wake.expires_at(Clock::time_point::max());
        boost::system::error_code ignored;
        co_await connection->wake.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
        continue;
      }
      batch.clear();
      const auto deadline = Clock::now() + self->options.command_timeout;
      while (!self->queued.empty() && batch.size() < kMaxBatchBytes) {
        Pending& pending = self->queued.front();
        batch += pending.bytes;
        pending.bytes = std::string();
        pending.deadline = deadline;
        self->inflight.push_back(std::move(pending));
        self->queued.pop_front();
      }
      boost::system::error_code ec;
      co_await asio::async_write(connection->socket, asio::buffer(batch),
                                 asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        self->drop(connection, "write failed: " + ec.message());
        co_return;
      }
    }
  }

  //! Fails commands that waited too long for a connection, and drops a connection whose oldest
  //! command has had no reply in time.
  static asio::awaitable<void> sweep(std::shared_ptr<Impl> self) {
    while (!self->closed) {
      self->sweep_timer.expires_after(std::chrono::milliseconds(100));
      boost::system::error_code ec;
      co_await self->sweep_timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      if (self->closed) co_return;
      const auto now = Clock::now();
      if (!self->connection) {
        while (!self->queued.empty() && self->queued.front().deadline <= now) {
          Pending pending = std::move(self->queued.front());
          self->queued.pop_front();
          self->complete(pending, core::fail(ErrorCode::kServiceUnavailable,
                                             "Redis at " + self->options.endpoint.display() + " is unreachable"));
        }
      } else if (!self->inflight.empty() && self->inflight.front().deadline <= now) {
        const auto stuck = self->connection;
        self->drop(stuck, "no reply within " + std::to_string(self->options.command_timeout.count()) + " ms");
      }
    }
  }
};

RedisClient::RedisClient(asio::any_io_executor executor, RedisOptions options)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(options))) {
  asio::co_spawn(impl_->executor, Impl::run(impl_), asio::detached);
  asio::co_spawn(impl_->executor, Impl::sweep(impl_), asio::detached);
}

RedisClient::~RedisClient() { close(); }

void RedisClient::close() {
  asio::dispatch(impl_->executor, [impl = impl_] { impl->shutdown(); });
}

bool RedisClient::connected() const noexcept { return impl_->up.load(); }

asio::awaitable<core::Result<Reply>> RedisClient::command(std::vector<std::string> args) {
  auto initiation = [impl = impl_](auto handler, std::vector<std::string> command_args) {
    asio::dispatch(impl->executor,
                   [impl, handler = Handler(std::move(handler)), command_args = std::move(command_args)]() mutable {
                     impl->enqueue(std::move(command_args), std::move(handler));
                   });
  };
  co_return co_await asio::async_initiate<const asio::use_awaitable_t<>&, void(core::Result<Reply>)>(
      initiation, asio::use_awaitable, std::move(args));
}

void RedisClient::send(std::vector<std::string> args, std::function<void(core::Result<Reply>)> done) {
  asio::dispatch(impl_->executor, [impl = impl_, args = std::move(args), done = std::move(done)]() mutable {
    impl->enqueue(std::move(args), Handler([done = std::move(done)](core::Result<Reply> result) {
                    if (done) done(std::move(result));
                  }));
  });
}

} // namespace hearth::redis
