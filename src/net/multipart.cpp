#include "net/multipart.hpp"

#include <algorithm>
#include <cctype>

#include "net/http.hpp"

namespace hearth::net {

namespace {

constexpr std::string_view kSpace = " \t";

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(kSpace);
  return text.substr(first, last - first + 1);
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::unexpected<core::Error> malformed(std::string message) {
  return core::fail(core::ErrorCode::kMalformedRequest, "Malformed multipart body: " + std::move(message));
}

// RFC 2046's bchars, without the space it allows inside (clients never send one).
bool boundaryChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
         std::string_view("'()+_,-./:=?").find(c) != std::string_view::npos;
}

// `UTF-8''%E2%82%AC.png` (RFC 5987's ext-value); nullopt for another charset or a broken escape.
std::optional<std::string> decodeExtValue(std::string_view text) {
  const auto first = text.find('\'');
  if (first == std::string_view::npos) return std::nullopt;
  const auto second = text.find('\'', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  if (lower(text.substr(0, first)) != "utf-8") return std::nullopt;
  std::string out;
  if (!percentDecode(text.substr(second + 1), out, false)) return std::nullopt;
  return out;
}

} // namespace

const std::string* HeaderParams::get(std::string_view name) const noexcept {
  for (const auto& [key, text] : params) {
    if (key == name) return &text;
  }
  return nullptr;
}

std::optional<HeaderParams> parseHeaderParams(std::string_view header) {
  HeaderParams out;
  const auto semicolon = header.find(';');
  out.value = lower(trim(header.substr(0, semicolon)));
  if (semicolon == std::string_view::npos) return out;
  std::string_view rest = header.substr(semicolon + 1);
  while (true) {
    rest = rest.substr(std::min(rest.size(), rest.find_first_not_of(" \t;")));
    if (rest.empty()) return out;
    const auto equals = rest.find('=');
    if (equals == std::string_view::npos) return std::nullopt;
    std::string name = lower(trim(rest.substr(0, equals)));
    if (name.empty()) return std::nullopt;
    rest = rest.substr(equals + 1);
    rest = rest.substr(std::min(rest.size(), rest.find_first_not_of(kSpace)));
    std::string value;
    if (!rest.empty() && rest.front() == '"') {
      std::size_t at = 1;
      bool closed = false;
      for (; at < rest.size(); ++at) {
        if (rest[at] == '\\' && at + 1 < rest.size()) {
          value += rest[++at];
        } else if (rest[at] == '"') {
          closed = true;
          break;
        } else {
          value += rest[at];
        }
      }
      if (!closed) return std::nullopt;
      rest = rest.substr(at + 1);
      const auto next = rest.find(';');
      if (!trim(rest.substr(0, next)).empty()) return std::nullopt; // text after the closing quote
      rest = next == std::string_view::npos ? std::string_view() : rest.substr(next);
    } else {
      const auto next = rest.find(';');
      value = std::string(trim(rest.substr(0, next)));
      rest = next == std::string_view::npos ? std::string_view() : rest.substr(next);
    }
    out.params.emplace_back(std::move(name), std::move(value));
  }
}

std::optional<std::string> multipartBoundary(std::string_view content_type) {
  const auto parsed = parseHeaderParams(content_type);
  if (!parsed || parsed->value != "multipart/form-data") return std::nullopt;
  const std::string* boundary = parsed->get("boundary");
  if (boundary == nullptr || boundary->empty() || boundary->size() > 70) return std::nullopt;
  if (!std::all_of(boundary->begin(), boundary->end(), boundaryChar)) return std::nullopt;
  return *boundary;
}

core::Result<std::vector<MultipartPart>> parseMultipart(std::string_view boundary, std::string_view body,
                                                        const MultipartLimits& limits) {
  if (boundary.empty()) return malformed("no boundary");
  const std::string delimiter = "--" + std::string(boundary);
  const std::string inner = "\r\n" + delimiter; // a delimiter after the first starts a line
  std::size_t at = 0;
  if (!body.starts_with(delimiter)) {
    const auto first = body.find(inner); // a preamble comes before the first delimiter
    if (first == std::string_view::npos) return malformed("no opening boundary");
    at = first + 2;
  }
  std::vector<MultipartPart> parts;
  while (true) {
    at += delimiter.size();
    if (body.substr(at, 2) == "--") return parts; // the close delimiter; an epilogue is ignored
    while (at < body.size() && (body[at] == ' ' || body[at] == '\t'))
      ++at; // transport padding
    if (body.substr(at, 2) != "\r\n") return malformed("a boundary must end its line");
    at += 2;
    if (parts.size() >= limits.max_parts) return malformed("too many parts");
    // The header block: lines up to an empty one.
    std::string_view headers;
    if (body.substr(at, 2) == "\r\n") {
      at += 2;
    } else {
      const auto end = body.find("\r\n\r\n", at);
      if (end == std::string_view::npos || end - at > limits.max_header_bytes) {
        return malformed(end == std::string_view::npos ? "a part's header never ends" : "a part's header is too large");
      }
      headers = body.substr(at, end - at);
      at = end + 4;
    }
    const auto data_end = body.find(inner, at);
    if (data_end == std::string_view::npos) return malformed("no closing boundary");
    MultipartPart part;
    part.data = body.substr(at, data_end - at);
    bool has_disposition = false;
    while (!headers.empty()) {
      const auto line_end = headers.find("\r\n");
      const std::string_view line = headers.substr(0, line_end);
      headers = line_end == std::string_view::npos ? std::string_view() : headers.substr(line_end + 2);
      const auto colon = line.find(':');
      if (colon == std::string_view::npos) return malformed("a part's header line has no colon");
      const std::string_view name = trim(line.substr(0, colon));
      const std::string_view value = trim(line.substr(colon + 1));
      if (equalsIgnoreCase(name, "Content-Disposition")) {
        if (has_disposition) return malformed("a part has two Content-Disposition headers");
        const auto params = parseHeaderParams(value);
        if (!params || params->value != "form-data") return malformed("a part's Content-Disposition is not form-data");
        const std::string* field_name = params->get("name");
        if (field_name == nullptr || field_name->empty()) return malformed("a part has no name");
        part.name = *field_name;
        if (const std::string* extended = params->get("filename*")) {
          if (auto decoded = decodeExtValue(*extended)) part.filename = std::move(*decoded);
        }
        if (!part.filename) {
          if (const std::string* plain = params->get("filename")) part.filename = *plain;
        }
        has_disposition = true;
      } else if (equalsIgnoreCase(name, "Content-Type")) {
        part.content_type = std::string(value);
      }
    }
    if (!has_disposition) return malformed("a part has no Content-Disposition");
    parts.push_back(std::move(part));
    at = data_end + 2;
  }
}

} // namespace hearth::net
