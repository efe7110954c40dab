#include "domain/emoji.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <utility>

namespace hearth::domain {

namespace {

using CodePoint = char32_t;

// Extended_Pictographic from Unicode's emoji-data.txt (scripts/gen_emoji_data.py prints it).
// This property rather than Emoji: it leaves out the digits, '#', '*', the regional indicators
// and the skin tones (which only count inside the sequences below), and it already covers the
// blocks Unicode keeps for future emoji, so a newer client's emoji is not refused.
// Extended_Pictographic, 78 ranges (Emoji Version 15.0)
constexpr std::array<std::pair<CodePoint, CodePoint>, 78> kPictographic{{
    {0xA9, 0xA9},       {0xAE, 0xAE},       {0x203C, 0x203C},   {0x2049, 0x2049},   {0x2122, 0x2122},
    {0x2139, 0x2139},   {0x2194, 0x2199},   {0x21A9, 0x21AA},   {0x231A, 0x231B},   {0x2328, 0x2328},
    {0x2388, 0x2388},   {0x23CF, 0x23CF},   {0x23E9, 0x23F3},   {0x23F8, 0x23FA},   {0x24C2, 0x24C2},
    {0x25AA, 0x25AB},   {0x25B6, 0x25B6},   {0x25C0, 0x25C0},   {0x25FB, 0x25FE},   {0x2600, 0x2605},
    {0x2607, 0x2612},   {0x2614, 0x2685},   {0x2690, 0x2705},   {0x2708, 0x2712},   {0x2714, 0x2714},
    {0x2716, 0x2716},   {0x271D, 0x271D},   {0x2721, 0x2721},   {0x2728, 0x2728},   {0x2733, 0x2734},
    {0x2744, 0x2744},   {0x2747, 0x2747},   {0x274C, 0x274C},   {0x274E, 0x274E},   {0x2753, 0x2755},
    {0x2757, 0x2757},   {0x2763, 0x2767},   {0x2795, 0x2797},   {0x27A1, 0x27A1},   {0x27B0, 0x27B0},
    {0x27BF, 0x27BF},   {0x2934, 0x2935},   {0x2B05, 0x2B07},   {0x2B1B, 0x2B1C},   {0x2B50, 0x2B50},
    {0x2B55, 0x2B55},   {0x3030, 0x3030},   {0x303D, 0x303D},   {0x3297, 0x3297},   {0x3299, 0x3299},
    {0x1F000, 0x1F0FF}, {0x1F10D, 0x1F10F}, {0x1F12F, 0x1F12F}, {0x1F16C, 0x1F171}, {0x1F17E, 0x1F17F},
    {0x1F18E, 0x1F18E}, {0x1F191, 0x1F19A}, {0x1F1AD, 0x1F1E5}, {0x1F201, 0x1F20F}, {0x1F21A, 0x1F21A},
    {0x1F22F, 0x1F22F}, {0x1F232, 0x1F23A}, {0x1F23C, 0x1F23F}, {0x1F249, 0x1F3FA}, {0x1F400, 0x1F53D},
    {0x1F546, 0x1F64F}, {0x1F680, 0x1F6FF}, {0x1F774, 0x1F77F}, {0x1F7D5, 0x1F7FF}, {0x1F80C, 0x1F80F},
    {0x1F848, 0x1F84F}, {0x1F85A, 0x1F85F}, {0x1F888, 0x1F88F}, {0x1F8AE, 0x1F8FF}, {0x1F90C, 0x1F93A},
    {0x1F93C, 0x1F945}, {0x1F947, 0x1FAFF}, {0x1FC00, 0x1FFFD},
}};

constexpr CodePoint kZwj = 0x200D;
constexpr CodePoint kVs16 = 0xFE0F;
constexpr CodePoint kKeycap = 0x20E3;
constexpr CodePoint kBlackFlag = 0x1F3F4;
constexpr CodePoint kCancelTag = 0xE007F;

bool pictographic(CodePoint c) {
  const auto after = std::upper_bound(kPictographic.begin(), kPictographic.end(), c,
                                      [](CodePoint value, const auto& range) { return value < range.first; });
  return after != kPictographic.begin() && c <= std::prev(after)->second;
}
bool skinTone(CodePoint c) { return c >= 0x1F3FB && c <= 0x1F3FF; }
bool regionalIndicator(CodePoint c) { return c >= 0x1F1E6 && c <= 0x1F1FF; }
bool tag(CodePoint c) { return c >= 0xE0020 && c <= 0xE007E; }
bool keycapBase(CodePoint c) { return (c >= '0' && c <= '9') || c == '#' || c == '*'; }

// Strict UTF-8 (no overlong forms, surrogates or values above U+10FFFF) into at most `max`
// code points; nullopt otherwise.
template <std::size_t N> std::optional<std::size_t> decode(std::string_view bytes, std::array<CodePoint, N>& out) {
  std::size_t count = 0;
  std::size_t at = 0;
  while (at < bytes.size()) {
    if (count == N) return std::nullopt;
    const auto lead = static_cast<unsigned char>(bytes[at]);
    std::size_t length = 0;
    CodePoint value = 0;
    CodePoint least = 0;
    if (lead < 0x80) {
      length = 1;
      value = lead;
    } else if ((lead & 0xE0) == 0xC0) {
      length = 2;
      value = lead & 0x1F;
      least = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
      length = 3;
      value = lead & 0x0F;
      least = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
      length = 4;
      value = lead & 0x07;
      least = 0x10000;
    } else {
      return std::nullopt;
    }
    if (bytes.size() - at < length) return std::nullopt;
    for (std::size_t byte_idx = 1; byte_idx < length; ++byte_idx) {
      const auto next = static_cast<unsigned char>(bytes[at + byte_idx]);
      if ((next & 0xC0) != 0x80) return std::nullopt;
      value = (value << 6) | (next & 0x3F);
    }
    if (value < least || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) return std::nullopt;
    out[count++] = value;
    at += length;
  }
  return count;
}

} // namespace

bool isReactionEmoji(std::string_view utf8) noexcept {
  std::array<CodePoint, kMaxEmojiCodePoints> cps{};
  const auto decoded = decode(utf8, cps);
  if (!decoded || *decoded == 0) return false;
  const std::size_t count = *decoded;
  std::size_t at = 0;
  const auto is = [&](CodePoint c) { return at < count && cps[at] == c; };

  // A keycap: 1⃣, #️⃣.
  if (keycapBase(cps[0])) {
    at = 1;
    if (is(kVs16)) ++at;
    return is(kKeycap) && at + 1 == count;
  }
  // A flag: two regional indicators.
  if (regionalIndicator(cps[0])) return count == 2 && regionalIndicator(cps[1]);
  // A subdivision flag: 🏴 followed by tags and the cancel tag.
  if (cps[0] == kBlackFlag && count > 1 && tag(cps[1])) {
    at = 1;
    while (at < count && tag(cps[at]))
      ++at;
    return is(kCancelTag) && at + 1 == count;
  }
  // Pictographs, each with an optional VS16 and skin tone, joined by ZWJ: 👍🏽, ❤️, 👩‍💻,
  // 🏳️‍🌈. A skin tone alone is an emoji too (the swatch).
  for (;;) {
    if (at == count || !(pictographic(cps[at]) || skinTone(cps[at]))) return false;
    ++at;
    if (is(kVs16)) ++at;
    if (at < count && skinTone(cps[at])) ++at;
    if (at == count) return true;
    if (!is(kZwj)) return false;
    ++at;
  }
}

} // namespace hearth::domain
