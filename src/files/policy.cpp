#include "files/policy.hpp"

#include <charconv>

namespace hearth::files {

namespace {

// The length of the valid UTF-8 sequence at `at`, or 0.
std::size_t utf8Length(std::string_view text, std::size_t at) {
  const auto byte = static_cast<unsigned char>(text[at]);
  std::size_t length = 0;
  std::uint32_t code = 0;
  if (byte < 0x80) return 1;
  if ((byte & 0xE0) == 0xC0) {
    length = 2;
    code = byte & 0x1F;
  } else if ((byte & 0xF0) == 0xE0) {
    length = 3;
    code = byte & 0x0F;
  } else if ((byte & 0xF8) == 0xF0) {
    length = 4;
    code = byte & 0x07;
  } else {
    return 0;
  }
  if (at + length > text.size()) return 0;
  for (std::size_t i = 1; i < length; ++i) {
    const auto next = static_cast<unsigned char>(text[at + i]);
    if ((next & 0xC0) != 0x80) return 0;
    code = (code << 6) | (next & 0x3F);
  }
  // Overlong forms, surrogates and code points past Unicode are invalid.
  static constexpr std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (code < kMin[length] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return 0;
  // C1 controls and the bidi overrides that make names lie about their extension.
  if ((code >= 0x80 && code <= 0x9F) || (code >= 0x202A && code <= 0x202E) || (code >= 0x2066 && code <= 0x2069)) {
    return 0;
  }
  return length;
}

bool parseNumber(std::string_view text, std::uint64_t& out) {
  if (text.empty() || text.size() > 19) return false;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
  return error == std::errc() && end == text.data() + text.size();
}

} // namespace

std::string sanitizeFilename(std::string_view name) {
  const auto slash = name.find_last_of("/\\");
  if (slash != std::string_view::npos) name.remove_prefix(slash + 1);
  std::string out;
  for (std::size_t at = 0; at < name.size();) {
    const std::size_t length = utf8Length(name, at);
    if (length == 0) { // an invalid byte or a forbidden code point: dropped
      ++at;
      continue;
    }
    const char c = name[at];
    const bool forbidden =
        length == 1 && (static_cast<unsigned char>(c) < 0x20 || c == 0x7F || c == '"' || c == '\'' || c == '`' ||
                        c == '<' || c == '>' || c == '|' || c == ':' || c == '*' || c == '?');
    if (!forbidden && out.size() + length <= kMaxFilenameBytes) out.append(name.substr(at, length));
    at += length;
  }
  const auto start = out.find_first_not_of(". ");
  out.erase(0, start == std::string::npos ? out.size() : start);
  while (!out.empty() && out.back() == ' ')
    out.pop_back();
  return out.empty() ? "file" : out;
}

bool isPipelineImage(std::string_view content_type) noexcept {
  return content_type == "image/png" || content_type == "image/jpeg" || content_type == "image/gif" ||
         content_type == "image/webp";
}

bool isInlineType(std::string_view content_type) noexcept {
  return isPipelineImage(content_type) || content_type.starts_with("audio/") || content_type.starts_with("video/");
}

std::string contentDisposition(std::string_view content_type, std::string_view filename) {
  if (isInlineType(content_type)) return "inline";
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string encoded;
  std::string ascii;
  for (const char c : filename) {
    const auto byte = static_cast<unsigned char>(c);
    const bool plain = (byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z') || (byte >= '0' && byte <= '9') ||
                       std::string_view("!#$&+-.^_`|~").find(c) != std::string_view::npos;
    if (plain) {
      encoded += c;
    } else {
      encoded += '%';
      encoded += kHex[byte >> 4];
      encoded += kHex[byte & 15];
    }
    ascii += byte >= 0x20 && byte < 0x7F && c != '"' && c != '\\' ? c : '_';
  }
  return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + encoded;
}

ByteRange parseRange(std::string_view header, std::uint64_t size) noexcept {
  ByteRange whole;
  if (header.empty()) return whole;
  if (!header.starts_with("bytes=")) return whole;
  std::string_view spec = header.substr(6);
  while (!spec.empty() && (spec.front() == ' ' || spec.front() == '\t'))
    spec.remove_prefix(1);
  while (!spec.empty() && (spec.back() == ' ' || spec.back() == '\t'))
    spec.remove_suffix(1);
  if (spec.find(',') != std::string_view::npos) return whole; // several ranges: one answer of all
  const auto dash = spec.find('-');
  if (dash == std::string_view::npos) return whole;
  const std::string_view first_text = spec.substr(0, dash);
  const std::string_view last_text = spec.substr(dash + 1);
  ByteRange range;
  range.kind = ByteRange::Kind::kPartial;
  if (first_text.empty()) { // a suffix: the last n bytes
    std::uint64_t suffix = 0;
    if (!parseNumber(last_text, suffix)) return whole;
    if (suffix == 0 || size == 0) return {ByteRange::Kind::kUnsatisfiable, 0, 0};
    range.first = suffix >= size ? 0 : size - suffix;
    range.last = size - 1;
    return range;
  }
  if (!parseNumber(first_text, range.first)) return whole;
  if (last_text.empty()) {
    range.last = size == 0 ? 0 : size - 1;
  } else {
    if (!parseNumber(last_text, range.last) || range.last < range.first) return whole;
    if (size > 0 && range.last >= size) range.last = size - 1;
  }
  if (range.first >= size) return {ByteRange::Kind::kUnsatisfiable, 0, 0};
  return range;
}

} // namespace hearth::files
