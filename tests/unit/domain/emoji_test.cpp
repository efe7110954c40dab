// The reaction emoji validator: every sequence in Unicode's emoji-test.txt is accepted (the list
// is generated beside this file by scripts/gen_emoji_data.py), and text, custom emoji, several emoji
// in a row, broken sequences and broken UTF-8 are refused.
#include "domain/emoji.hpp"

#include <sstream>
#include <string>

#include <gtest/gtest.h>

namespace hearth::domain {
namespace {

std::string utf8(std::initializer_list<char32_t> code_points) {
  std::string out;
  for (const char32_t c : code_points) {
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else if (c < 0x800) {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      out += static_cast<char>(0xE0 | (c >> 12));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (c >> 18));
      out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

TEST(Emoji, AcceptsEverySequenceOfEmojiTest) {
  // Unicode 15.0's emoji-test.txt: one sequence per line, code points in hex.
  std::istringstream file(
#include "unit/domain/emoji_sequences.inc"
  );
  std::string line;
  int checked = 0;
  while (std::getline(file, line)) {
    std::istringstream hex(line);
    std::string item;
    std::u32string code_points;
    while (hex >> item)
      code_points += static_cast<char32_t>(std::stoul(item, nullptr, 16));
    std::string bytes;
    for (const char32_t c : code_points)
      bytes += utf8({c});
    EXPECT_TRUE(isReactionEmoji(bytes)) << line;
    ++checked;
  }
  EXPECT_GT(checked, 4000); // the whole list was read
}

TEST(Emoji, AcceptsEachKindOfSequence) {
  EXPECT_TRUE(isReactionEmoji("👍"));
  EXPECT_TRUE(isReactionEmoji("👍🏽")); // skin tone
  EXPECT_TRUE(isReactionEmoji("❤")); // text-default, no VS16
  EXPECT_TRUE(isReactionEmoji("❤️")); // VS16
  EXPECT_TRUE(isReactionEmoji("©️"));
  EXPECT_TRUE(isReactionEmoji("1️⃣")); // keycaps, with and without VS16
  EXPECT_TRUE(isReactionEmoji(utf8({'#', 0x20E3})));
  EXPECT_TRUE(isReactionEmoji("🇫🇷")); // flag
  EXPECT_TRUE(isReactionEmoji("🏴󠁧󠁢󠁳󠁣󠁴󠁿")); // Scotland: tag sequence
  EXPECT_TRUE(isReactionEmoji("👩‍👩‍👧‍👦")); // ZWJ
  EXPECT_TRUE(isReactionEmoji("🏳️‍🌈"));
  EXPECT_TRUE(isReactionEmoji("🏻")); // the swatch alone
  // The longest: kiss with two skin tones, 10 code points.
  EXPECT_TRUE(
      isReactionEmoji(utf8({0x1F469, 0x1F3FB, 0x200D, 0x2764, 0xFE0F, 0x200D, 0x1F48B, 0x200D, 0x1F468, 0x1F3FC})));
  // A code point reserved for future emoji (after Emoji 15.0) passes, so newer clients work.
  EXPECT_TRUE(isReactionEmoji(utf8({0x1FAE9})));
}

TEST(Emoji, RefusesTextCustomEmojiAndSeveralEmoji) {
  for (const std::string text : {"",
                                 "a",
                                 "1",
                                 "#",
                                 "*",
                                 "abc",
                                 "thumbsup",
                                 ":thumbsup:",
                                 "name:123456789012345678",
                                 "<:name:123456789012345678>",
                                 "%F0%9F%91%8D",
                                 "👍👍",
                                 "👍 ",
                                 " 👍",
                                 "👍a",
                                 "🇫",
                                 "🇫🇷🇩🇪",
                                 "🇫👍",
                                 "1⃣🏻",
                                 "1️",
                                 "1️⃣1️⃣",
                                 "é",
                                 "™a"}) {
    EXPECT_FALSE(isReactionEmoji(text)) << text;
  }
}

TEST(Emoji, RefusesBrokenSequences) {
  EXPECT_FALSE(isReactionEmoji(utf8({0x1F44D, 0x200D}))); // trailing ZWJ
  EXPECT_FALSE(isReactionEmoji(utf8({0x200D, 0x1F44D}))); // leading ZWJ
  EXPECT_FALSE(isReactionEmoji(utf8({0x1F44D, 0x200D, 0x200D, 0x1F44D})));
  EXPECT_FALSE(isReactionEmoji(utf8({0xFE0F}))); // VS16 alone
  EXPECT_FALSE(isReactionEmoji(utf8({0x20E3}))); // keycap mark alone
  EXPECT_FALSE(isReactionEmoji(utf8({0x1F44D, 0xFE0E}))); // text presentation
  EXPECT_FALSE(isReactionEmoji(utf8({0x1F3F4, 0xE0067, 0xE0062}))); // tags without the cancel tag
  EXPECT_FALSE(isReactionEmoji(utf8({0x1F3F4, 0xE0067, 0xE007F, 0xE0062})));
  EXPECT_FALSE(isReactionEmoji(utf8({0xE0067, 0xE007F})));
  EXPECT_FALSE(isReactionEmoji(utf8({0x1F44D, 0x0301}))); // a combining accent is not an emoji part
  // 11 code points: six thumbs joined.
  EXPECT_FALSE(isReactionEmoji(
      utf8({0x1F44D, 0x200D, 0x1F44D, 0x200D, 0x1F44D, 0x200D, 0x1F44D, 0x200D, 0x1F44D, 0x200D, 0x1F44D})));
}

TEST(Emoji, RefusesBrokenUtf8) {
  for (const std::string& bytes :
       {std::string("\xF0\x9F\x91"), std::string("\xC0\xAF"), std::string("\xED\xA0\x80"),
        std::string("\xF4\x90\x80\x80"), std::string("\x80"), std::string("\xFF"), std::string("\xF0\x9F\x91\x8D\x80"),
        std::string("\xE0\x80\x80"), std::string("\0", 1), std::string("\xF0\x9F\x91\x8D\0", 5)}) {
    EXPECT_FALSE(isReactionEmoji(bytes));
  }
}

} // namespace
} // namespace hearth::domain
