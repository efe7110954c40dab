#include "net/http_server.hpp"

#include <array>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <list>
#include <mutex>
#include <span>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

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
#include <spdlog/spdlog.h>

#include "net/beast_request.hpp"
#include "net/metrics.hpp"
#include "net/websocket.hpp"
#include "net/ws_frame.hpp"
#include "net/zlib_stream.hpp"

namespace hearth::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
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
// The slowest upload rate a body above the default limit is allowed (64 KiB/s: 25 MiB in 400 s).
constexpr std::uint64_t kMinUploadBytesPerSecond = 64 * 1024;

// Bytes read from the socket per read_some. A read waiting on an idle connection holds only
// this inline buffer: a dynamic buffer would hold a heap block sized for the largest frame for
// as long as the connection stays idle.
constexpr std::size_t kWsReadChunk = 128;
// How long the close handshake may take once the server closes: flushing what is queued, then
// the client's close frame. After that the socket is cut.
constexpr std::chrono::seconds kWsCloseTimeout{5};
// One write takes at most this many frames (and stops adding frames past kWsBatchBytes): what
// piled up while the previous write was in flight leaves in one system call.
constexpr std::size_t kWsBatchFrames = 64;
constexpr std::size_t kWsBatchBytes = 256 * 1024;
// What a queued frame costs beyond its payload (its queue entry and shared string), for the
// outbound limit.
constexpr std::size_t kWsFrameOverhead = 64;

// One frame waiting to be sent. The payload is shared: an event sent to many sessions is
// serialised once (unless the session deflates it), and a dispatch's own sequence number is
// written in front of it when it leaves (WsText).
struct Outbound {
  WsText payload;
  ws::Opcode opcode = ws::Opcode::kText;
  bool uncounted = false; //!< a replayed frame: not held to the outbound limit (sendReplay)
  bool raw = false; //!< the handshake's 101 response: sent as it is, without a frame header
};

// Outbound frames in order. A vector with a moving head rather than a std::deque, whose empty
// state already holds a 512-byte block: most connections are idle, their queue empty.
class FrameQueue {
public:
  bool empty() const noexcept { return head_ == frames_.size(); }
  std::size_t size() const noexcept { return frames_.size() - head_; }
  const Outbound& at(std::size_t i) const noexcept { return frames_[head_ + i]; }
  void push_back(Outbound frame) {
    if (head_ >= kCompactAfter && head_ * 2 >= frames_.size()) {
      frames_.erase(frames_.begin(), frames_.begin() + static_cast<std::ptrdiff_t>(head_));
      head_ = 0;
    }
    frames_.push_back(std::move(frame));
  }
  void pop_front() {
    frames_[head_++].payload.body.reset();
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
  std::vector<Outbound> frames_;
  std::size_t head_ = 0;
};

// Whether the request asks for a WebSocket (RFC 6455 §4.2.1): GET, `Upgrade: websocket` and
// `upgrade` among the Connection header's tokens (browsers send "keep-alive, Upgrade").
bool hasToken(std::string_view list, std::string_view token) {
  while (!list.empty()) {
    const auto comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t'))
      item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t'))
      item.remove_suffix(1);
    if (equalsIgnoreCase(item, token)) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

bool isWebSocketUpgrade(const Request& request) {
  return request.method == Method::kGet && hasToken(request.headers.get("Upgrade"), "websocket") &&
         hasToken(request.headers.get("Connection"), "upgrade");
}

// A WebSocket on the bare socket, framed by ws::FrameParser and ws::writeHeader. One writer
// drains the queue, many frames per write; the reader answers pings through the same queue,
// so control frames never cut into a message.
class WsConnectionImpl final : public WsConnection, public std::enable_shared_from_this<WsConnectionImpl> {
public:
  WsConnectionImpl(tcp::socket socket, std::string remote, std::size_t queue_limit, std::size_t max_message,
                   std::string handshake_response, std::string early_bytes)
      : socket_(std::move(socket)),
        queue_limit_(queue_limit),
        parser_(max_message),
        remote_(std::move(remote)),
        early_bytes_(std::move(early_bytes)) {
    // Writes are tried at once and must never block the thread (writeNow).
    boost::system::error_code ignored;
    socket_.non_blocking(true, ignored);
    // The 101 response is the first thing written; the first frames often share its write.
    queue_.push_back(
        Outbound{std::make_shared<const std::string>(std::move(handshake_response)), ws::Opcode::kText, false, true});
  }

  void startReading(WsOnMessage on_message) override {
    on_message_ = std::move(on_message);
    readMore();
  }

  void readMore() override {
    asio::post(socket_.get_executor(), [self = shared_from_this()] { self->deliver(); });
  }

  asio::any_io_executor executor() override { return socket_.get_executor(); }

  bool send(WsText frame) override { return queueMessage(std::move(frame), true); }
  bool sendReplay(WsText frame) override { return queueMessage(std::move(frame), false); }

  bool sendNow(std::vector<WsText>& frames) override {
    if (queue_.empty() && !writing_ && !zlib_ && !close_requested_ && !broken_ && writeDirect(frames)) {
      frames.clear();
      return !broken_;
    }
    bool open = true;
    for (auto& frame : frames) {
      if (!(open = queueMessage(std::move(frame), true, false))) break;
    }
    frames.clear();
    if (!writing_) writeNow(); // a writeNow already posted finds the queue empty
    return open;
  }

  void close(std::uint16_t code, std::string reason) override {
    if (close_requested_ || broken_) return;
    queueClose(ws::closePayload(code, reason));
  }

  bool isOpen() const noexcept override { return !close_requested_ && !broken_; }
  const std::string& remoteAddress() const noexcept override { return remote_; }
  std::size_t queuedBytes() const noexcept override { return queued_bytes_; }
  std::optional<std::uint16_t> closeCode() const noexcept override { return peer_close_code_; }
  void enableZlibStream() override {
    if (!zlib_) zlib_ = std::make_unique<ZlibStream>();
  }

  //! The handler has ended. A writer still flushing (to a client that does not read) gets the
  //! close timeout, after which the socket is cut; the sweep no longer watches this connection.
  void handlerEnded() {
    if (!writing_ && !write_posted_) return;
    auto timer = std::make_shared<asio::steady_timer>(socket_.get_executor(), kWsCloseTimeout);
    timer->async_wait([self = shared_from_this(), timer](boost::system::error_code ec) {
      if (ec || (!self->writing_ && !self->write_posted_)) return;
      boost::system::error_code ignored;
      self->socket_.close(ignored);
    });
  }

private:
  // What the bytes at hand hold: a message, the end of reading, or nothing whole yet.
  enum class Parsed { kMessage, kEnded, kNeedMore };

  // Parses what was read (the bytes sent with the handshake first, rare), answering pings and
  // the peer's close on the way.
  Parsed parseBuffered(std::string& message) {
    ws::Event event;
    while (!parser_.done() && (!early_bytes_.empty() || read_begin_ < read_end_)) {
      if (!early_bytes_.empty()) {
        const std::size_t used = parser_.parse(early_bytes_, event);
        early_bytes_.erase(0, used);
        if (early_bytes_.empty()) early_bytes_.shrink_to_fit();
      } else {
        read_begin_ += parser_.parse({read_chunk_.data() + read_begin_, read_end_ - read_begin_}, event);
      }
      switch (event.kind) {
      case ws::Event::Kind::kNone: break;
      case ws::Event::Kind::kMessage: message = std::move(event.payload); return Parsed::kMessage;
      case ws::Event::Kind::kPing:
        // Pongs count against the outbound limit too: a client that pings and never reads
        // must not grow memory.
        if (queued_bytes_ + event.payload.size() + kWsFrameOverhead > queue_limit_) {
          spdlog::warn("gateway {}: outbound queue over {} bytes, closing", remote_, queue_limit_);
          close(4000, "outbound queue overflow");
        } else if (!close_requested_ && !broken_) {
          push(ws::Opcode::kPong, std::move(event.payload));
        }
        break;
      case ws::Event::Kind::kPong: break;
      case ws::Event::Kind::kClose:
        peer_close_code_ = event.code;
        peer_closed_ = true;
        // Answer with the same code (an empty close when it gave none), then the socket closes.
        if (event.code == ws::kCloseNoStatus) {
          queueClose(std::string());
        } else {
          queueClose(ws::closePayload(event.code, {}));
        }
        closeIfDone();
        return Parsed::kEnded;
      case ws::Event::Kind::kError:
        spdlog::info("gateway {}: protocol error, closing {}: {}", remote_, event.code, event.payload);
        close(event.code, event.payload);
        return Parsed::kEnded;
      }
    }
    return parser_.done() || read_ended_ ? Parsed::kEnded : Parsed::kNeedMore;
  }

  // Hands the reader its next message, or waits on the socket for more bytes: the pending read
  // is the only thing an idle connection has in flight.
  void deliver() {
    if (!on_message_) return;
    std::string message;
    switch (parseBuffered(message)) {
    case Parsed::kMessage: on_message_(std::move(message)); return;
    case Parsed::kEnded: endReading(); return;
    case Parsed::kNeedMore: break;
    }
    socket_.async_read_some(
        asio::buffer(read_chunk_),
        [self = shared_from_this()](boost::system::error_code ec, std::size_t bytes) { self->readDone(ec, bytes); });
  }

  void readDone(boost::system::error_code ec, std::size_t bytes) {
    if (ec) {
      read_ended_ = true;
      if (ec != asio::error::operation_aborted && ec != asio::error::eof && ec != asio::error::connection_reset) {
        spdlog::info("gateway {}: read ended: {}", remote_, ec.message());
      }
      closeIfDone();
      endReading();
      return;
    }
    read_begin_ = 0;
    read_end_ = bytes;
    deliver();
  }

  // The reader gets its nullopt and is let go (it usually holds this connection: the cycle ends).
  void endReading() {
    auto reader = std::move(on_message_);
    on_message_ = nullptr;
    if (reader) reader(std::nullopt);
  }

  bool queueMessage(WsText frame, bool counted, bool kick = true) {
    if (close_requested_ || broken_) return false;
    if (zlib_) frame = WsText(std::make_shared<const std::string>(zlib_->compress(flatten(frame))));
    if (counted && queued_bytes_ + size(frame) + kWsFrameOverhead > queue_limit_) {
      spdlog::warn("gateway {}: outbound queue over {} bytes, closing", remote_, queue_limit_);
      close(4000, "outbound queue overflow");
      return false;
    }
    Outbound out{std::move(frame), zlib_ ? ws::Opcode::kBinary : ws::Opcode::kText, !counted, false};
    queued_bytes_ += weight(out);
    queue_.push_back(std::move(out));
    if (kick) kickWriter();
    return true;
  }

  // What a queued frame counts against the limit: its payload and the bookkeeping around it, so
  // that a flood of empty pongs counts too.
  static std::size_t weight(const Outbound& frame) noexcept {
    return frame.raw || frame.uncounted ? 0 : size(frame.payload) + kWsFrameOverhead;
  }
  // A frame's payload size, counting its prefix and number at their longest.
  static std::size_t size(const WsText& text) noexcept {
    return text.body->size() + (text.prefix == nullptr ? 0 : WsText::kMaxHead);
  }

  void push(ws::Opcode opcode, std::string payload) {
    queued_bytes_ += payload.size() + kWsFrameOverhead;
    queue_.push_back(Outbound{std::make_shared<const std::string>(std::move(payload)), opcode, false, false});
    kickWriter();
  }

  // The close frame goes after what is queued; nothing is queued after it. From here on the
  // handshake has kWsCloseTimeout to finish (the sweep cancels the socket after that).
  void queueClose(std::string payload) {
    if (close_requested_ || broken_) return;
    close_requested_ = true;
    control.socket = &socket_;
    control.deadline = std::chrono::steady_clock::now() + kWsCloseTimeout;
    push(ws::Opcode::kClose, std::move(payload));
  }

  // Both sides are done with the close handshake, or the peer is gone: let the socket go.
  void closeIfDone() {
    if (!close_sent_ && !broken_) return;
    if (!peer_closed_ && !read_ended_) return;
    boost::system::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

  // What one write takes from the front of the queue.
  struct Batch {
    std::size_t frames = 0;
    std::size_t buffers = 0;
    std::size_t bytes = 0;
    bool closes = false;
  };
  // Per frame: its header, then the payload's own head (WsText's prefix and number), contiguous.
  static constexpr std::size_t kHeadRoom = ws::kMaxServerHeader + WsText::kMaxHead;
  using Headers = std::array<std::array<char, kHeadRoom>, kWsBatchFrames>;
  // Plain iovecs, filled as gathered: an array of asio::const_buffer would be zeroed whole (2 KiB)
  // for every write, and copied into iovecs again by Asio.
  using Buffers = std::array<iovec, 2 * kWsBatchFrames>;
  static iovec bytes(const char* data, std::size_t size) noexcept { return {const_cast<char*>(data), size}; }

  // Adds one frame to `batch`: its header, then its payload as it is (shared, never copied).
  static void layOut(const WsText& payload, ws::Opcode opcode, bool raw, Headers& headers, Buffers& buffers,
                     Batch& batch) noexcept {
    const std::string& body = *payload.body;
    if (!raw) {
      // The payload's head goes right after the largest header, the header right before it.
      auto& room = headers[batch.frames];
      const std::size_t head_size = writeTextHead(
          payload, std::span<char, WsText::kMaxHead>(room.data() + ws::kMaxServerHeader, WsText::kMaxHead));
      std::array<char, ws::kMaxServerHeader> header;
      const std::size_t header_size = ws::writeHeader(opcode, head_size + body.size(), header);
      char* const start = room.data() + ws::kMaxServerHeader - header_size;
      std::memcpy(start, header.data(), header_size);
      buffers[batch.buffers++] = bytes(start, header_size + head_size);
      batch.bytes += header_size + head_size;
    }
    buffers[batch.buffers++] = bytes(body.data(), body.size());
    batch.bytes += body.size();
    batch.closes = opcode == ws::Opcode::kClose;
    ++batch.frames;
  }

  // Lays out up to `max_frames` queued frames as buffers. Stops after a close frame.
  Batch gather(Headers& headers, Buffers& buffers, std::size_t max_frames) const {
    Batch batch;
    while (batch.frames < queue_.size() && batch.frames < max_frames && batch.bytes < kWsBatchBytes && !batch.closes) {
      const Outbound& frame = queue_.at(batch.frames);
      layOut(frame.payload, frame.opcode, frame.raw, headers, buffers, batch);
    }
    return batch;
  }

  // One sendmsg of the batch laid out in `buffers`: the bytes written, or nullopt when the
  // connection broke (EAGAIN writes nothing).
  std::optional<std::size_t> sendBatch(Buffers& buffers, const Batch& batch) {
    msghdr message{};
    message.msg_iov = buffers.data();
    message.msg_iovlen = batch.buffers;
    ssize_t sent = 0;
    do {
      sent = ::sendmsg(socket_.native_handle(), &message, MSG_NOSIGNAL);
    } while (sent < 0 && errno == EINTR);
    if (sent >= 0) return static_cast<std::size_t>(sent);
    if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
    return std::nullopt;
  }

  // sendNow() when nothing waits: the frames go from `frames` to the socket without entering the
  // queue (in a fan-out to thousands of connections, each queue is a cold cache line). Only what
  // the socket does not take is queued, for the writer. False, having done nothing, when the
  // frames are more than one write takes (gather()'s bounds: the writer lays out the same batch).
  bool writeDirect(std::vector<WsText>& frames) {
    if (frames.empty()) return true;
    Headers headers;
    Buffers buffers;
    Batch batch;
    for (const auto& frame : frames) {
      if (batch.frames == kWsBatchFrames || batch.bytes >= kWsBatchBytes) return false;
      layOut(frame, ws::Opcode::kText, false, headers, buffers, batch);
    }
    const auto written = sendBatch(buffers, batch);
    if (!written) {
      broken_ = true;
      writesEnded();
      return true;
    }
    if (*written == batch.bytes) return true;
    // Held to the outbound limit from the next frame on: these were taken already.
    for (auto& frame : frames) {
      Outbound out{std::move(frame), ws::Opcode::kText, false, false};
      queued_bytes_ += weight(out);
      queue_.push_back(std::move(out));
    }
    writing_ = true;
    asio::co_spawn(socket_.get_executor(), writer(shared_from_this(), batch.frames, *written), asio::detached);
    return true;
  }

  // The batch is written: drop its frames. After the close frame our side is finished: the
  // client sees it, then our FIN.
  void finish(const Batch& batch) {
    for (std::size_t i = 0; i < batch.frames; ++i) {
      queued_bytes_ -= weight(queue_.at(0));
      queue_.pop_front();
    }
    if (batch.closes) {
      close_sent_ = true;
      boost::system::error_code ignored;
      socket_.shutdown(tcp::socket::shutdown_send, ignored);
    }
  }

  void writesEnded() {
    if (broken_) {
      queue_.clear();
      queued_bytes_ = 0;
      // Wake a read waiting on a connection that can no longer be written to.
      boost::system::error_code ignored;
      socket_.cancel(ignored);
    }
    closeIfDone();
  }

  // Frames queued in one go (a flush of the gateway's outbox) leave together: the write runs
  // once the current handler is done queuing.
  void kickWriter() {
    if (writing_ || write_posted_) return;
    write_posted_ = true;
    asio::post(socket_.get_executor(), [self = shared_from_this()] { self->writeNow(); });
  }

  // Writes what is queued straight away, one writev per batch, on the non-blocking socket. Only
  // when the kernel's send buffer is full does the rest wait for the socket in `writer`: a
  // client that keeps up costs no asynchronous operation at all.
  void writeNow() {
    write_posted_ = false;
    if (writing_) return;
    Headers headers;
    Buffers buffers;
    while (!queue_.empty() && !broken_) {
      const Batch batch = gather(headers, buffers, kWsBatchFrames);
      const auto written = sendBatch(buffers, batch);
      if (!written) {
        broken_ = true;
        break;
      }
      if (*written < batch.bytes) {
        writing_ = true;
        asio::co_spawn(socket_.get_executor(), writer(shared_from_this(), batch.frames, *written), asio::detached);
        return;
      }
      finish(batch);
    }
    writesEnded();
  }

  // The writes that must wait: first the rest of a batch (its first `frames` frames, of which
  // `sent` bytes are out), then whatever is queued meanwhile, until the queue is empty.
  static asio::awaitable<void> writer(std::shared_ptr<WsConnectionImpl> self, std::size_t frames, std::size_t sent) {
    Headers headers;
    Buffers buffers;
    while (!self->queue_.empty() && !self->broken_) {
      const Batch batch = self->gather(headers, buffers, frames);
      frames = kWsBatchFrames;
      std::size_t first = 0;
      while (sent > 0 && sent >= buffers[first].iov_len) {
        sent -= buffers[first].iov_len;
        ++first;
      }
      std::vector<asio::const_buffer> rest;
      rest.reserve(batch.buffers - first);
      for (std::size_t index = first; index < batch.buffers; ++index)
        rest.emplace_back(buffers[index].iov_base, buffers[index].iov_len);
      rest.front() += sent;
      sent = 0;
      auto [ec, written] = co_await asio::async_write(self->socket_, rest, kUseTuple);
      if (ec) {
        self->broken_ = true;
        break;
      }
      self->finish(batch);
    }
    self->writing_ = false;
    self->writesEnded();
  }

  // What sending touches comes first, together: a fan-out writes to thousands of connections,
  // each from cold memory.
  tcp::socket socket_;
  FrameQueue queue_;
  std::size_t queued_bytes_ = 0;
  std::size_t queue_limit_;
  std::unique_ptr<ZlibStream> zlib_; //!< set for ?compress=zlib-stream
  bool writing_ = false; //!< `writer` waits for the socket
  bool write_posted_ = false; //!< writeNow is on its way
  bool close_requested_ = false;
  bool close_sent_ = false;
  bool peer_closed_ = false;
  bool read_ended_ = false;
  bool broken_ = false;
  std::optional<std::uint16_t> peer_close_code_;
  ws::FrameParser parser_;
  std::array<char, kWsReadChunk> read_chunk_;
  std::size_t read_begin_ = 0;
  std::size_t read_end_ = 0;
  std::string remote_;
  std::string early_bytes_;
  WsOnMessage on_message_; //!< the reader, from startReading() until its nullopt

public:
  //! The server's hold on this connection for stop() and the close deadline: registered in its
  //! worker's list while the handler runs (touched on the connection's thread only).
  SessionControl control;
  std::list<SessionControl*>::iterator control_it;
  bool handler_over = false; //!< the handler said it is done (WsEnded)
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
  void startWebSocket(tcp::socket socket, std::string handshake_response, std::string early_bytes, Request request,
                      const WsHandler* handler, std::size_t worker_idx);
  void webSocketEnded(WsConnectionImpl& connection, std::size_t worker_idx);
  asio::awaitable<bool> write(beast::tcp_stream& stream, const Request& request, const Response& response,
                              bool keep_alive, bool more_requests, std::string& pending);
  asio::awaitable<bool> writeFile(beast::tcp_stream& stream, const FileBody& file, std::string& pending);
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

// A file body after the header block, a chunk at a time: memory per download stays at one chunk
// whatever the file's size. The reads are pread()s of files the page cache mostly holds; a
// file gone after the header was sent ends the connection (the length can no longer be kept).
asio::awaitable<bool> HttpServer::Impl::writeFile(beast::tcp_stream& stream, const FileBody& file,
                                                  std::string& pending) {
  constexpr std::size_t kChunk = 256 * 1024;
  const int fd = ::open(file.path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    spdlog::warn("file body {}: cannot open", file.path);
    co_return false;
  }
  std::string chunk;
  chunk.swap(pending); // the header block goes out with the first chunk
  const std::size_t header_bytes = chunk.size();
  std::uint64_t sent = 0;
  bool ok = true;
  while (ok && sent < file.length) {
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(kChunk, file.length - sent));
    const std::size_t start = chunk.size();
    chunk.resize(start + want);
    const auto got = ::pread(fd, chunk.data() + start, want, static_cast<off_t>(file.offset + sent));
    if (got <= 0) {
      ok = false;
      break;
    }
    chunk.resize(start + static_cast<std::size_t>(got));
    sent += static_cast<std::uint64_t>(got);
    auto [ec, written] = co_await asio::async_write(stream, asio::buffer(chunk), kUseTuple);
    ok = !ec;
    chunk.clear();
  }
  ::close(fd);
  if (header_bytes > 0 && file.length == 0 && ok) {
    auto [ec, written] = co_await asio::async_write(stream, asio::buffer(chunk), kUseTuple);
    ok = !ec;
  }
  pending.clear();
  co_return ok;
}

asio::awaitable<bool> HttpServer::Impl::write(beast::tcp_stream& stream, const Request& request,
                                              const Response& response, bool keep_alive, bool more_requests,
                                              std::string& pending) {
  // Responses to pipelined requests wait in `pending` while further requests are already
  // buffered, then leave together: one send for many responses. A shared body goes out as a
  // second buffer of the same send, never copied.
  const bool send_shared = serializeResponse(request, response, keep_alive, httpDate(), pending);
  boost::system::error_code ec;
  if (send_shared && response.file_body) {
    co_return co_await writeFile(stream, *response.file_body, pending);
  }
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
// buffer and response state, is several KiB) and gets none of the server's own: the 101 response
// is the first item of the connection's queue and the handler takes the connection over. What
// an idle WebSocket costs the server is then the socket, the connection object (its parser and a
// 128-byte read buffer), its pending read and what the handler keeps.
void HttpServer::Impl::startWebSocket(tcp::socket socket, std::string handshake_response, std::string early_bytes,
                                      Request request, const WsHandler* handler, std::size_t worker_idx) {
  auto connection = std::make_shared<WsConnectionImpl>(std::move(socket), request.remote_address,
                                                       config.limits.ws_queue_bytes, config.limits.ws_message_bytes,
                                                       std::move(handshake_response), std::move(early_bytes));
  Worker& worker = workers[worker_idx];
  connection->control.shutdown = [weak = std::weak_ptr<WsConnectionImpl>(connection)] {
    if (auto open = weak.lock()) open->close(1012, "server restarting");
  };
  connection->control_it = worker.sessions.insert(worker.sessions.end(), &connection->control);
  if (stopping) connection->control.shutdown(); // stop() went over the sessions already
  metrics.websocketOpened();
  // The handler takes the request and keeps what it needs of it: nothing of it stays here. It
  // says when it is done with the connection (once; a throw before it took the connection ends it
  // here).
  WsEnded ended = [self = shared_from_this(), connection, worker_idx] {
    if (std::exchange(connection->handler_over, true)) return;
    self->metrics.websocketClosed();
    self->webSocketEnded(*connection, worker_idx);
  };
  try {
    (*handler)(connection, std::move(request), ended);
  } catch (const std::exception& error) {
    spdlog::error("{}: WebSocket handler threw: {}", connection->remoteAddress(), error.what());
    connection->close(1011, "internal error");
    ended();
  }
}

void HttpServer::Impl::webSocketEnded(WsConnectionImpl& connection, std::size_t worker_idx) {
  workers[worker_idx].sessions.erase(connection.control_it);
  connection.handlerEnded();
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
      // A client that asked (curl does for large bodies) waits for this before sending the body;
      // without it, it waits a second of its own.
      if (const auto expect = parser.get().find(http::field::expect);
          expect != parser.get().end() && equalsIgnoreCase(std::string_view(expect->value()), "100-continue")) {
        static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
        auto [continue_ec, continue_bytes] =
            co_await asio::async_write(stream, asio::buffer(kContinue.data(), kContinue.size()), kUseTuple);
        if (continue_ec) break;
      }
    }
    // An upload larger than the default body limit gets the time it needs at a modest rate
    // (kMinUploadBytesPerSecond), so a 25 MiB file still arrives over a slow link; any other
    // body has the plain body timeout.
    auto body_timeout = config.limits.body_timeout;
    if (const auto declared = parser.content_length().value_or(0); declared > config.limits.body_bytes) {
      body_timeout = std::max(body_timeout, std::chrono::milliseconds(declared * 1000 / kMinUploadBytesPerSecond));
    }
    control.arm(body_timeout);
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
    const bool http11 = parser.get().version() >= 11;
    detail::BeastRequest beast_request = parser.release();
    Request request = detail::toRequest(beast_request);
    request.worker = worker_idx;
    request.remote_address = peer;
    if (config.trust_proxy) {
      const auto forwarded = request.headers.get("X-Forwarded-For");
      if (!forwarded.empty()) request.remote_address = std::string(forwarded.substr(0, forwarded.find(',')));
    }

    if (http11 && isWebSocketUpgrade(request)) {
      const RouteMatch match = router.match(request, true);
      if (match.kind == RouteMatch::Kind::kWebSocket) {
        // RFC 6455 §4.2: version 13 and a well-formed key, or the handshake fails as HTTP.
        std::optional<Response> refusal;
        std::optional<std::string> accept;
        if (request.headers.get("Sec-WebSocket-Version") != "13") {
          refusal = errorResponse(core::ErrorCode::kMalformedRequest, "WebSocket version 13 is required");
          refusal->status = 426;
          refusal->headers.add("Sec-WebSocket-Version", "13");
        } else if (accept = ws::acceptKey(request.headers.get("Sec-WebSocket-Key")); !accept) {
          refusal = errorResponse(core::ErrorCode::kMalformedRequest, "Sec-WebSocket-Key is missing or malformed");
        } else if (!originAllowed(request.headers.get("Origin"), request.headers.get("Host"), config.allowed_origins)) {
          refusal = errorResponse(core::ErrorCode::kMissingAccess, "WebSocket origin not allowed");
        }
        if (refusal) {
          spdlog::info("{} {}: WebSocket refused (origin {}): {}", peer, request.path, request.headers.get("Origin"),
                       refusal->body);
          metrics.observeRequest(worker_idx, "GET", match.pattern, refusal->status, 0);
          co_await write(stream, request, *refusal, false, false, pending);
          break;
        }
        metrics.observeRequest(worker_idx, "GET", match.pattern, 101,
                               std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
        // Answers to requests pipelined before the upgrade go first, in the same write.
        std::string handshake = std::move(pending);
        handshake += "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Accept: ";
        handshake += *accept;
        handshake += "\r\nServer: hearth\r\n\r\n";
        // Frames the client sent right behind its handshake are already in our buffer.
        std::string early(static_cast<const char*>(buffer.data().data()), buffer.size());
        // The connection (and its count in `active` and the metrics) passes to the WebSocket;
        // this frame ends.
        worker.sessions.erase(control_it);
        startWebSocket(stream.release_socket(), std::move(handshake), std::move(early), std::move(request),
                       match.ws_handler, worker_idx);
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
