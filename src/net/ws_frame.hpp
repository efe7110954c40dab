#pragma once
// RFC 6455 framing without I/O: the server's side of a WebSocket. `FrameParser` turns the bytes a
// client sent into messages and control frames, checking everything the RFC asks of a server
// (masking, reserved bits, opcodes, control-frame rules, fragmentation, minimal lengths, UTF-8
// of text and close reasons, a message size limit); `writeHeader` frames what the server sends.
// The connection that uses them (http_server.cpp) owns the socket, so it can put many frames
// into one write and answer pings in order with everything else it sends.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace hearth::net::ws {

enum class Opcode : std::uint8_t {
  kContinuation = 0x0,
  kText = 0x1,
  kBinary = 0x2,
  kClose = 0x8,
  kPing = 0x9,
  kPong = 0xA,
};

//! Close codes the server itself uses when a client breaks the protocol.
inline constexpr std::uint16_t kCloseProtocolError = 1002;
inline constexpr std::uint16_t kCloseInvalidPayload = 1007;
inline constexpr std::uint16_t kCloseTooBig = 1009;
//! The code a close frame without a status stands for (never sent on the wire).
inline constexpr std::uint16_t kCloseNoStatus = 1005;

//! The longest header of an unmasked server frame: 2 bytes and a 64-bit length.
inline constexpr std::size_t kMaxServerHeader = 10;
//! A control frame's payload limit.
inline constexpr std::size_t kMaxControlPayload = 125;

//! Writes the header of one unfragmented server frame (FIN set, unmasked) and returns its size.
std::size_t writeHeader(Opcode opcode, std::size_t payload_size, std::span<char, kMaxServerHeader> out) noexcept;

//! A close frame's payload: the code, then the reason cut to fit 125 bytes on a character boundary.
std::string closePayload(std::uint16_t code, std::string_view reason);

//! Whether a peer may send this code in a close frame (RFC 6455 §7.4 and the IANA registry).
bool validCloseCode(std::uint16_t code) noexcept;

//! Strict UTF-8: no overlong forms, surrogates or code points above U+10FFFF.
bool validUtf8(std::string_view text) noexcept;

//! The Sec-WebSocket-Accept value for a client's Sec-WebSocket-Key, or nullopt when the key is
//! not the base64 of 16 bytes.
std::optional<std::string> acceptKey(std::string_view client_key);

//! What one call to `FrameParser::parse` completed.
struct Event {
  enum class Kind : std::uint8_t { kNone, kMessage, kPing, kPong, kClose, kError };
  Kind kind = Kind::kNone;
  bool binary = false; //!< kMessage: sent as binary rather than text
  //! kClose: the peer's code (kCloseNoStatus when it gave none); kError: the code to close with.
  std::uint16_t code = 0;
  //! kMessage: the whole message; kPing/kPong: their data; kClose: the reason; kError: what was wrong.
  std::string payload;
};

//! Parses what a client sends. Feed it bytes in pieces of any size; it keeps only the header in
//! progress, the message being assembled and a control frame's payload. After a close frame or
//! an error it takes no further bytes.
class FrameParser {
public:
  explicit FrameParser(std::size_t max_message_bytes) noexcept : max_message_(max_message_bytes) {}

  //! Consumes bytes of `data` until one event is complete (set in `event`) or `data` runs out
  //! (`event.kind` is kNone). Returns how many bytes it consumed; call again with the rest.
  std::size_t parse(std::string_view data, Event& event);

  //! Whether a close frame or an error ended the stream.
  bool done() const noexcept { return state_ == State::kDone; }

private:
  enum class State : std::uint8_t { kHeader, kPayload, kDone };
  bool headerComplete(Event& event);
  bool frameComplete(Event& event);
  void fail(Event& event, std::uint16_t code, std::string_view why);

  std::size_t max_message_;
  std::string message_; //!< the data message being assembled
  std::string control_; //!< the control frame being read
  std::uint64_t remaining_ = 0; //!< payload bytes of the current frame still to come
  State state_ = State::kHeader;
  std::uint8_t header_[14] = {};
  std::uint8_t header_size_ = 0; //!< bytes of header_ read
  std::uint8_t header_needed_ = 2; //!< bytes of header_ this frame has
  std::uint8_t mask_[4] = {};
  std::uint8_t mask_offset_ = 0;
  Opcode frame_opcode_ = Opcode::kContinuation;
  bool frame_fin_ = false;
  bool in_message_ = false; //!< a fragmented data message has started
  bool message_binary_ = false;
};

} // namespace hearth::net::ws
