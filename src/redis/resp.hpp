#pragma once
// RESP, Redis's wire protocol: an incremental parser for the server's replies (RESP2, plus
// RESP3 push frames) and the encoder for commands (an array of bulk strings).
// The parser takes bytes in any split and hands out complete replies; malformed input or input
// past the limits is an error that leaves the parser failed (the connection must be dropped).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace hearth::redis {

struct Reply {
  enum class Type {
    kSimple, //!< +OK
    kError, //!< -ERR message
    kInteger, //!< :42
    kBulk, //!< $3 abc
    kNull, //!< $-1 or *-1 (and RESP3's _)
    kArray, //!< *2 ...
    kPush, //!< >3 ... (RESP3 out-of-band data: pub/sub messages under RESP3)
  };
  Type type = Type::kNull;
  std::string text; //!< kSimple, kError, kBulk
  std::int64_t integer = 0; //!< kInteger
  std::vector<Reply> elements; //!< kArray, kPush

  bool isError() const noexcept { return type == Type::kError; }
  bool isNull() const noexcept { return type == Type::kNull; }
  //! A short rendering for logs and test messages: "OK", "(error) ERR ...", "[\"a\", 1]".
  std::string describe() const;
};

struct ParserLimits {
  std::size_t max_bulk_bytes = 64 * 1024 * 1024; //!< one bulk string
  std::size_t max_depth = 16; //!< arrays inside arrays
  std::size_t max_elements = 1024 * 1024; //!< one array's announced length
  std::size_t max_line_bytes = 64 * 1024; //!< a simple string, error or length line
};

class ReplyParser {
public:
  explicit ReplyParser(ParserLimits limits = {}) : limits_(limits) {}

  //! Appends received bytes.
  void feed(std::string_view bytes);
  //! The next complete reply; nullopt when more bytes are needed; an error (kGeneral, "malformed
  //! RESP: ...") on bad input, then again on every later call.
  core::Result<std::optional<Reply>> next();
  //! Bytes received and not yet handed out.
  std::size_t buffered() const noexcept { return buffer_.size() - pos_; }
  bool failed() const noexcept { return !error_.empty(); }
  //! Forgets everything (a new connection).
  void reset();

private:
  struct Frame {
    Reply reply;
    std::size_t expected = 0;
  };
  std::unexpected<core::Error> failWith(std::string message);

  ParserLimits limits_;
  std::string buffer_;
  std::size_t pos_ = 0; //!< first byte not yet consumed
  std::int64_t pending_bulk_ = -1; //!< a bulk's length, read, whose bytes have not all arrived
  std::vector<Frame> stack_; //!< arrays being filled, innermost last
  std::string error_;
};

//! Appends one command, `*N\r\n` then `$len\r\narg\r\n` per argument.
void appendCommand(std::string& out, const std::vector<std::string>& args);
std::string encodeCommand(const std::vector<std::string>& args);

} // namespace hearth::redis
