#include "redis/resp.hpp"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

namespace hearth::redis {

namespace {

// Strict decimal: an optional '-', digits, nothing else.
std::optional<std::int64_t> parseInteger(std::string_view text) {
  std::int64_t value = 0;
  if (text.empty() || text.front() == '+') return std::nullopt;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::string printable(std::string_view text, std::size_t limit) {
  std::string out;
  for (const char c : text.substr(0, limit)) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte < 0x7f && c != '"' && c != '\\') {
      out += c;
    } else {
      out += fmt::format("\\x{:02x}", byte);
    }
  }
  if (text.size() > limit) out += "...";
  return out;
}

void describeInto(const Reply& reply, std::string& out) {
  switch (reply.type) {
  case Reply::Type::kSimple: out += reply.text; break;
  case Reply::Type::kError: out += "(error) " + reply.text; break;
  case Reply::Type::kInteger: out += std::to_string(reply.integer); break;
  case Reply::Type::kBulk: out += "\"" + printable(reply.text, 200) + "\""; break;
  case Reply::Type::kNull: out += "(nil)"; break;
  case Reply::Type::kArray:
  case Reply::Type::kPush:
    out += reply.type == Reply::Type::kPush ? ">[" : "[";
    for (std::size_t element_idx = 0; element_idx < reply.elements.size(); ++element_idx) {
      if (element_idx != 0) out += ", ";
      describeInto(reply.elements[element_idx], out);
    }
    out += "]";
    break;
  }
}

} // namespace

std::string Reply::describe() const {
  std::string out;
  describeInto(*this, out);
  return out;
}

void ReplyParser::feed(std::string_view bytes) {
  if (pos_ == buffer_.size()) {
    buffer_.clear();
    pos_ = 0;
  } else if (pos_ >= 64 * 1024 || pos_ * 2 >= buffer_.size()) {
    buffer_.erase(0, pos_);
    pos_ = 0;
  }
  buffer_.append(bytes);
}

void ReplyParser::reset() {
  buffer_.clear();
  pos_ = 0;
  pending_bulk_ = -1;
  stack_.clear();
  error_.clear();
}

std::unexpected<core::Error> ReplyParser::failWith(std::string message) {
  error_ = "malformed RESP: " + std::move(message);
  return core::fail(core::ErrorCode::kGeneral, error_);
}

core::Result<std::optional<Reply>> ReplyParser::next() {
  if (!error_.empty()) return core::fail(core::ErrorCode::kGeneral, error_);
  for (;;) {
    Reply value;
    if (pending_bulk_ >= 0) {
      const auto length = static_cast<std::size_t>(pending_bulk_);
      if (buffered() < length + 2) return std::optional<Reply>();
      if (buffer_[pos_ + length] != '\r' || buffer_[pos_ + length + 1] != '\n') {
        return failWith("a bulk string is not followed by CRLF");
      }
      value.type = Reply::Type::kBulk;
      value.text.assign(buffer_, pos_, length);
      pos_ += length + 2;
      pending_bulk_ = -1;
    } else {
      if (buffered() == 0) return std::optional<Reply>();
      // A line is at most max_line_bytes plus its type byte and CRLF: look no further.
      const std::size_t window = std::min(buffered(), limits_.max_line_bytes + 3);
      const std::size_t newline = std::string_view(buffer_).substr(pos_, window).find('\n');
      if (newline == std::string_view::npos) {
        if (window == limits_.max_line_bytes + 3) {
          return failWith(fmt::format("a line is longer than {} bytes", limits_.max_line_bytes));
        }
        return std::optional<Reply>();
      }
      if (newline == 0 || buffer_[pos_ + newline - 1] != '\r') return failWith("a line does not end with CRLF");
      if (newline == 1) return failWith("an empty line");
      const char type = buffer_[pos_];
      const std::string_view line = std::string_view(buffer_).substr(pos_ + 1, newline - 2);
      if (line.find('\r') != std::string_view::npos) return failWith("a carriage return inside a line");
      if (line.size() > limits_.max_line_bytes) {
        return failWith(fmt::format("a line is longer than {} bytes", limits_.max_line_bytes));
      }
      switch (type) {
      case '+':
        value.type = Reply::Type::kSimple;
        value.text = line;
        break;
      case '-':
        value.type = Reply::Type::kError;
        value.text = line;
        break;
      case ':': {
        const auto number = parseInteger(line);
        if (!number) return failWith("an integer reply is not a number: \"" + printable(line, 40) + "\"");
        value.type = Reply::Type::kInteger;
        value.integer = *number;
        break;
      }
      case '$': {
        const auto length = parseInteger(line);
        if (!length || *length < -1) return failWith("a bulk length is not valid: \"" + printable(line, 40) + "\"");
        if (*length > 0 && static_cast<std::uint64_t>(*length) > limits_.max_bulk_bytes) {
          return failWith(
              fmt::format("a bulk string of {} bytes is above the limit of {}", *length, limits_.max_bulk_bytes));
        }
        pos_ += newline + 1;
        if (*length == -1) {
          value.type = Reply::Type::kNull;
          break;
        }
        pending_bulk_ = *length;
        continue;
      }
      case '*':
      case '>': {
        const auto count = parseInteger(line);
        if (!count || *count < -1 || (*count == -1 && type == '>')) {
          return failWith("an array length is not valid: \"" + printable(line, 40) + "\"");
        }
        if (*count > 0 && static_cast<std::uint64_t>(*count) > limits_.max_elements) {
          return failWith(
              fmt::format("an array of {} elements is above the limit of {}", *count, limits_.max_elements));
        }
        if (*count != -1 && stack_.size() >= limits_.max_depth) {
          return failWith(fmt::format("arrays nested deeper than {}", limits_.max_depth));
        }
        pos_ += newline + 1;
        if (*count == -1) {
          value.type = Reply::Type::kNull;
          break;
        }
        value.type = type == '>' ? Reply::Type::kPush : Reply::Type::kArray;
        if (*count == 0) break;
        value.elements.reserve(std::min<std::size_t>(static_cast<std::size_t>(*count), 1024));
        stack_.push_back(Frame{std::move(value), static_cast<std::size_t>(*count)});
        continue;
      }
      case '_':
        if (!line.empty()) return failWith("a null carries data");
        value.type = Reply::Type::kNull;
        break;
      default: return failWith(fmt::format("unknown reply type byte 0x{:02x}", static_cast<unsigned char>(type)));
      }
      if (type != '$' && type != '*' && type != '>') pos_ += newline + 1;
    }
    // A complete value: the reply itself, or the next element of the innermost array.
    bool complete = true;
    while (!stack_.empty()) {
      Frame& top = stack_.back();
      top.reply.elements.push_back(std::move(value));
      if (top.reply.elements.size() < top.expected) {
        complete = false;
        break;
      }
      value = std::move(top.reply);
      stack_.pop_back();
    }
    if (complete) return std::optional<Reply>(std::move(value));
  }
}

void appendCommand(std::string& out, const std::vector<std::string>& args) {
  out += fmt::format("*{}\r\n", args.size());
  for (const auto& arg : args) {
    out += fmt::format("${}\r\n", arg.size());
    out += arg;
    out += "\r\n";
  }
}

std::string encodeCommand(const std::vector<std::string>& args) {
  std::string out;
  appendCommand(out, args);
  return out;
}

} // namespace hearth::redis
