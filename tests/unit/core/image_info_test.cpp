#include "core/image_info.hpp"

#include <string>

#include <gtest/gtest.h>

namespace hearth::core {
namespace {

std::string be32(std::uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
}

TEST(SniffImage, ReadsPngSize) {
  const std::string png = std::string("\x89PNG\r\n\x1a\n", 8) + be32(13) + "IHDR" + be32(640) + be32(480) +
                          std::string("\x08\x06\x00\x00\x00", 5);
  const auto info = sniffImage(png);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->content_type, "image/png");
  EXPECT_EQ(info->width, 640u);
  EXPECT_EQ(info->height, 480u);
  EXPECT_FALSE(sniffImage(png.substr(0, 20))); // truncated header
}

TEST(SniffImage, ReadsJpegFrameAfterOtherSegments) {
  std::string jpeg("\xFF\xD8\xFF\xE0\x00\x04\x00\x00", 8); // SOI, an APP0 segment of 2 bytes
  jpeg += std::string("\xFF\xC2\x00\x0B\x08\x01\x2C\x00\xC8\x01\x01\x11\x00", 13); // progressive SOF: 200x300
  const auto info = sniffImage(jpeg);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->content_type, "image/jpeg");
  EXPECT_EQ(info->width, 200u);
  EXPECT_EQ(info->height, 300u);
  EXPECT_FALSE(sniffImage(std::string("\xFF\xD8\xFF\xDA\x00\x02", 6))); // scan before any frame
}

TEST(SniffImage, ReadsGifAndWebp) {
  const auto gif = sniffImage(std::string("GIF89a\x05\x00\x07\x00\x00\x00", 12));
  ASSERT_TRUE(gif);
  EXPECT_EQ(gif->width, 5u);
  EXPECT_EQ(gif->height, 7u);
  std::string webp = std::string("RIFF\x16\x00\x00\x00WEBPVP8X\x0A\x00\x00\x00\x00\x00\x00\x00", 24);
  webp += std::string("\x09\x00\x00\x04\x00\x00", 6); // width-1 = 9, height-1 = 4
  const auto info = sniffImage(webp);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->content_type, "image/webp");
  EXPECT_EQ(info->width, 10u);
  EXPECT_EQ(info->height, 5u);
}

TEST(SniffImage, RefusesOtherBytesAndZeroSizes) {
  EXPECT_FALSE(sniffImage("<svg xmlns='http://www.w3.org/2000/svg'/>"));
  EXPECT_FALSE(sniffImage(""));
  EXPECT_FALSE(sniffImage(std::string("GIF89a\x00\x00\x07\x00", 10)));
}

} // namespace
} // namespace hearth::core
