#pragma once
// Internal to net/: the Beast side of request parsing, shared by http_server.cpp and
// http_parse.cpp. Include nowhere else (it pulls in Beast).
#include <boost/beast/http.hpp>

#include "net/http_parse.hpp"

namespace hearth::net::detail {

using BeastRequest = boost::beast::http::request<boost::beast::http::string_body>;
using BeastParser = boost::beast::http::request_parser<boost::beast::http::string_body>;

void configureParser(BeastParser& parser, const HttpLimits& limits);
//! Builds Hearth's Request from a parsed Beast one (splitting path and query), moving the body
//! out and leaving the header in place (a WebSocket accept still needs it).
Request toRequest(BeastRequest& beast_request);
//! The client-facing error for a parse failure.
core::Error parseError(const boost::system::error_code& ec);

} // namespace hearth::net::detail
