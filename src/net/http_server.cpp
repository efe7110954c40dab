#include "net/http_server.hpp"

#include <array>
#include <ctime>
#include <list>
#include <mutex>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <spdlog/spdlog.h>

#include "net/beast_request.hpp"
#include "net/metrics.hpp"
#include "net/websocket.hpp"
#include "net/zlib_stream.hpp"

namespace hearth::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

namespace {

// RFC 9110 asks an origin server with a clock to send Date; format it once a second per thread.
const std::string& httpDate() {
  thread_local std::time_t cached_second = 0;
  thread_local std::string cached;
  const std::time_t now = std::time(nullptr);
  if (now != cached_second) {
    std::tm utc{};
    gmtime_r(&now, &utc);
    char buf[64];
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &utc);
    cached = buf;
    cached_second = now;
  }
  return cached;
}

bool originAllowed(std::string_view origin, std::string_view host, const std::vector<std::string>& allowed) {
  if (origin.empty()) return true; // not a browser: browsers always send Origin on WebSockets
  for (const auto& entry : allowed) {
    if (entry == "*" || equalsIgnoreCase(entry, origin)) return true;
  }
  const auto scheme_end = origin.find("://");
  if (scheme_end == std::string_view::npos) return false;
  return equalsIgnoreCase(origin.substr(scheme_end + 3), host);
}

// What a worker knows of each of its connections. Deadlines are checked by one sweep per
// thread rather than a timer armed per read: arming and cancelling a timer on every request
// costs timerfd system calls, and a sweep can cancel (not close) the socket, so the session
// still answers 408 before it closes.
struct SessionControl {
  using TimePoint = std::chrono::steady_clock::time_point;
  std::function<void()> shutdown;
  tcp::socket* socket = nullptr; //!< watched while set
  TimePoint deadline = TimePoint::max();
  bool expired = false;

  void arm(std::chrono::milliseconds timeout) {
    expired = false;
    deadline = std::chrono::steady_clock::now() + timeout;
  }
  void disarm() { deadline = TimePoint::max(); }
};

struct Worker {
  asio::io_context* context = nullptr;
  std::list<SessionControl*> sessions; // touched only on this worker's thread
};

constexpr std::chrono::milliseconds kSweepPeriod{100};
constexpr std::size_t kPipelineFlushBytes = 64 * 1024;

// The WebSocket stream sits on the bare socket: its own timer does the handshake and idle
// timeouts, so beast::tcp_stream's timers would only cost memory on every idle connection.
// permessage-deflate is never offered (`?compress=zlib-stream` is the gateway's compression),
// so the stream is built without its support.
using WsStream = websocket::stream<tcp::socket, false>;

// Bytes read from the socket per read_some of a message. A read waiting on an idle connection
// holds only this inline buffer: a dynamic buffer would hold a heap block sized for the
// largest frame (1.5 KiB) for as long as the connection stays idle.
constexpr std::size_t kWsReadChunk = 128;

// Outbound frames in order. A vector with a moving head rather than a std::deque, whose empty
// state already holds a 512-byte block: most connections are idle, their queue empty.
class FrameQueue {
public:
  using Frame = std::shared_ptr<const std::string>;
  bool empty() const noexcept { return head_ == frames_.size(); }
  const Frame& front() const noexcept { return frames_[head_]; }
  void push_back(Frame frame) {
    if (head_ >= kCompactAfter && head_ * 2 >= frames_.size()) {
      frames_.erase(frames_.begin(), frames_.begin() + static_cast<std::ptrdiff_t>(head_));
      head_ = 0;
    }
    frames_.push_back(std::move(frame));
  }
  void pop_front() {
    frames_[head_++].reset();
    if (empty()) clear();
  }
  void clear() {
    frames_.clear();
    head_ = 0;
    if (frames_.capacity() > kKeepCapacity) frames_.shrink_to_fit(); // after a burst
  }

private:
  static constexpr std::size_t kCompactAfter = 32;
  static constexpr std::size_t kKeepCapacity = 8;
  std::vector<Frame> frames_;
  std::size_t head_ = 0;
};

class WsConnectionImpl final : public WsConnection, public std::enable_shared_from_this<WsConnectionImpl> {
public:
  WsConnectionImpl(WsStream ws, std::string remote, std::size_t queue_limit)
      : ws_(std::move(ws)), remote_(std::move(remote)), queue_limit_(queue_limit) {}

  asio::awaitable<std::optional<std::string>> read() override {
    // A message arrives in pieces of at most kWsReadChunk bytes; Beast still checks the whole
    // message against read_message_max (1009 when over) and answers pings and closes.
    std::string message;
    do {
      auto [ec, bytes] = co_await ws_.async_read_some(asio::buffer(read_chunk_), kUseTuple);
      if (ec) {
        if (ec == websocket::error::closed) peer_close_code_ = static_cast<std::uint16_t>(ws_.reason().code);
        if (ec != websocket::error::closed && ec != asio::error::operation_aborted && ec != asio::error::eof) {
          spdlog::info("gateway {}: read ended: {}", remote_, ec.message());
        }
        co_return std::nullopt;
      }
      message.append(read_chunk_.data(), bytes);
    } while (!ws_.is_message_done());
    co_return message;
  }

  bool send(std::shared_ptr<const std::string> frame) override {
    if (close_requested_ || broken_) return false;
    if (zlib_) frame = std::make_shared<const std::string>(zlib_->compress(*frame));
    if (queued_bytes_ + frame->size() > queue_limit_) {
      spdlog::warn("gateway {}: outbound queue over {} bytes, closing", remote_, queue_limit_);
      close(4000, "outbound queue overflow");
      return false;
    }
    queued_bytes_ += frame->size();
    queue_.push_back(std::move(frame));
    kickWriter();
    return true;
  }

  void close(std::uint16_t code, std::string reason) override {
    if (close_requested_ || broken_) return;
    close_requested_ = true;
    close_reason_ = websocket::close_reason(static_cast<websocket::close_code>(code), reason);
    kickWriter();
  }

  bool isOpen() const noexcept override { return !close_requested_ && !broken_; }
  const std::string& remoteAddress() const noexcept override { return remote_; }
  std::size_t queuedBytes() const noexcept override { return queued_bytes_; }
  std::optional<std::uint16_t> closeCode() const noexcept override { return peer_close_code_; }
  void enableZlibStream() override {
    if (!zlib_) zlib_ = std::make_unique<ZlibStream>();
  }

  WsStream& stream() noexcept { return ws_; }
  //! The server's hold on this connection for stop(): registered in its worker's list while
  //! the connection lives (touched on the connection's thread only).
  SessionControl control;
  std::list<SessionControl*>::iterator control_it;

private:
  void kickWriter() {
    if (writing_) return;
    writing_ = true;
    asio::co_spawn(ws_.get_executor(), writer(shared_from_this()), asio::detached);
  }

  // The only place that writes: Beast allows one write (or close) in flight at a time.
  static asio::awaitable<void> writer(std::shared_ptr<WsConnectionImpl> self) {
    while (!self->queue_.empty() && !self->broken_) {
      const auto frame = self->queue_.front();
      self->ws_.binary(self->zlib_ != nullptr);
      auto [ec, bytes] = co_await self->ws_.async_write(asio::buffer(*frame), kUseTuple);
      self->queue_.pop_front();
      self->queued_bytes_ -= frame->size();
      if (ec) self->broken_ = true;
    }
    if (self->broken_) {
      self->queue_.clear();
      self->queued_bytes_ = 0;
    } else if (self->close_requested_ && !self->close_sent_) {
      self->close_sent_ = true;
      co_await self->ws_.async_close(self->close_reason_, kUseTuple);
    }
    self->writing_ = false;
  }

  WsStream ws_;
  std::array<char, kWsReadChunk> read_chunk_;
  std::string remote_;
  std::size_t queue_limit_;
  FrameQueue queue_;
  std::size_t queued_bytes_ = 0;
  bool writing_ = false;
  bool close_requested_ = false;
  bool close_sent_ = false;
  bool broken_ = false;
  websocket::close_reason close_reason_;
  std::optional<std::uint16_t> peer_close_code_;
  std::unique_ptr<ZlibStream> zlib_; //!< set for ?compress=zlib-stream
};

} // namespace

struct HttpServer::Impl : std::enable_shared_from_this<HttpServer::Impl> {
  Impl(std::vector<asio::io_context*> contexts, ServerConfig server_config, const Router& server_router,
       Metrics& server_metrics, Handler fallback_handler)
      : config(std::move(server_config)),
        router(server_router),
        metrics(server_metrics),
        fallback(std::move(fallback_handler)) {
    for (auto* context : contexts)
      workers.push_back(Worker{context, {}});
  }

  // given
  ServerConfig config;
  const Router& router;
  Metrics& metrics;
  Handler fallback;
  // owned
  std::vector<Worker> workers;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::uint16_t bound_port = 0;
  std::atomic<std::size_t> next_worker{0};
  std::atomic<std::size_t> active{0};
  std::atomic<bool> stopping{false};
  std::mutex done_mutex;
  std::function<void()> done;

  asio::awaitable<void> acceptLoop();
  asio::awaitable<void> session(tcp::socket socket, std::size_t worker_idx);
  asio::awaitable<Response> dispatch(Request& request, std::string_view& route_label);
  void startWebSocket(tcp::socket socket, std::unique_ptr<detail::BeastRequest> upgrade,
                      std::unique_ptr<Request> request, const WsHandler* handler, std::size_t worker_idx);
  void webSocketEnded(WsConnectionImpl& connection, std::size_t worker_idx);
  asio::awaitable<bool> write(beast::tcp_stream& stream, const Request& request, const Response& response,
                              bool keep_alive, bool more_requests, std::string& pending);
  asio::awaitable<void> sweep(std::size_t worker_idx);
  void sessionEnded();
  void finishIfDrained();
};

asio::awaitable<void> HttpServer::Impl::sweep(std::size_t worker_idx) {
  auto self = shared_from_this();
  asio::steady_timer timer(*workers[worker_idx].context);
  for (;;) {
    timer.expires_after(kSweepPeriod);
    auto [ec] = co_await timer.async_wait(kUseTuple);
    if (ec || (stopping && active.load() == 0)) break;
    const auto now = std::chrono::steady_clock::now();
    for (auto* control : workers[worker_idx].sessions) {
      if (control->socket == nullptr || control->deadline > now) continue;
      control->expired = true;
      control->disarm();
      boost::system::error_code ignored;
      control->socket->cancel(ignored);
    }
  }
}

asio::awaitable<void> HttpServer::Impl::acceptLoop() {
  auto self = shared_from_this();
  while (!stopping) {
    const std::size_t worker_idx = next_worker.fetch_add(1, std::memory_order_relaxed) % workers.size();
    auto [ec, socket] = co_await acceptor->async_accept(workers[worker_idx].context->get_executor(), kUseTuple);
    if (ec) {
      if (stopping || ec == asio::error::operation_aborted) break;
      // EMFILE and friends: back off briefly instead of spinning, and keep serving.
      spdlog::warn("accept failed: {}", ec.message());
      asio::steady_timer pause(acceptor->get_executor(), std::chrono::milliseconds(50));
      co_await pause.async_wait(kUseTuple);
      continue;
    }
    // Responses go out as whole messages: Nagle's algorithm would only hold back their last
    // segment until the peer's delayed ACK (tens of milliseconds).
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    active.fetch_add(1);
    asio::co_spawn(*workers[worker_idx].context, session(std::move(socket), worker_idx), asio::detached);
  }
}

asio::awaitable<bool> HttpServer::Impl::write(beast::tcp_stream& stream, const Request& request,
                                              const Response& response, bool keep_alive, bool more_requests,
                                              std::string& pending) {
  // Responses to pipelined requests wait in `pending` while further requests are already
  // buffered, then leave together: one send for many responses. A shared body goes out as a
  // second buffer of the same send, never copied.
  const bool send_shared = serializeResponse(request, response, keep_alive, httpDate(), pending);
  boost::system::error_code ec;
  if (send_shared) {
    const std::array<asio::const_buffer, 2> buffers = {asio::buffer(pending), asio::buffer(*response.shared_body)};
    std::tie(ec, std::ignore) = co_await asio::async_write(stream, buffers, kUseTuple);
    pending.clear();
  } else if (!more_requests || !keep_alive || pending.size() >= kPipelineFlushBytes) {
    std::tie(ec, std::ignore) = co_await asio::async_write(stream, asio::buffer(pending), kUseTuple);
    pending.clear();
  }
  co_return !ec;
}

asio::awaitable<Response> HttpServer::Impl::dispatch(Request& request, std::string_view& route_label) {
  const RouteMatch match = router.match(request, false);
  switch (match.kind) {
  case RouteMatch::Kind::kHandler:
    route_label = match.pattern;
    try {
      co_return co_await (*match.handler)(request);
    } catch (const std::exception& error) {
      // The control-plane boundary: a handler bug becomes one 500, never a dead server.
      spdlog::error("{} {}: handler threw: {}", methodName(request.method), request.path, error.what());
      co_return errorResponse(core::ErrorCode::kGeneral, "Internal server error");
    }
  case RouteMatch::Kind::kMethodNotAllowed: {
    route_label = match.pattern;
    Response response = errorResponse(core::ErrorCode::kMethodNotAllowed,
                                      fmt::format("{} is not allowed here", methodName(request.method)));
    response.headers.add("Allow", match.allowed);
    co_return response;
  }
  case RouteMatch::Kind::kWebSocket:
  case RouteMatch::Kind::kNotFound: break;
  }
  if ((request.method == Method::kGet || request.method == Method::kHead) && !request.path.starts_with("/api/") &&
      request.path != "/api" && fallback) {
    route_label = "static";
    co_return co_await fallback(request);
  }
  route_label = "unmatched";
  co_return errorResponse(core::ErrorCode::kNotFound,
                          fmt::format("No route for {} {}", methodName(request.method), request.path));
}

// An upgraded connection leaves its HTTP session's coroutine (whose frame, with the parser, read
// buffer and response state, is several KiB) and gets none of the server's own: the handshake
// completes in a callback and the handler's coroutine is spawned alone. What an idle WebSocket
// costs the server is then the stream, the connection object and the handler's own frames.
void HttpServer::Impl::startWebSocket(tcp::socket socket, std::unique_ptr<detail::BeastRequest> upgrade,
                                      std::unique_ptr<Request> request, const WsHandler* handler,
                                      std::size_t worker_idx) {
  auto connection = std::make_shared<WsConnectionImpl>(WsStream(std::move(socket)), request->remote_address,
                                                       config.limits.ws_queue_bytes);
  auto& ws = connection->stream();
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& response) { response.set(http::field::server, "hearth"); }));
  ws.read_message_max(config.limits.ws_message_bytes);
  Worker& worker = workers[worker_idx];
  connection->control.shutdown = [] {}; // the handshake is short; its own timeout ends it
  connection->control_it = worker.sessions.insert(worker.sessions.end(), &connection->control);
  const detail::BeastRequest& upgrade_request = *upgrade;
  ws.async_accept(upgrade_request, [self = shared_from_this(), connection, upgrade = std::move(upgrade),
                                    request = std::move(request), handler,
                                    worker_idx](boost::system::error_code ec) mutable {
    upgrade.reset();
    if (ec) {
      spdlog::info("{}: WebSocket handshake failed: {}", connection->remoteAddress(), ec.message());
      self->webSocketEnded(*connection, worker_idx);
      return;
    }
    connection->control.shutdown = [weak = std::weak_ptr<WsConnectionImpl>(connection)] {
      if (auto open = weak.lock()) open->close(1012, "server restarting");
    };
    if (self->stopping) connection->control.shutdown(); // stop() went over the sessions already
    self->metrics.websocketOpened();
    // The handler takes the request and keeps what it needs of it: nothing of it stays here.
    std::optional<asio::awaitable<void>> handling;
    try {
      handling.emplace((*handler)(connection, std::move(*request)));
    } catch (const std::exception& error) {
      spdlog::error("{}: WebSocket handler threw: {}", connection->remoteAddress(), error.what());
      connection->close(1011, "internal error");
    }
    request.reset();
    if (!handling) {
      self->metrics.websocketClosed();
      self->webSocketEnded(*connection, worker_idx);
      return;
    }
    const auto executor = connection->stream().get_executor();
    asio::co_spawn(executor, std::move(*handling), [self, connection, worker_idx](std::exception_ptr thrown) {
      if (thrown) {
        try {
          std::rethrow_exception(thrown);
        } catch (const std::exception& error) {
          spdlog::error("{}: WebSocket handler threw: {}", connection->remoteAddress(), error.what());
          connection->close(1011, "internal error");
        }
      }
      self->metrics.websocketClosed();
      self->webSocketEnded(*connection, worker_idx);
    });
  });
}

void HttpServer::Impl::webSocketEnded(WsConnectionImpl& connection, std::size_t worker_idx) {
  workers[worker_idx].sessions.erase(connection.control_it);
  metrics.connectionClosed();
  sessionEnded();
}

asio::awaitable<void> HttpServer::Impl::session(tcp::socket socket, std::size_t worker_idx) {
  auto self = shared_from_this();
  metrics.connectionOpened();
  boost::system::error_code endpoint_ec;
  const auto endpoint = socket.remote_endpoint(endpoint_ec);
  const std::string peer = endpoint_ec ? std::string("unknown") : endpoint.address().to_string();
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  std::string pending; // serialized responses not yet sent; its capacity is reused
  bool idle = true; // between requests: safe to cut on shutdown
  SessionControl control;
  control.socket = &stream.socket();
  control.shutdown = [&stream, &idle] {
    if (idle) stream.socket().cancel();
  };
  Worker& worker = workers[worker_idx];
  const auto control_it = worker.sessions.insert(worker.sessions.end(), &control);
  bool first_request = true;

  // Answers a request that could not be read, then the connection closes. Callers pass named
  // values only: g++ 12 mishandles temporaries inside a co_await expression.
  const auto fail = [&](const core::Error& error, const Request& request) -> asio::awaitable<void> {
    spdlog::info("{} {}: {} ({})", peer, request.target.empty() ? std::string("-") : request.target, error.message,
                 core::errorName(error.code));
    Response response = errorResponse(error);
    metrics.observeRequest(worker_idx, methodName(request.method), "rejected", response.status, 0);
    control.arm(std::chrono::seconds(5));
    co_await write(stream, request, response, false, false, pending);
  };

  while (!stopping) {
    if (buffer.size() == 0) {
      // Wait for the next request's first byte: an idle keep-alive connection may be cut.
      idle = true;
      control.arm(first_request ? config.limits.header_timeout : config.limits.idle_timeout);
      auto [ec, bytes] = co_await stream.async_read_some(buffer.prepare(4096), kUseTuple);
      control.disarm();
      if (ec || bytes == 0) break;
      buffer.commit(bytes);
    }
    idle = false;
    first_request = false;
    detail::BeastParser parser;
    detail::configureParser(parser, config.limits);
    // Beast checks Content-Length against the limit while parsing the header, before the route
    // is known: allow the largest route limit there and apply the route's own below.
    parser.body_limit(std::max(config.limits.body_bytes, router.largestBodyLimit()));
    control.arm(config.limits.header_timeout);
    auto [header_ec, header_bytes] = co_await http::async_read_header(stream, buffer, parser, kUseTuple);
    control.disarm();
    if (header_ec) {
      const bool peer_left = header_ec == http::error::end_of_stream || header_ec == asio::error::eof ||
                             header_ec == asio::error::connection_reset;
      if (!peer_left) {
        const core::Error error =
            control.expired ? core::Error{core::ErrorCode::kRequestTimeout, "Timed out receiving the request header"}
                            : detail::parseError(header_ec);
        const Request none;
        co_await fail(error, none);
      }
      break;
    }
    const auto started = std::chrono::steady_clock::now();
    if (parser.get().target().empty() || parser.get().target().front() != '/') {
      const core::Error error{core::ErrorCode::kMalformedRequest, "Request target must be an absolute path"};
      const Request none;
      co_await fail(error, none);
      break;
    }
    if (parser.chunked() || parser.content_length().value_or(0) > 0) {
      // A route may take larger bodies than the default (uploads): look it up before reading.
      // Requests without a body (most) skip this second route lookup.
      Request head;
      head.method = parseMethod(std::string_view(parser.get().method_string()));
      const std::string_view target(parser.get().target());
      head.path = std::string(target.substr(0, target.find('?')));
      const auto route_limit = router.match(head, false).body_limit;
      const std::size_t limit = route_limit != 0 ? route_limit : config.limits.body_bytes;
      if (parser.content_length() && *parser.content_length() > limit) {
        const core::Error error{core::ErrorCode::kRequestTooLarge, "Request body too large"};
        co_await fail(error, head);
        break;
      }
      parser.body_limit(limit); // for chunked bodies, checked as they arrive
    }
    control.arm(config.limits.body_timeout);
    auto [body_ec, body_bytes] = co_await http::async_read(stream, buffer, parser, kUseTuple);
    control.disarm();
    if (body_ec) {
      if (body_ec != asio::error::eof && body_ec != asio::error::connection_reset) {
        Request partial;
        partial.target = std::string(parser.get().target());
        partial.method = parseMethod(std::string_view(parser.get().method_string()));
        const core::Error error =
            control.expired ? core::Error{core::ErrorCode::kRequestTimeout, "Timed out receiving the request body"}
                            : detail::parseError(body_ec);
        co_await fail(error, partial);
      }
      break;
    }
    detail::BeastRequest beast_request = parser.release();
    const bool is_upgrade = websocket::is_upgrade(beast_request);
    Request request = detail::toRequest(beast_request);
    request.worker = worker_idx;
    request.remote_address = peer;
    if (config.trust_proxy) {
      const auto forwarded = request.headers.get("X-Forwarded-For");
      if (!forwarded.empty()) request.remote_address = std::string(forwarded.substr(0, forwarded.find(',')));
    }

    if (is_upgrade) {
      const RouteMatch match = router.match(request, true);
      if (match.kind == RouteMatch::Kind::kWebSocket) {
        if (!originAllowed(request.headers.get("Origin"), request.headers.get("Host"), config.allowed_origins)) {
          Response response = errorResponse(core::ErrorCode::kMissingAccess, "WebSocket origin not allowed");
          spdlog::info("{} {}: WebSocket from origin {} refused", peer, request.path, request.headers.get("Origin"));
          metrics.observeRequest(worker_idx, "GET", match.pattern, response.status, 0);
          co_await write(stream, request, response, false, false, pending);
          break;
        }
        metrics.observeRequest(worker_idx, "GET", match.pattern, 101,
                               std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
        if (!pending.empty()) {
          auto [flush_ec, flushed] = co_await asio::async_write(stream, asio::buffer(pending), kUseTuple);
          pending.clear();
          if (flush_ec) break;
        }
        // The connection (and its count in `active` and the metrics) passes to the WebSocket
        // stream; this frame ends.
        worker.sessions.erase(control_it);
        startWebSocket(stream.release_socket(), std::make_unique<detail::BeastRequest>(std::move(beast_request)),
                       std::make_unique<Request>(std::move(request)), match.ws_handler, worker_idx);
        co_return;
      }
    }

    std::string_view route_label;
    Response response = co_await dispatch(request, route_label);
    const bool keep_alive = request.keep_alive && !stopping;
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    metrics.observeRequest(worker_idx, methodName(request.method), route_label, response.status, seconds);
    if (response.status >= 500) {
      spdlog::error("{} {} {} -> {} {}", peer, methodName(request.method), request.target, response.status,
                    response.body);
    } else if (response.status >= 400 && route_label != "static") {
      spdlog::info("{} {} {} -> {} {}", peer, methodName(request.method), request.target, response.status,
                   response.body);
    }
    control.arm(config.limits.body_timeout); // a client that stops reading is cut off too
    // Hold the response back only while a whole further request header is already here: a
    // client that sent half a request may be waiting for this answer before sending the rest.
    const std::string_view buffered(static_cast<const char*>(buffer.data().data()), buffer.size());
    const bool more_requests = buffered.find("\r\n\r\n") != std::string_view::npos;
    const bool written = co_await write(stream, request, response, keep_alive, more_requests, pending);
    control.disarm();
    if (!written || !keep_alive) break;
  }
  if (!pending.empty()) {
    // Answers to complete requests still go out when the loop ends early (peer half-closed).
    control.arm(std::chrono::seconds(5));
    co_await asio::async_write(stream, asio::buffer(pending), kUseTuple);
  }
  boost::system::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  worker.sessions.erase(control_it);
  metrics.connectionClosed();
  sessionEnded();
}

void HttpServer::Impl::sessionEnded() {
  if (active.fetch_sub(1) == 1 && stopping) finishIfDrained();
}

void HttpServer::Impl::finishIfDrained() {
  std::function<void()> callback;
  {
    std::lock_guard lock(done_mutex);
    callback = std::exchange(done, nullptr);
  }
  if (callback) callback();
}

HttpServer::HttpServer(std::vector<asio::io_context*> contexts, ServerConfig config, const Router& router,
                       Metrics& metrics, Handler fallback)
    : impl_(std::make_shared<Impl>(std::move(contexts), std::move(config), router, metrics, std::move(fallback))) {}

HttpServer::~HttpServer() = default;

void HttpServer::start() {
  auto& context = *impl_->workers.front().context;
  const tcp::endpoint endpoint(asio::ip::make_address(impl_->config.address), impl_->config.port);
  impl_->acceptor = std::make_unique<tcp::acceptor>(context);
  impl_->acceptor->open(endpoint.protocol());
  impl_->acceptor->set_option(asio::socket_base::reuse_address(true));
  impl_->acceptor->bind(endpoint);
  impl_->acceptor->listen(asio::socket_base::max_listen_connections);
  impl_->bound_port = impl_->acceptor->local_endpoint().port();
  asio::co_spawn(context, impl_->acceptLoop(), asio::detached);
  for (std::size_t worker_idx = 0; worker_idx < impl_->workers.size(); ++worker_idx) {
    asio::co_spawn(*impl_->workers[worker_idx].context, impl_->sweep(worker_idx), asio::detached);
  }
}

std::uint16_t HttpServer::port() const noexcept { return impl_->bound_port; }

std::size_t HttpServer::activeConnections() const noexcept { return impl_->active.load(); }

void HttpServer::stop(std::function<void()> done) {
  {
    std::lock_guard lock(impl_->done_mutex);
    impl_->done = std::move(done);
  }
  impl_->stopping = true;
  auto impl = impl_;
  asio::post(*impl->workers.front().context, [impl] {
    boost::system::error_code ignored;
    if (impl->acceptor) impl->acceptor->close(ignored);
  });
  for (auto& worker : impl->workers) {
    asio::post(*worker.context, [&worker] {
      // Copy first: a shutdown callback may end its session and erase it from the list.
      const std::vector<SessionControl*> sessions(worker.sessions.begin(), worker.sessions.end());
      for (auto* control : sessions)
        control->shutdown();
    });
  }
  auto timer = std::make_shared<asio::steady_timer>(*impl->workers.front().context, impl->config.drain_timeout);
  timer->async_wait([impl, timer](const boost::system::error_code&) {
    if (impl->active.load() > 0) spdlog::warn("drain timeout: {} connections still open", impl->active.load());
    impl->finishIfDrained();
  });
  if (impl->active.load() == 0) {
    timer->cancel();
    impl->finishIfDrained();
  }
}

} // namespace hearth::net
