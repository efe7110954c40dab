#include "net/json_body.hpp"

#include <gtest/gtest.h>

namespace hearth::net {
namespace {

Request jsonRequest(std::string content_type, std::string body) {
  Request request;
  request.method = Method::kPost;
  request.headers.add("Content-Type", std::move(content_type));
  request.body = std::move(body);
  return request;
}

TEST(JsonBody, AcceptsAnObjectWithUtf8Charset) {
  const auto body = parseJsonBody(jsonRequest("application/json; charset=UTF-8", R"({"name":"é"})"));
  ASSERT_TRUE(body.has_value()) << body.error().message;
  EXPECT_EQ(body->at("name").as_string(), "é");
}

TEST(JsonBody, RefusesWrongTypesAndCharsets) {
  EXPECT_EQ(parseJsonBody(jsonRequest("text/plain", "{}")).error().code, core::ErrorCode::kUnsupportedMediaType);
  EXPECT_EQ(parseJsonBody(jsonRequest("", "{}")).error().code, core::ErrorCode::kUnsupportedMediaType);
  EXPECT_EQ(parseJsonBody(jsonRequest("application/json; charset=latin1", "{}")).error().code,
            core::ErrorCode::kUnsupportedMediaType);
  EXPECT_EQ(parseJsonBody(jsonRequest("application/jsonx", "{}")).error().code, core::ErrorCode::kUnsupportedMediaType);
}

TEST(JsonBody, RefusesInvalidJsonNonObjectsAndDeepNesting) {
  for (const char* bad : {"", "{", "{\"a\":}", "[1,]", "{\"a\":1} trailing", "\"\\ud800\"x"}) {
    EXPECT_EQ(parseJsonBody(jsonRequest("application/json", bad)).error().code, core::ErrorCode::kInvalidJson) << bad;
  }
  EXPECT_EQ(parseJsonBody(jsonRequest("application/json", "[1,2]")).error().code, core::ErrorCode::kInvalidJson);
  const std::string deep = std::string(kMaxJsonDepth + 1, '[') + std::string(kMaxJsonDepth + 1, ']');
  EXPECT_FALSE(parseJson(deep).has_value());
  const std::string ok_depth = std::string(kMaxJsonDepth, '[') + std::string(kMaxJsonDepth, ']');
  EXPECT_TRUE(parseJson(ok_depth).has_value());
}

// PostgreSQL's text cannot hold U+0000 (a parameter would be cut at it), so no string may.
TEST(JsonBody, RefusesU0000InAnyStringOrKey) {
  for (const char* bad :
       {R"({"content":"abc\u0000def"})", R"({"a":[1,{"b":"\u0000"}]})", R"({"k\u0000":1})", R"("\u0000")"}) {
    const auto parsed = parseJson(bad);
    ASSERT_FALSE(parsed.has_value()) << bad;
    EXPECT_EQ(parsed.error().code, core::ErrorCode::kInvalidJson);
    EXPECT_EQ(parsed.error().message, "Invalid JSON: strings must not contain U+0000");
  }
  // The six characters \u0000 written out (an escaped backslash) are no NUL.
  const auto literal = parseJson(R"({"content":"\\u0000"})");
  ASSERT_TRUE(literal.has_value());
  EXPECT_EQ(literal->at("content").as_string(), "\\u0000");
  EXPECT_TRUE(parseJson(R"({"content":"\u0001 is fine"})").has_value());
}

TEST(JsonBody, AcceptsListedAlternativeTypes) {
  const auto report = parseJsonBodyAs(jsonRequest("application/csp-report", R"({"csp-report":{}})"),
                                      {"application/csp-report", "application/json"});
  EXPECT_TRUE(report.has_value());
}

} // namespace
} // namespace hearth::net
