#pragma once
// Parsing of HTTP/1.1 requests from bytes with Hearth's limits. The server reads from sockets
// with the same parser settings; this entry point serves the fuzz target and unit tests.
#include <chrono>
#include <cstddef>
#include <string_view>

#include "core/error.hpp"
#include "net/http.hpp"

namespace hearth::net {

struct HttpLimits {
  std::size_t header_bytes = 16 * 1024; //!< request line + headers
  std::size_t body_bytes = 1024 * 1024; //!< per request body
  std::chrono::milliseconds header_timeout{10000}; //!< to receive the whole header once it started
  std::chrono::milliseconds body_timeout{30000}; //!< to receive the body
  std::chrono::milliseconds idle_timeout{75000}; //!< keep-alive wait for the next request
  std::size_t ws_message_bytes = 64 * 1024; //!< largest inbound WebSocket message
  std::size_t ws_queue_bytes = 4 * 1024 * 1024; //!< outbound queue limit per WebSocket
};

//! Parses exactly one complete request from `bytes`. Errors: kMalformedRequest (broken request
//! line, headers or framing, or incomplete input), kHeadersTooLarge, kRequestTooLarge.
core::Result<Request> parseRequest(std::string_view bytes, const HttpLimits& limits);

} // namespace hearth::net
