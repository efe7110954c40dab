#include "files/policy.hpp"

#include <gtest/gtest.h>

namespace hearth::files {
namespace {

TEST(SanitizeFilename, StripsPathsControlsQuotesAndLeadingDots) {
  EXPECT_EQ(sanitizeFilename("../../etc/passwd"), "passwd");
  EXPECT_EQ(sanitizeFilename("C:\\Users\\me\\photo.png"), "photo.png");
  EXPECT_EQ(sanitizeFilename("..hidden"), "hidden");
  EXPECT_EQ(sanitizeFilename("a\r\nb\t\"c'.txt"), "abc.txt");
  EXPECT_EQ(sanitizeFilename("SPOILER_cat.gif"), "SPOILER_cat.gif");
  EXPECT_EQ(sanitizeFilename("Grüße 日本.png"), "Grüße 日本.png");
  EXPECT_EQ(sanitizeFilename(""), "file");
  EXPECT_EQ(sanitizeFilename("..."), "file");
  EXPECT_EQ(sanitizeFilename("dir/"), "file");
  EXPECT_EQ(sanitizeFilename("bad\xff\xfeutf8.txt"), "badutf8.txt");
  EXPECT_EQ(sanitizeFilename("evil\xE2\x80\xAEgpj.exe"), "evilgpj.exe"); // RIGHT-TO-LEFT OVERRIDE
}

TEST(SanitizeFilename, CapsAt255BytesOnACharacterBoundary) {
  std::string long_name;
  for (int i = 0; i < 200; ++i)
    long_name += "é"; // 2 bytes each
  const std::string cut = sanitizeFilename(long_name);
  EXPECT_EQ(cut.size(), 254u);
  EXPECT_EQ(cut, long_name.substr(0, 254));
}

TEST(ContentPolicy, InlineOnlyForSafeImagesAudioAndVideo) {
  for (const char* type : {"image/png", "image/jpeg", "image/gif", "image/webp", "audio/mpeg", "video/mp4"}) {
    EXPECT_TRUE(isInlineType(type)) << type;
    EXPECT_EQ(contentDisposition(type, "x"), "inline");
  }
  for (const char* type : {"image/svg+xml", "text/html", "application/pdf", "text/plain", "application/octet-stream"}) {
    EXPECT_FALSE(isInlineType(type)) << type;
  }
  EXPECT_EQ(contentDisposition("text/html", "a b\"€.html"),
            "attachment; filename=\"a b____.html\"; filename*=UTF-8''a%20b%22%E2%82%AC.html");
}

TEST(ParseRange, ReadsOneRangeAgainstTheSize) {
  using Kind = ByteRange::Kind;
  auto range = parseRange("bytes=0-9", 100);
  EXPECT_EQ(range.kind, Kind::kPartial);
  EXPECT_EQ(range.first, 0u);
  EXPECT_EQ(range.last, 9u);
  range = parseRange("bytes=90-", 100);
  EXPECT_EQ(range.kind, Kind::kPartial);
  EXPECT_EQ(range.last, 99u);
  range = parseRange("bytes=-10", 100);
  EXPECT_EQ(range.first, 90u);
  EXPECT_EQ(range.last, 99u);
  range = parseRange("bytes=-1000", 100);
  EXPECT_EQ(range.first, 0u);
  range = parseRange("bytes=50-1000", 100);
  EXPECT_EQ(range.last, 99u);
  EXPECT_EQ(parseRange("bytes=100-", 100).kind, Kind::kUnsatisfiable);
  EXPECT_EQ(parseRange("bytes=-0", 100).kind, Kind::kUnsatisfiable);
  EXPECT_EQ(parseRange("bytes=0-", 0).kind, Kind::kUnsatisfiable);
  // Ignored (the whole file): other units, several ranges, broken syntax.
  EXPECT_EQ(parseRange("", 100).kind, Kind::kWhole);
  EXPECT_EQ(parseRange("items=0-1", 100).kind, Kind::kWhole);
  EXPECT_EQ(parseRange("bytes=0-1,5-6", 100).kind, Kind::kWhole);
  EXPECT_EQ(parseRange("bytes=5-1", 100).kind, Kind::kWhole);
  EXPECT_EQ(parseRange("bytes=a-b", 100).kind, Kind::kWhole);
  EXPECT_EQ(parseRange("bytes=-", 100).kind, Kind::kWhole);
  EXPECT_EQ(parseRange("bytes=99999999999999999999-", 100).kind, Kind::kWhole);
}

} // namespace
} // namespace hearth::files
