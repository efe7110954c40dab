#include "net/http.hpp"

#include <cstdio>
#include <optional>

namespace hearth::net {

std::string_view methodName(Method method) noexcept {
  switch (method) {
  case Method::kGet: return "GET";
  case Method::kHead: return "HEAD";
  case Method::kPost: return "POST";
  case Method::kPut: return "PUT";
  case Method::kPatch: return "PATCH";
  case Method::kDelete: return "DELETE";
  case Method::kOptions: return "OPTIONS";
  case Method::kOther: return "OTHER";
  }
  return "OTHER";
}

Method parseMethod(std::string_view name) noexcept {
  if (name == "GET") return Method::kGet;
  if (name == "HEAD") return Method::kHead;
  if (name == "POST") return Method::kPost;
  if (name == "PUT") return Method::kPut;
  if (name == "PATCH") return Method::kPatch;
  if (name == "DELETE") return Method::kDelete;
  if (name == "OPTIONS") return Method::kOptions;
  return Method::kOther;
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t char_idx = 0; char_idx < a.size(); ++char_idx) {
    auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[char_idx]) != lower(b[char_idx])) return false;
  }
  return true;
}

void Headers::set(std::string_view name, std::string value) {
  std::erase_if(fields_, [&](const auto& field) { return equalsIgnoreCase(field.first, name); });
  fields_.emplace_back(std::string(name), std::move(value));
}

std::string_view Headers::get(std::string_view name) const noexcept {
  for (const auto& [field_name, value] : fields_) {
    if (equalsIgnoreCase(field_name, name)) return value;
  }
  return {};
}

bool Headers::has(std::string_view name) const noexcept {
  for (const auto& field : fields_) {
    if (equalsIgnoreCase(field.first, name)) return true;
  }
  return false;
}

std::string_view Request::param(std::string_view name) const noexcept {
  for (const auto& [key, value] : params) {
    if (key == name) return value;
  }
  return {};
}

std::string Request::cookie(std::string_view name) const {
  std::string_view cookies = headers.get("Cookie");
  while (!cookies.empty()) {
    const auto semicolon = cookies.find(';');
    std::string_view pair = cookies.substr(0, semicolon);
    cookies = semicolon == std::string_view::npos ? std::string_view{} : cookies.substr(semicolon + 1);
    while (!pair.empty() && pair.front() == ' ')
      pair.remove_prefix(1);
    if (pair.starts_with(name) && pair.size() > name.size() && pair[name.size()] == '=') {
      return std::string(pair.substr(name.size() + 1));
    }
  }
  return {};
}

namespace {

// Calls `visit` with each value of the query parameter `name`, in order (nullopt for one whose
// value does not decode), until it returns false.
template <class Visit> void visitQueryParam(std::string_view query, std::string_view name, Visit visit) {
  std::string_view rest = query;
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    const auto eq = pair.find('=');
    std::string key;
    if (!percentDecode(pair.substr(0, eq), key, true) || key != name) continue;
    std::string value;
    const bool decoded = eq == std::string_view::npos || percentDecode(pair.substr(eq + 1), value, true);
    if (!visit(decoded ? std::optional<std::string>(std::move(value)) : std::nullopt)) return;
  }
}

} // namespace

std::string Request::queryParam(std::string_view name) const {
  std::string first;
  visitQueryParam(query, name, [&](std::optional<std::string> value) {
    if (value) first = std::move(*value);
    return false; // the first occurrence decides, even when it does not decode
  });
  return first;
}

std::vector<std::string> Request::queryParams(std::string_view name) const {
  std::vector<std::string> out;
  visitQueryParam(query, name, [&](std::optional<std::string> value) {
    if (value) out.push_back(std::move(*value));
    return true;
  });
  return out;
}

std::string jsonEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 8);
  for (const char c : text) {
    switch (c) {
    case '"': out += "\\\""; break;
    case '\\': out += "\\\\"; break;
    case '\n': out += "\\n"; break;
    case '\r': out += "\\r"; break;
    case '\t': out += "\\t"; break;
    default:
      if (static_cast<unsigned char>(c) < 0x20) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
        out += buf;
      } else {
        out += c;
      }
    }
  }
  return out;
}

bool percentDecode(std::string_view in, std::string& out, bool plus_is_space) {
  out.clear();
  out.reserve(in.size());
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (std::size_t char_idx = 0; char_idx < in.size(); ++char_idx) {
    const char c = in[char_idx];
    if (c == '%') {
      if (char_idx + 2 >= in.size()) return false;
      const int high = hex(in[char_idx + 1]);
      const int low = hex(in[char_idx + 2]);
      if (high < 0 || low < 0) return false;
      out += static_cast<char>(high * 16 + low);
      char_idx += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return true;
}

std::string_view reasonPhrase(int status) noexcept {
  switch (status) {
  case 101: return "Switching Protocols";
  case 200: return "OK";
  case 201: return "Created";
  case 204: return "No Content";
  case 206: return "Partial Content";
  case 301: return "Moved Permanently";
  case 302: return "Found";
  case 304: return "Not Modified";
  case 400: return "Bad Request";
  case 401: return "Unauthorized";
  case 403: return "Forbidden";
  case 404: return "Not Found";
  case 405: return "Method Not Allowed";
  case 408: return "Request Timeout";
  case 409: return "Conflict";
  case 413: return "Content Too Large";
  case 415: return "Unsupported Media Type";
  case 429: return "Too Many Requests";
  case 431: return "Request Header Fields Too Large";
  case 500: return "Internal Server Error";
  case 502: return "Bad Gateway";
  case 503: return "Service Unavailable";
  default: return "Unknown";
  }
}

namespace {
// Sent on every response, joined once. 'self' covers same-origin ws:/wss: in CSP Level 3; the
// client needs nothing from elsewhere.
constexpr std::string_view kServerHeader = "Server: hearth\r\n";
constexpr std::string_view kCspHeader =
    "Content-Security-Policy: default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "media-src 'self' blob:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'; report-uri /api/v1/csp-reports\r\n";
constexpr std::string_view kFixedHeaders = "X-Content-Type-Options: nosniff\r\n"
                                           "X-Frame-Options: DENY\r\n"
                                           "Referrer-Policy: strict-origin-when-cross-origin\r\n"
                                           "Cross-Origin-Opener-Policy: same-origin\r\n";

// Header names and values come from handlers, never straight from clients; still, a CR or LF
// must never split a header (response splitting), so they are dropped.
void appendSanitized(std::string& out, std::string_view text) {
  for (const char c : text) {
    if (c != '\r' && c != '\n') out += c;
  }
}
} // namespace

bool serializeResponse(const Request& request, const Response& response, bool keep_alive, std::string_view http_date,
                       std::string& out) {
  out += "HTTP/1.1 ";
  out += std::to_string(response.status);
  out += ' ';
  out += reasonPhrase(response.status);
  out += "\r\nDate: ";
  out += http_date;
  out += "\r\n";
  out += kServerHeader;
  if (!response.headers.has("Content-Security-Policy")) out += kCspHeader;
  out += kFixedHeaders;
  for (const auto& [name, value] : response.headers.fields()) {
    appendSanitized(out, name);
    out += ": ";
    appendSanitized(out, value);
    out += "\r\n";
  }
  const bool no_body =
      response.status == 304 || response.status == 204 || (response.status >= 100 && response.status < 200);
  if (!no_body) {
    out += "Content-Length: ";
    out += std::to_string(response.bodySize());
    out += "\r\n";
  }
  if (!keep_alive) out += "Connection: close\r\n";
  out += "\r\n";
  if (no_body || request.method == Method::kHead) return false;
  if (response.shared_body || response.file_body) return true;
  out += response.body;
  return false;
}

Response jsonResponse(int status, std::string json) {
  Response response;
  response.status = status;
  response.headers.add("Content-Type", "application/json");
  response.body = std::move(json);
  return response;
}

Response errorResponse(const core::Error& error) {
  std::string body = "{\"code\":" + std::to_string(static_cast<std::int32_t>(error.code)) + ",\"message\":\"" +
                     jsonEscape(error.message) + "\"";
  if (!error.fields.empty()) {
    // Discord's shape: {"errors": {"field": {"_errors": [{"code": ..., "message": ...}]}}}
    body += ",\"errors\":{";
    for (std::size_t field_idx = 0; field_idx < error.fields.size(); ++field_idx) {
      const auto& field = error.fields[field_idx];
      if (field_idx > 0) body += ',';
      body += "\"" + jsonEscape(field.field) + "\":{\"_errors\":[{\"code\":\"" + jsonEscape(field.code) +
              "\",\"message\":\"" + jsonEscape(field.message) + "\"}]}";
    }
    body += '}';
  }
  body += '}';
  return jsonResponse(core::httpStatus(error.code), std::move(body));
}

Response errorResponse(core::ErrorCode code, std::string message) {
  return errorResponse(core::Error{code, std::move(message)});
}

} // namespace hearth::net
