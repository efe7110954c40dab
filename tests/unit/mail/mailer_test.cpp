#include "mail/mailer.hpp"

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

namespace hearth::mail {
namespace {

TEST(FormatMessage, StripsHeaderInjectionAndDotStuffs) {
  const Message message{"ada@example.org\r\nBcc: eve@example.org", "Verify\nyour email", "Hi\n.\nbye", ""};
  const std::string text = formatMessage("Hearth <noreply@example.org>", message, "<1@hearth>");
  EXPECT_NE(text.find("To: ada@example.orgBcc: eve@example.org\r\n"), std::string::npos);
  EXPECT_EQ(text.find("\r\nBcc:"), std::string::npos);
  EXPECT_NE(text.find("Subject: Verifyyour email\r\n"), std::string::npos);
  EXPECT_NE(text.find("\r\n\r\nHi\r\n..\r\nbye\r\n"), std::string::npos);
  EXPECT_NE(text.find("Content-Type: text/plain; charset=utf-8\r\n"), std::string::npos);
}

TEST(AddressOf, TakesTheAngleAddress) {
  EXPECT_EQ(addressOf("Hearth <noreply@example.org>"), "noreply@example.org");
  EXPECT_EQ(addressOf("noreply@example.org"), "noreply@example.org");
}

TEST(OutboxMailer, WritesOneFilePerMail) {
  const auto dir = std::filesystem::temp_directory_path() / ("hearth-outbox-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  auto mailer = makeOutboxMailer(dir, "Hearth <noreply@localhost>");
  mailer->send({"a@example.org", "One", "link: http://x/verify#token=1", "http://x/verify#token=1"});
  mailer->send({"b@example.org", "Two", "body", ""});
  std::vector<std::string> bodies;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(entry.path());
    std::stringstream buffer;
    buffer << in.rdbuf();
    bodies.push_back(buffer.str());
    EXPECT_EQ(entry.path().extension(), ".eml");
  }
  ASSERT_EQ(bodies.size(), 2u);
  const bool has_link =
      bodies[0].find("verify#token=1") != std::string::npos || bodies[1].find("verify#token=1") != std::string::npos;
  EXPECT_TRUE(has_link);
  std::filesystem::remove_all(dir);
}

} // namespace
} // namespace hearth::mail
