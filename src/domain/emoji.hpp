#pragma once
// Which strings are a Unicode emoji a message can be reacted with. Pure; the bytes come from a
// URL path (percent-decoded by the caller), so anything at all may arrive here.
#include <cstddef>
#include <string_view>

namespace hearth::domain {

//! At most this many code points in one reaction emoji (the longest RGI sequences have 10).
inline constexpr std::size_t kMaxEmojiCodePoints = 10;

//! True when `utf8` is exactly one emoji: valid UTF-8 of at most kMaxEmojiCodePoints code
//! points forming a pictographic character with an optional VS16 (U+FE0F) and skin tone
//! (U+1F3FB-1F3FF), several of those joined by ZWJ (U+200D), a keycap ([0-9#*] U+FE0F? U+20E3),
//! a flag (two regional indicators) or a tag sequence (U+1F3F4, tags, U+E007F). Custom emoji
//! (`name:id`), text, and several emoji in a row are refused.
bool isReactionEmoji(std::string_view utf8) noexcept;

} // namespace hearth::domain
