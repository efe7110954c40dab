#include "net/multipart.hpp"

#include <gtest/gtest.h>

namespace hearth::net {
namespace {

const std::string kBody = "preamble to ignore\r\n"
                          "--XyZ\r\n"
                          "Content-Disposition: form-data; name=\"payload_json\"\r\n"
                          "Content-Type: application/json\r\n"
                          "\r\n"
                          "{\"content\":\"hi\"}\r\n"
                          "--XyZ\r\n"
                          "Content-Disposition: form-data; name=\"files[0]\"; filename=\"a \\\"b\\\".png\"\r\n"
                          "Content-Type: image/png\r\n"
                          "\r\n"
                          "\x89PNG\r\nx--XyZ\r\n-XyZ\r\n--Xy\r\n"
                          "--XyZ\r\n"
                          "content-disposition: form-data; name=files[1]; filename=\"plain.txt\"; "
                          "filename*=UTF-8''%E2%82%AC%20rates.txt\r\n"
                          "\r\n"
                          "\r\n"
                          "--XyZ--\r\n"
                          "epilogue";

TEST(Multipart, SplitsPartsWithQuotedAndExtendedFilenames) {
  const auto parts = parseMultipart("XyZ", kBody);
  ASSERT_TRUE(parts.has_value()) << parts.error().message;
  ASSERT_EQ(parts->size(), 3u);
  EXPECT_EQ((*parts)[0].name, "payload_json");
  EXPECT_FALSE((*parts)[0].filename.has_value());
  EXPECT_EQ((*parts)[0].content_type, "application/json");
  EXPECT_EQ((*parts)[0].data, "{\"content\":\"hi\"}");
  EXPECT_EQ((*parts)[1].name, "files[0]");
  EXPECT_EQ((*parts)[1].filename, "a \"b\".png");
  // Boundary-like text inside data is data: a delimiter only counts as CRLF "--" boundary.
  EXPECT_EQ((*parts)[1].data, "\x89PNG\r\nx--XyZ\r\n-XyZ\r\n--Xy");
  EXPECT_EQ((*parts)[2].name, "files[1]");
  EXPECT_EQ((*parts)[2].filename, "\xE2\x82\xAC rates.txt"); // filename* wins
  EXPECT_EQ((*parts)[2].data, "");
}

// The parser sees a whole body; still, every way of cutting it short must fail cleanly.
TEST(Multipart, EveryTruncationFailsWithoutCrashing) {
  const std::size_t closing = kBody.find("--XyZ--");
  for (std::size_t length = 0; length < closing + 6; ++length) {
    const auto parts = parseMultipart("XyZ", std::string_view(kBody).substr(0, length));
    EXPECT_FALSE(parts.has_value()) << length;
  }
  EXPECT_TRUE(parseMultipart("XyZ", std::string_view(kBody).substr(0, closing + 7)).has_value());
}

TEST(Multipart, RefusesPartsWithoutDispositionOrName) {
  EXPECT_FALSE(parseMultipart("b", "--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--").has_value());
  EXPECT_FALSE(parseMultipart("b", "--b\r\n\r\nx\r\n--b--").has_value());
  EXPECT_FALSE(parseMultipart("b", "--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--").has_value());
  EXPECT_FALSE(parseMultipart("b", "--b\r\nContent-Disposition: attachment; name=a\r\n\r\nx\r\n--b--").has_value());
  EXPECT_FALSE(parseMultipart("b", "--b\r\nContent-Disposition: form-data; name=\"a\r\n\r\nx\r\n--b--")
                   .has_value()); // open quote
  EXPECT_FALSE(parseMultipart("b", "no delimiter at all").has_value());
  EXPECT_FALSE(parseMultipart("b", "--b\r\nContent-Disposition: form-data; name=a\r\n\r\nx").has_value());
}

TEST(Multipart, DuplicateNamesAreKeptForTheCallerToJudge) {
  const auto parts = parseMultipart("b", "--b\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n"
                                         "--b\r\nContent-Disposition: form-data; name=a\r\n\r\n2\r\n--b--");
  ASSERT_TRUE(parts.has_value());
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[1].data, "2");
}

TEST(Multipart, EnforcesPartAndHeaderLimits) {
  std::string body;
  for (int i = 0; i < 5; ++i)
    body += "--b\r\nContent-Disposition: form-data; name=p\r\n\r\nx\r\n";
  body += "--b--";
  MultipartLimits limits;
  limits.max_parts = 4;
  EXPECT_FALSE(parseMultipart("b", body, limits).has_value());
  limits.max_parts = 5;
  EXPECT_TRUE(parseMultipart("b", body, limits).has_value());
  limits.max_header_bytes = 10;
  EXPECT_FALSE(parseMultipart("b", body, limits).has_value());
}

TEST(Multipart, ReadsTheBoundaryFromContentType) {
  EXPECT_EQ(multipartBoundary("multipart/form-data; boundary=abc"), "abc");
  EXPECT_EQ(multipartBoundary("Multipart/Form-Data; charset=utf-8; boundary=\"----WebKit 1\""), std::nullopt);
  EXPECT_EQ(multipartBoundary("multipart/form-data; boundary=\"----WebKitFormBoundary7MA4\""),
            "----WebKitFormBoundary7MA4");
  EXPECT_EQ(multipartBoundary("multipart/form-data"), std::nullopt);
  EXPECT_EQ(multipartBoundary("application/json; boundary=abc"), std::nullopt);
  EXPECT_EQ(multipartBoundary("multipart/form-data; boundary=" + std::string(71, 'a')), std::nullopt);
}

} // namespace
} // namespace hearth::net
