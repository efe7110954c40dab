// The RESP reply parser: every type, bytes split anywhere, malformed input, limits; and the
// command encoder.
#include "redis/resp.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace hearth::redis {
namespace {

using Type = Reply::Type;

//! Feeds `bytes` and takes out every complete reply; fails the test on a parse error.
std::vector<Reply> parseAll(ReplyParser& parser, std::string_view bytes) {
  parser.feed(bytes);
  std::vector<Reply> out;
  for (;;) {
    auto next = parser.next();
    if (!next) {
      ADD_FAILURE() << next.error().message;
      return out;
    }
    if (!*next) return out;
    out.push_back(std::move(**next));
  }
}

//! The error message the parser ends with on `bytes`, or "" if it does not fail.
std::string failureOf(std::string_view bytes, ParserLimits limits = {}) {
  ReplyParser parser(limits);
  parser.feed(bytes);
  for (;;) {
    auto next = parser.next();
    if (!next) {
      EXPECT_TRUE(parser.failed());
      auto again = parser.next();
      EXPECT_FALSE(again.has_value()) << "a failed parser stays failed";
      return next.error().message;
    }
    if (!*next) return "";
  }
}

TEST(RespParser, ParsesEveryType) {
  ReplyParser parser;
  const auto replies = parseAll(parser, "+OK\r\n"
                                        "-ERR unknown command 'FOO'\r\n"
                                        ":42\r\n"
                                        ":-9223372036854775808\r\n"
                                        "$5\r\nhello\r\n"
                                        "$0\r\n\r\n"
                                        "$-1\r\n"
                                        "*-1\r\n"
                                        "*0\r\n"
                                        "*3\r\n$1\r\na\r\n:1\r\n*2\r\n+x\r\n$-1\r\n"
                                        ">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$4\r\nbody\r\n"
                                        "_\r\n");
  ASSERT_EQ(replies.size(), 12u);
  EXPECT_EQ(replies[0].type, Type::kSimple);
  EXPECT_EQ(replies[0].text, "OK");
  EXPECT_TRUE(replies[1].isError());
  EXPECT_EQ(replies[1].text, "ERR unknown command 'FOO'");
  EXPECT_EQ(replies[2].type, Type::kInteger);
  EXPECT_EQ(replies[2].integer, 42);
  EXPECT_EQ(replies[3].integer, INT64_MIN);
  EXPECT_EQ(replies[4].type, Type::kBulk);
  EXPECT_EQ(replies[4].text, "hello");
  EXPECT_EQ(replies[5].type, Type::kBulk);
  EXPECT_EQ(replies[5].text, "");
  EXPECT_TRUE(replies[6].isNull());
  EXPECT_TRUE(replies[7].isNull());
  EXPECT_EQ(replies[8].type, Type::kArray);
  EXPECT_TRUE(replies[8].elements.empty());
  EXPECT_EQ(replies[9].describe(), "[\"a\", 1, [x, (nil)]]");
  EXPECT_EQ(replies[10].type, Type::kPush);
  EXPECT_EQ(replies[10].describe(), ">[\"message\", \"ch\", \"body\"]");
  EXPECT_TRUE(replies[11].isNull());
  EXPECT_EQ(parser.buffered(), 0u);
}

TEST(RespParser, BulkStringsAreBinarySafe) {
  ReplyParser parser;
  const std::string payload("a\r\nb\0c$-1\r\n", 11);
  const auto replies = parseAll(parser, "$11\r\n" + payload + "\r\n");
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].text, payload);
}

TEST(RespParser, GivesTheSameRepliesWhereverTheBytesAreSplit) {
  const std::string wire = "+OK\r\n:7\r\n$3\r\nfoo\r\n*2\r\n*1\r\n$0\r\n\r\n$-1\r\n-WRONGTYPE bad\r\n"
                           "*3\r\n$9\r\nsubscribe\r\n$4\r\nchan\r\n:1\r\n>2\r\n$4\r\npong\r\n$0\r\n\r\n*-1\r\n";
  ReplyParser whole;
  const auto expected = parseAll(whole, wire);
  ASSERT_EQ(expected.size(), 8u);
  std::vector<std::string> rendered;
  for (const auto& reply : expected)
    rendered.push_back(reply.describe());

  for (std::size_t split = 0; split <= wire.size(); ++split) {
    ReplyParser parser;
    auto replies = parseAll(parser, std::string_view(wire).substr(0, split));
    const auto rest = parseAll(parser, std::string_view(wire).substr(split));
    replies.insert(replies.end(), rest.begin(), rest.end());
    ASSERT_EQ(replies.size(), expected.size()) << "split at " << split;
    for (std::size_t reply_idx = 0; reply_idx < replies.size(); ++reply_idx) {
      EXPECT_EQ(replies[reply_idx].describe(), rendered[reply_idx]) << "split at " << split;
      EXPECT_EQ(replies[reply_idx].type, expected[reply_idx].type);
    }
  }
  // And one byte at a time.
  ReplyParser parser;
  std::vector<Reply> replies;
  for (const char byte : wire) {
    auto some = parseAll(parser, std::string_view(&byte, 1));
    replies.insert(replies.end(), some.begin(), some.end());
  }
  ASSERT_EQ(replies.size(), expected.size());
  for (std::size_t reply_idx = 0; reply_idx < replies.size(); ++reply_idx)
    EXPECT_EQ(replies[reply_idx].describe(), rendered[reply_idx]);
}

TEST(RespParser, WaitsForIncompleteReplies) {
  ReplyParser parser;
  EXPECT_TRUE(parseAll(parser, "$5\r\nhel").empty());
  EXPECT_TRUE(parseAll(parser, "lo").empty()) << "the CRLF after the bulk has not come yet";
  EXPECT_TRUE(parseAll(parser, "\r").empty());
  const auto replies = parseAll(parser, "\n*2\r\n:1\r\n");
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].text, "hello");
  EXPECT_EQ(parser.buffered(), 0u) << "the array's header and first element are consumed";
  const auto array_reply = parseAll(parser, ":2\r\n");
  ASSERT_EQ(array_reply.size(), 1u);
  EXPECT_EQ(array_reply[0].describe(), "[1, 2]");
}

TEST(RespParser, RejectsMalformedInput) {
  EXPECT_NE(failureOf("?what\r\n").find("unknown reply type byte 0x3f"), std::string::npos);
  EXPECT_NE(failureOf(":12a\r\n").find("integer reply is not a number"), std::string::npos);
  EXPECT_NE(failureOf(":\r\n").find("integer reply is not a number"), std::string::npos);
  EXPECT_NE(failureOf(":+5\r\n").find("integer reply is not a number"), std::string::npos);
  EXPECT_NE(failureOf(":99999999999999999999\r\n").find("integer reply is not a number"), std::string::npos);
  EXPECT_NE(failureOf("$-2\r\n").find("bulk length is not valid"), std::string::npos);
  EXPECT_NE(failureOf("$abc\r\n").find("bulk length is not valid"), std::string::npos);
  EXPECT_NE(failureOf("$3\r\nabcXY").find("not followed by CRLF"), std::string::npos);
  EXPECT_NE(failureOf("*-2\r\n").find("array length is not valid"), std::string::npos);
  EXPECT_NE(failureOf(">-1\r\n").find("array length is not valid"), std::string::npos);
  EXPECT_NE(failureOf("+OK\n").find("does not end with CRLF"), std::string::npos);
  EXPECT_NE(failureOf("+O\rK\r\n").find("carriage return inside a line"), std::string::npos);
  EXPECT_NE(failureOf("\r\n").find("empty line"), std::string::npos);
  EXPECT_NE(failureOf("_x\r\n").find("null carries data"), std::string::npos);
  EXPECT_NE(failureOf("*2\r\n:1\r\n!\r\n").find("unknown reply type"), std::string::npos) << "inside an array";
  EXPECT_EQ(failureOf("+OK\r\n"), "");
  EXPECT_EQ(failureOf("*1\r\n"), "") << "incomplete is not malformed";
}

TEST(RespParser, EnforcesItsLimits) {
  ParserLimits limits;
  limits.max_bulk_bytes = 10;
  limits.max_depth = 3;
  limits.max_elements = 4;
  limits.max_line_bytes = 16;
  EXPECT_EQ(failureOf("$10\r\n0123456789\r\n", limits), "");
  EXPECT_NE(failureOf("$11\r\n", limits).find("bulk string of 11 bytes is above the limit of 10"), std::string::npos)
      << "refused on the header, before the bytes arrive";
  EXPECT_EQ(failureOf("*1\r\n*1\r\n*1\r\n:1\r\n", limits), "");
  EXPECT_NE(failureOf("*1\r\n*1\r\n*1\r\n*1\r\n:1\r\n", limits).find("nested deeper than 3"), std::string::npos);
  EXPECT_NE(failureOf("*1\r\n*1\r\n*1\r\n*0\r\n", limits).find("nested deeper than 3"), std::string::npos);
  EXPECT_EQ(failureOf("*4\r\n", limits), "");
  EXPECT_NE(failureOf("*5\r\n", limits).find("array of 5 elements is above the limit of 4"), std::string::npos);
  EXPECT_NE(failureOf(">5\r\n", limits).find("array of 5 elements"), std::string::npos);
  EXPECT_EQ(failureOf("+0123456789abcdef\r\n", limits), "");
  EXPECT_NE(failureOf("+0123456789abcdefg\r\n", limits).find("longer than 16 bytes"), std::string::npos);
  EXPECT_NE(failureOf("+0123456789abcdefghijklmnop", limits).find("longer than 16 bytes"), std::string::npos)
      << "refused before its end arrives";

  // The defaults: 64 MiB bulk strings, 16 levels.
  EXPECT_NE(failureOf("$67108865\r\n").find("above the limit of 67108864"), std::string::npos);
  EXPECT_EQ(failureOf("$67108864\r\n"), "");
  std::string deep;
  for (int level = 0; level < 16; ++level)
    deep += "*1\r\n";
  EXPECT_EQ(failureOf(deep + ":1\r\n"), "");
  EXPECT_NE(failureOf(deep + "*1\r\n:1\r\n").find("nested deeper than 16"), std::string::npos);
  EXPECT_NE(failureOf("*1048577\r\n").find("above the limit"), std::string::npos);
}

TEST(RespParser, ResetStartsOver) {
  ReplyParser parser;
  EXPECT_FALSE(failureOf("?\r\n").empty());
  parser.feed("?\r\n");
  EXPECT_FALSE(parser.next().has_value());
  parser.reset();
  EXPECT_FALSE(parser.failed());
  const auto replies = parseAll(parser, "+OK\r\n");
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].text, "OK");
}

TEST(RespParser, ManyRepliesInOneBufferAndLargeBulks) {
  std::string wire;
  for (int idx = 0; idx < 10000; ++idx)
    wire += ":" + std::to_string(idx) + "\r\n";
  const std::string big(3 * 1024 * 1024, 'x');
  wire += "$" + std::to_string(big.size()) + "\r\n" + big + "\r\n";
  ReplyParser parser;
  std::vector<Reply> replies;
  for (std::size_t offset = 0; offset < wire.size(); offset += 65536) {
    auto some = parseAll(parser, std::string_view(wire).substr(offset, 65536));
    replies.insert(replies.end(), std::make_move_iterator(some.begin()), std::make_move_iterator(some.end()));
  }
  ASSERT_EQ(replies.size(), 10001u);
  for (int idx = 0; idx < 10000; ++idx)
    ASSERT_EQ(replies[static_cast<std::size_t>(idx)].integer, idx);
  EXPECT_EQ(replies.back().text, big);
}

TEST(RespEncoder, WritesAnArrayOfBulkStrings) {
  EXPECT_EQ(encodeCommand({"SET", "key", "a value"}), "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$7\r\na value\r\n");
  EXPECT_EQ(encodeCommand({"PING"}), "*1\r\n$4\r\nPING\r\n");
  const std::string binary("\r\n\0", 3);
  EXPECT_EQ(encodeCommand({"ECHO", binary, ""}), "*3\r\n$4\r\nECHO\r\n$3\r\n" + binary + "\r\n$0\r\n\r\n");
  std::string out = "prefix";
  appendCommand(out, {"GET", "k"});
  EXPECT_EQ(out, "prefix*2\r\n$3\r\nGET\r\n$1\r\nk\r\n");
  // What the encoder writes, the parser reads back as the same strings (a server's view).
  ReplyParser parser;
  const auto replies = parseAll(parser, encodeCommand({"ECHO", binary, ""}));
  ASSERT_EQ(replies.size(), 1u);
  ASSERT_EQ(replies[0].elements.size(), 3u);
  EXPECT_EQ(replies[0].elements[1].text, binary);
}

} // namespace
} // namespace hearth::redis
