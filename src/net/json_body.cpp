#include "net/json_body.hpp"

#include <boost/json/parse.hpp>

namespace hearth::net {

namespace {

// Whether a string or key anywhere in `value` holds U+0000. Depth is bounded by kMaxJsonDepth.
bool holdsNul(const boost::json::value& value) {
  const auto nul = [](std::string_view text) { return text.find('\0') != std::string_view::npos; };
  switch (value.kind()) {
  case boost::json::kind::string: return nul(value.get_string());
  case boost::json::kind::array:
    for (const auto& item : value.get_array()) {
      if (holdsNul(item)) return true;
    }
    return false;
  case boost::json::kind::object:
    for (const auto& [key, item] : value.get_object()) {
      if (nul(key) || holdsNul(item)) return true;
    }
    return false;
  default: return false;
  }
}

} // namespace

core::Result<boost::json::value> parseJson(std::string_view text) {
  boost::json::parse_options options;
  options.max_depth = kMaxJsonDepth;
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(text, ec, {}, options);
  if (ec) return core::fail(core::ErrorCode::kInvalidJson, "Invalid JSON: " + ec.message());
  // PostgreSQL's text cannot hold U+0000, and a parameter would end at it: refused here rather
  // than stored cut short. Only the escape can put one in a string (a raw control character is
  // invalid JSON), so the walk runs only when the text has it.
  if (text.find("\\u0000") != std::string_view::npos && holdsNul(value))
    return core::fail(core::ErrorCode::kInvalidJson, "Invalid JSON: strings must not contain U+0000");
  return value;
}

core::Result<boost::json::value> parseJsonBodyAs(const Request& request,
                                                 std::initializer_list<std::string_view> media_types) {
  std::string_view type = request.headers.get("Content-Type");
  const auto semicolon = type.find(';');
  std::string_view parameters = semicolon == std::string_view::npos ? std::string_view{} : type.substr(semicolon + 1);
  type = type.substr(0, semicolon);
  while (!type.empty() && type.back() == ' ')
    type.remove_suffix(1);
  bool accepted = false;
  for (const auto media_type : media_types)
    accepted = accepted || equalsIgnoreCase(type, media_type);
  if (!accepted) {
    return core::fail(core::ErrorCode::kUnsupportedMediaType,
                      "Content-Type must be " + std::string(*media_types.begin()));
  }
  if (const auto charset = parameters.find("charset="); charset != std::string_view::npos) {
    std::string_view value = parameters.substr(charset + 8);
    value = value.substr(0, value.find(';'));
    if (!equalsIgnoreCase(value, "utf-8") && !equalsIgnoreCase(value, "\"utf-8\"")) {
      return core::fail(core::ErrorCode::kUnsupportedMediaType, "JSON bodies must be UTF-8");
    }
  }
  return parseJson(request.body);
}

core::Result<boost::json::object> parseJsonBody(const Request& request) {
  auto value = parseJsonBodyAs(request, {"application/json"});
  if (!value) return std::unexpected(value.error());
  if (!value->is_object()) return core::fail(core::ErrorCode::kInvalidJson, "The body must be a JSON object");
  return std::move(value->as_object());
}

} // namespace hearth::net
