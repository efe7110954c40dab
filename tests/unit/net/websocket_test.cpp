#include "net/websocket.hpp"

#include <array>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>

#include <gtest/gtest.h>

namespace hearth::net {
namespace {

TEST(WsText, AFrameWithoutAPrefixIsItsBodyAlone) {
  const WsText text(std::make_shared<const std::string>(R"({"op":11,"d":null})"));
  std::array<char, WsText::kMaxHead> head{};
  EXPECT_EQ(writeTextHead(text, head), 0u);
  EXPECT_EQ(flatten(text), R"({"op":11,"d":null})");
}

TEST(WsText, ANumberedFrameIsPrefixNumberAndBody) {
  const auto body = std::make_shared<const std::string>(R"(,"t":"TYPING_START","d":{}})");
  EXPECT_EQ(flatten(WsText("{\"op\":0,\"s\":", 42, body)), R"({"op":0,"s":42,"t":"TYPING_START","d":{}})");
  // The body is shared, never copied into the frame's own parts.
  const WsText other("{\"op\":0,\"s\":", 43, body);
  EXPECT_EQ(other.body.get(), body.get());
  EXPECT_EQ(flatten(other), R"({"op":0,"s":43,"t":"TYPING_START","d":{}})");
}

TEST(WsText, TheHeadHoldsTheLongestPrefixAndNumber) {
  const std::string prefix(WsText::kMaxPrefix, 'p');
  const WsText lowest(prefix.c_str(), std::numeric_limits<std::int64_t>::min(), std::make_shared<const std::string>());
  std::array<char, WsText::kMaxHead> head{};
  const std::size_t size = writeTextHead(lowest, head);
  EXPECT_EQ(size, head.size());
  EXPECT_EQ(std::string(head.data(), size), prefix + "-9223372036854775808");
  // A longer prefix is cut to the limit rather than written past the head.
  const std::string longer = prefix + "overflow";
  EXPECT_EQ(flatten(WsText(longer.c_str(), 7, std::make_shared<const std::string>("!"))), prefix + "7!");
}

} // namespace
} // namespace hearth::net
