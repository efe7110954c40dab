#include <algorithm>

#include <gtest/gtest.h>

#include "domain/accounts.hpp"

namespace hearth::domain {
namespace {

std::vector<std::string> fieldsOf(const RegisterInput& input) {
  std::vector<std::string> fields;
  for (const auto& error : validateRegistration(input))
    fields.push_back(error.field + ":" + error.code);
  return fields;
}

TEST(Registration, AcceptsValidInput) {
  EXPECT_TRUE(fieldsOf({"ada@example.org", "Ada.Lovelace_1815", "Ada 🦋", "correct horse"}).empty());
  EXPECT_TRUE(fieldsOf({"a@b", "ab", "", "12345678"}).empty());
}

TEST(Registration, NamesEachBrokenRule) {
  using Fields = std::vector<std::string>;
  EXPECT_EQ(fieldsOf({"nope", "ada", "", "correct horse"}), Fields{"email:EMAIL_INVALID"});
  EXPECT_EQ(fieldsOf({"@x", "ada", "", "correct horse"}), Fields{"email:EMAIL_INVALID"});
  EXPECT_EQ(fieldsOf({"a b@c", "ada", "", "correct horse"}), Fields{"email:EMAIL_INVALID"});
  EXPECT_EQ(fieldsOf({"a@b", "a", "", "correct horse"}), Fields{"username:BASE_TYPE_BAD_LENGTH"});
  EXPECT_EQ(fieldsOf({"a@b", std::string(33, 'a'), "", "correct horse"}), Fields{"username:BASE_TYPE_BAD_LENGTH"});
  EXPECT_EQ(fieldsOf({"a@b", "ada lovelace", "", "correct horse"}), Fields{"username:USERNAME_INVALID_CHARACTERS"});
  EXPECT_EQ(fieldsOf({"a@b", "ada..l", "", "correct horse"}), Fields{"username:USERNAME_INVALID_CHARACTERS"});
  EXPECT_EQ(fieldsOf({"a@b", "adä", "", "correct horse"}), Fields{"username:USERNAME_INVALID_CHARACTERS"});
  EXPECT_EQ(fieldsOf({"a@b", "ada", std::string(33, 'x'), "correct horse"}),
            Fields{"display_name:BASE_TYPE_BAD_LENGTH"});
  EXPECT_EQ(fieldsOf({"a@b", "ada", "two\nlines", "correct horse"}), Fields{"display_name:BASE_TYPE_BAD_LENGTH"});
  EXPECT_EQ(fieldsOf({"a@b", "ada", "", "short"}), Fields{"password:PASSWORD_BAD_LENGTH"});
  EXPECT_EQ(fieldsOf({"a@b", "ada", "", std::string(129, 'p')}), Fields{"password:PASSWORD_BAD_LENGTH"});
  EXPECT_EQ(fieldsOf({"", "", "", ""}).size(), 3u);
}

TEST(Registration, DisplayNamesCountCharactersNotBytes) {
  std::string butterflies;
  for (int char_idx = 0; char_idx < 32; ++char_idx)
    butterflies += "🦋"; // 4 bytes each
  EXPECT_TRUE(fieldsOf({"a@b", "ada", butterflies, "correct horse"}).empty());
}

TEST(Registration, UsernamesCompareWithoutCase) { EXPECT_EQ(normalizeUsername("Ada.LOVELACE"), "ada.lovelace"); }

} // namespace
} // namespace hearth::domain
