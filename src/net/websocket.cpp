#include "net/websocket.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>

namespace hearth::net {

std::size_t writeTextHead(const WsText& text, std::span<char, WsText::kMaxHead> out) noexcept {
  if (text.prefix == nullptr) return 0;
  const std::size_t prefix_size = std::min(std::strlen(text.prefix), WsText::kMaxPrefix);
  std::memcpy(out.data(), text.prefix, prefix_size);
  const auto written = std::to_chars(out.data() + prefix_size, out.data() + out.size(), text.number);
  return static_cast<std::size_t>(written.ptr - out.data());
}

std::string flatten(const WsText& text) {
  std::array<char, WsText::kMaxHead> head{};
  const std::size_t head_size = writeTextHead(text, head);
  std::string whole;
  whole.reserve(head_size + (text.body ? text.body->size() : 0));
  whole.append(head.data(), head_size);
  if (text.body) whole += *text.body;
  return whole;
}

} // namespace hearth::net
