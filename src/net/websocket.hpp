#pragma once
// A WebSocket connection as the gateway sees it: no Beast types. Writes go through a bounded
// outbound queue drained by one writer, so producers never block and never interleave frames.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

namespace hearth::net {

//! A text frame to send: `prefix` (when set), then `number` in decimal, then `body`. The gateway
//! sends one event to thousands of sessions whose frames differ only in their sequence number, so
//! the event is serialised once as a shared body and each session's frame adds its number in
//! front when it is written: no copy or allocation per session. Without a prefix the frame is
//! the body alone.
struct WsText {
  //! The longest prefix; `prefix` points to static storage (a literal).
  static constexpr std::size_t kMaxPrefix = 24;
  //! The longest prefix and number together (20 characters hold any int64, its sign included).
  static constexpr std::size_t kMaxHead = kMaxPrefix + 20;

  WsText() = default;
  WsText(std::shared_ptr<const std::string> whole) noexcept : body(std::move(whole)) {} // NOLINT: implicit
  WsText(const char* numbered_prefix, std::int64_t value, std::shared_ptr<const std::string> rest) noexcept
      : body(std::move(rest)), prefix(numbered_prefix), number(value) {}

  std::shared_ptr<const std::string> body;
  const char* prefix = nullptr;
  std::int64_t number = 0;
};

//! Writes a frame's prefix and number (nothing without a prefix) to `out`; returns their size.
std::size_t writeTextHead(const WsText& text, std::span<char, WsText::kMaxHead> out) noexcept;
//! The frame as one string.
std::string flatten(const WsText& text);

//! What a connection's reader is given: the next message, or nullopt once the connection is
//! closed or broken (including a message above the size limit, which closes it with 1009).
using WsOnMessage = std::function<void(std::optional<std::string>)>;

class WsConnection {
public:
  virtual ~WsConnection() = default;
  //! Starts reading: `on_message` gets each message in turn, on the connection's thread and never
  //! from inside startReading() or readMore(). After each message reading pauses until
  //! readMore(); after the nullopt it ends and `on_message` is let go. An idle connection so waits
  //! on its socket alone: no coroutine frame per connection (issue 5's memory per session).
  virtual void startReading(WsOnMessage on_message) = 0;
  //! Reads on after a message was handled.
  virtual void readMore() = 0;
  //! The connection's thread (a strand of one): everything about the connection runs on it.
  virtual boost::asio::any_io_executor executor() = 0;
  //! Queues a text frame; call it on the connection's own thread. Returns false, and closes the
  //! connection with 4000 (resumable), when the queue would pass its byte limit: a consumer
  //! that falls behind must not grow memory without bound.
  virtual bool send(WsText frame) = 0;
  //! Queues `frames` as send() does each (stopping at one that closes the connection), then writes
  //! at once rather than once the current handler is done: for a caller that gathered them
  //! already (the gateway's flush of a session's outbox). Call it on the connection's thread.
  //! Empties `frames` (its capacity stays, for the caller's next batch). False when the
  //! connection closed on the way (the rest are dropped).
  virtual bool sendNow(std::vector<WsText>& frames) = 0;
  //! Queues a frame of a RESUME's replay: like send(), but not held to the byte limit. A replay is
  //! bounded by the gateway's replay_limit and the client is owed it whole; held to the limit, a
  //! large one would close every resume with 4000 and the client could never catch up. Frames
  //! sent after it count as usual.
  virtual bool sendReplay(WsText frame) = 0;
  //! Queues a close frame after what is already queued; later sends are dropped. Idempotent.
  virtual void close(std::uint16_t code, std::string reason) = 0;
  virtual bool isOpen() const noexcept = 0;
  virtual const std::string& remoteAddress() const noexcept = 0;
  //! Bytes waiting in the outbound queue.
  virtual std::size_t queuedBytes() const noexcept = 0;
  //! The code of the peer's close frame, once one was read.
  virtual std::optional<std::uint16_t> closeCode() const noexcept = 0;
  //! From now on every frame is deflated on one zlib stream and sent as binary (Discord's
  //! `?compress=zlib-stream`). Call before the first send.
  virtual void enableZlibStream() = 0;
};

} // namespace hearth::net
