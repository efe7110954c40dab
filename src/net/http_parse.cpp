#include "net/http_parse.hpp"

#include "net/beast_request.hpp"

namespace hearth::net {

namespace http = boost::beast::http;

namespace detail {

void configureParser(BeastParser& parser, const HttpLimits& limits) {
  parser.header_limit(static_cast<std::uint32_t>(limits.header_bytes));
  parser.body_limit(limits.body_bytes);
}

Request toRequest(BeastRequest& beast_request) {
  Request request;
  request.method = parseMethod(std::string_view(beast_request.method_string()));
  request.target = std::string(beast_request.target());
  const auto question = request.target.find('?');
  request.path = request.target.substr(0, question);
  if (question != std::string::npos) request.query = request.target.substr(question + 1);
  for (const auto& field : beast_request) {
    request.headers.add(std::string(field.name_string()), std::string(field.value()));
  }
  request.keep_alive = beast_request.keep_alive();
  request.body = std::move(beast_request.body());
  return request;
}

core::Error parseError(const boost::system::error_code& ec) {
  if (ec == http::error::header_limit) {
    return {core::ErrorCode::kHeadersTooLarge, "Request header fields too large"};
  }
  if (ec == http::error::body_limit) return {core::ErrorCode::kRequestTooLarge, "Request body too large"};
  return {core::ErrorCode::kMalformedRequest, "Malformed HTTP request: " + ec.message()};
}

} // namespace detail

core::Result<Request> parseRequest(std::string_view bytes, const HttpLimits& limits) {
  detail::BeastParser parser;
  detail::configureParser(parser, limits);
  parser.eager(true);
  boost::system::error_code ec;
  std::size_t offset = 0;
  while (!parser.is_done()) {
    const std::size_t used = parser.put(boost::asio::buffer(bytes.data() + offset, bytes.size() - offset), ec);
    offset += used;
    if (ec == http::error::need_more) {
      if (offset < bytes.size() && used > 0) {
        ec = {};
        continue;
      }
      // The input ended: a body without its end is incomplete, one delimited by EOF is complete.
      parser.put_eof(ec);
      if (ec) return std::unexpected(core::Error{core::ErrorCode::kMalformedRequest, "Incomplete HTTP request"});
      break;
    }
    if (ec) return std::unexpected(detail::parseError(ec));
    if (used == 0) break;
  }
  if (!parser.is_done())
    return std::unexpected(core::Error{core::ErrorCode::kMalformedRequest, "Incomplete HTTP request"});
  if (parser.get().target().empty() || parser.get().target().front() != '/') {
    return std::unexpected(core::Error{core::ErrorCode::kMalformedRequest, "Request target must be an absolute path"});
  }
  auto beast_request = parser.release();
  return detail::toRequest(beast_request);
}

} // namespace hearth::net
