// Reaction emoji arrive in URL paths: any bytes are accepted or refused without reading out of
// bounds, and what is accepted is short, has no ASCII apart from a keycap's base, and stays
// accepted (the check is a pure function of the bytes).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "domain/emoji.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (!hearth::domain::isReactionEmoji(bytes)) return 0;
  if (bytes.size() > 4 * hearth::domain::kMaxEmojiCodePoints) __builtin_trap();
  for (std::size_t at = 1; at < bytes.size(); ++at) {
    if (static_cast<unsigned char>(bytes[at]) < 0x80) __builtin_trap();
  }
  if (!hearth::domain::isReactionEmoji(bytes)) __builtin_trap();
  return 0;
}
