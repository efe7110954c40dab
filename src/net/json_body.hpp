#pragma once
// JSON request bodies: the one place that checks Content-Type and parses untrusted JSON.
#include <initializer_list>
#include <string_view>

#include <boost/json/value.hpp>

#include "core/error.hpp"
#include "net/http.hpp"

namespace hearth::net {

inline constexpr std::size_t kMaxJsonDepth = 32; //!< deeper nesting is refused, not recursed into

//! Parses `text` as one JSON value (no comments, no trailing commas, depth ≤ kMaxJsonDepth, no
//! U+0000 in any string or key: PostgreSQL's text cannot hold it). Errors: kInvalidJson with the
//! parser's reason.
core::Result<boost::json::value> parseJson(std::string_view text);
//! Checks that the request's Content-Type is one of `media_types` (any charset parameter must
//! be utf-8) and parses the body. Errors: kUnsupportedMediaType, kInvalidJson.
core::Result<boost::json::value> parseJsonBodyAs(const Request& request,
                                                 std::initializer_list<std::string_view> media_types);
//! parseJsonBodyAs(request, {"application/json"}), and the body must be an object.
core::Result<boost::json::object> parseJsonBody(const Request& request);

} // namespace hearth::net
