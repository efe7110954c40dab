#include "net/http_parse.hpp"

#include <gtest/gtest.h>

namespace hearth::net {
namespace {

TEST(HttpParse, ParsesARequestWithQueryHeadersAndBody) {
  const auto request = parseRequest("POST /api/v1/x?limit=5&q=a%20b+c HTTP/1.1\r\nHost: h\r\nContent-Type: "
                                    "application/json\r\nContent-Length: 7\r\n\r\n{\"a\":1}",
                                    HttpLimits{});
  ASSERT_TRUE(request.has_value()) << request.error().message;
  EXPECT_EQ(request->method, Method::kPost);
  EXPECT_EQ(request->path, "/api/v1/x");
  EXPECT_EQ(request->queryParam("limit"), "5");
  EXPECT_EQ(request->queryParam("q"), "a b c");
  EXPECT_EQ(request->queryParam("none"), "");
  EXPECT_EQ(request->headers.get("content-type"), "application/json");
  EXPECT_EQ(request->body, "{\"a\":1}");
  EXPECT_TRUE(request->keep_alive);
}

TEST(HttpParse, RepeatedQueryParametersInOrder) {
  const auto request = parseRequest("GET /s?author_id=1&content=x&author_id=2&author_id=&has=%2Dlink&author_id=3 "
                                    "HTTP/1.1\r\nHost: h\r\n\r\n",
                                    HttpLimits{});
  ASSERT_TRUE(request.has_value()) << request.error().message;
  EXPECT_EQ(request->queryParams("author_id"), (std::vector<std::string>{"1", "2", "", "3"}));
  EXPECT_EQ(request->queryParams("has"), (std::vector<std::string>{"-link"}));
  EXPECT_TRUE(request->queryParams("none").empty());
  EXPECT_EQ(request->queryParam("author_id"), "1") << "queryParam is still the first";
}

TEST(HttpParse, DecodesChunkedBodies) {
  const auto request = parseRequest(
      "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n", HttpLimits{});
  ASSERT_TRUE(request.has_value());
  EXPECT_EQ(request->body, "abcde");
}

struct BadCase {
  const char* name;
  std::string bytes;
  core::ErrorCode expected;
};

class HttpParseRejects : public ::testing::TestWithParam<BadCase> {};

TEST_P(HttpParseRejects, WithTheRightError) {
  HttpLimits limits;
  limits.header_bytes = 256;
  limits.body_bytes = 16;
  const auto result = parseRequest(GetParam().bytes, limits);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, GetParam().expected) << result.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, HttpParseRejects,
    ::testing::Values(
        BadCase{"garbage", "GARBAGE\r\n\r\n", core::ErrorCode::kMalformedRequest},
        BadCase{"bad_version", "GET / HTTP/9.9\r\n\r\n", core::ErrorCode::kMalformedRequest},
        BadCase{"bad_field", "GET / HTTP/1.1\r\nNo colon\r\n\r\n", core::ErrorCode::kMalformedRequest},
        BadCase{"incomplete", "GET / HTTP/1.1\r\nHost: x\r\n", core::ErrorCode::kMalformedRequest},
        BadCase{"absolute_form", "GET http://x/ HTTP/1.1\r\nHost: x\r\n\r\n", core::ErrorCode::kMalformedRequest},
        BadCase{"short_body", "POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc", core::ErrorCode::kMalformedRequest},
        BadCase{"two_lengths", "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
                core::ErrorCode::kMalformedRequest},
        BadCase{"huge_header", "GET / HTTP/1.1\r\nX: " + std::string(400, 'a') + "\r\n\r\n",
                core::ErrorCode::kHeadersTooLarge},
        BadCase{"huge_body", "POST / HTTP/1.1\r\nContent-Length: 17\r\n\r\n" + std::string(17, 'b'),
                core::ErrorCode::kRequestTooLarge},
        BadCase{"bad_chunk", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
                core::ErrorCode::kMalformedRequest}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(Http, PercentDecodingRejectsBrokenEscapes) {
  std::string out;
  EXPECT_TRUE(percentDecode("a%2Fb+c", out, true));
  EXPECT_EQ(out, "a/b c");
  EXPECT_TRUE(percentDecode("a+b", out, false));
  EXPECT_EQ(out, "a+b");
  EXPECT_FALSE(percentDecode("%", out, false));
  EXPECT_FALSE(percentDecode("%4", out, false));
  EXPECT_FALSE(percentDecode("%zz", out, false));
}

TEST(Http, ErrorResponsesCarryCodeAndEscapedMessage) {
  const auto response = errorResponse(core::ErrorCode::kInvalidJson, "bad \"quote\"\n");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(response.body, R"({"code":90004,"message":"bad \"quote\"\n"})");
  EXPECT_EQ(response.headers.get("Content-Type"), "application/json");
  EXPECT_EQ(jsonEscape(std::string("\x01", 1)), "\\u0001");
}

TEST(Http, HeadersIgnoreCaseAndSetReplaces) {
  Headers headers;
  headers.add("X-One", "1");
  headers.add("x-one", "2");
  EXPECT_EQ(headers.get("X-ONE"), "1");
  headers.set("X-One", "3");
  EXPECT_EQ(headers.fields().size(), 1u);
  EXPECT_EQ(headers.get("x-one"), "3");
  EXPECT_FALSE(headers.has("x-two"));
}

} // namespace
} // namespace hearth::net

namespace hearth::net {
namespace {

TEST(SerializeResponse, WritesStatusHeadersAndBody) {
  Request request;
  Response response = jsonResponse(404, R"({"code":90001,"message":"x"})");
  std::string out;
  EXPECT_FALSE(serializeResponse(request, response, true, "Mon, 23 Nov 2026 23:00:00 GMT", out));
  EXPECT_TRUE(out.starts_with("HTTP/1.1 404 Not Found\r\nDate: Mon, 23 Nov 2026 23:00:00 GMT\r\n")) << out;
  EXPECT_NE(out.find("\r\nX-Content-Type-Options: nosniff\r\n"), std::string::npos);
  EXPECT_NE(out.find("frame-ancestors 'none'"), std::string::npos);
  EXPECT_NE(out.find("\r\nContent-Type: application/json\r\n"), std::string::npos);
  EXPECT_NE(out.find("\r\nContent-Length: 28\r\n"), std::string::npos);
  EXPECT_EQ(out.find("Connection: close"), std::string::npos);
  EXPECT_TRUE(out.ends_with("\r\n\r\n{\"code\":90001,\"message\":\"x\"}"));
}

TEST(SerializeResponse, AppendsSoPipelinedResponsesShareOneBuffer) {
  Request request;
  std::string out;
  serializeResponse(request, jsonResponse(200, "{}"), true, "d", out);
  serializeResponse(request, jsonResponse(200, "[]"), false, "d", out);
  EXPECT_EQ(out.find("HTTP/1.1 200 OK"), 0u);
  EXPECT_NE(out.find("HTTP/1.1 200 OK", 10), std::string::npos);
  EXPECT_NE(out.find("Connection: close\r\n\r\n[]"), std::string::npos);
}

TEST(SerializeResponse, OmitsBodiesForHeadAnd304AndLeavesSharedBodiesToTheCaller) {
  Request head;
  head.method = Method::kHead;
  std::string out;
  EXPECT_FALSE(serializeResponse(head, jsonResponse(200, "{\"a\":1}"), true, "d", out));
  EXPECT_TRUE(out.ends_with("Content-Length: 7\r\n\r\n"));

  Response not_modified;
  not_modified.status = 304;
  out.clear();
  EXPECT_FALSE(serializeResponse(Request{}, not_modified, true, "d", out));
  EXPECT_EQ(out.find("Content-Length"), std::string::npos);

  Response shared;
  shared.shared_body = std::make_shared<const std::string>("0123456789");
  out.clear();
  EXPECT_TRUE(serializeResponse(Request{}, shared, true, "d", out));
  EXPECT_TRUE(out.ends_with("Content-Length: 10\r\n\r\n"));
}

TEST(SerializeResponse, NeverLetsAHeaderValueSplitTheResponse) {
  Response response;
  response.headers.add("Location", "/x\r\nSet-Cookie: evil=1");
  std::string out;
  serializeResponse(Request{}, response, true, "d", out);
  EXPECT_EQ(out.find("\r\nSet-Cookie"), std::string::npos);
  EXPECT_NE(out.find("Location: /xSet-Cookie: evil=1\r\n"), std::string::npos);
}

} // namespace
} // namespace hearth::net
