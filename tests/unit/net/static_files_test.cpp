#include "net/static_files.hpp"

#include <fstream>

#include <gtest/gtest.h>

namespace hearth::net {
namespace {

class StaticFilesTest : public ::testing::Test {
protected:
  void SetUp() override {
    root_ = std::filesystem::temp_directory_path() /
            ("hearth-static-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(root_ / "assets");
    write("index.html", "<!doctype html><div id=app></div>");
    write("assets/app-abc123.js", "export{}");
    write("robots.txt", "User-agent: *");
  }
  void TearDown() override { std::filesystem::remove_all(root_); }
  void write(const std::string& relative, const std::string& content) {
    std::ofstream(root_ / relative, std::ios::binary) << content;
  }
  static Request get(std::string path) {
    Request request;
    request.path = std::move(path);
    return request;
  }
  std::filesystem::path root_;
};

TEST_F(StaticFilesTest, ServesFilesWithTypesAndCachePolicy) {
  const StaticFiles files(root_);
  EXPECT_EQ(files.fileCount(), 3u);
  const auto js = files.serve(get("/assets/app-abc123.js"));
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(*js.shared_body, "export{}");
  EXPECT_EQ(js.headers.get("Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(js.headers.get("Cache-Control"), "public, max-age=31536000, immutable");
  const auto index = files.serve(get("/"));
  EXPECT_EQ(index.headers.get("Cache-Control"), "no-cache");
  EXPECT_EQ(files.serve(get("/robots.txt")).headers.get("Cache-Control"), "public, max-age=3600");
}

TEST_F(StaticFilesTest, FallsBackToIndexOnlyForClientRoutes) {
  const StaticFiles files(root_);
  EXPECT_EQ(*files.serve(get("/app/1/2")).shared_body, "<!doctype html><div id=app></div>");
  EXPECT_EQ(files.serve(get("/assets/missing-1.js")).status, 404);
  EXPECT_EQ(files.serve(get("/%zz")).status, 400);
}

TEST_F(StaticFilesTest, RevalidatesWithETag) {
  const StaticFiles files(root_);
  const auto first = files.serve(get("/"));
  Request again = get("/");
  again.headers.add("If-None-Match", std::string(first.headers.get("ETag")));
  const auto second = files.serve(again);
  EXPECT_EQ(second.status, 304);
  EXPECT_EQ(second.shared_body, nullptr);
}

TEST_F(StaticFilesTest, DifferentContentGetsADifferentETag) {
  const StaticFiles before(root_);
  write("index.html", "<!doctype html><p>new release</p>");
  const StaticFiles after(root_);
  EXPECT_NE(before.serve(get("/")).headers.get("ETag"), after.serve(get("/")).headers.get("ETag"));
}

TEST_F(StaticFilesTest, WithoutABuildPagesAnswer503) {
  const StaticFiles files(root_ / "does-not-exist");
  EXPECT_FALSE(files.hasIndex());
  EXPECT_EQ(files.serve(get("/app")).status, 503);
}

TEST_F(StaticFilesTest, SendsGzipOnlyToClientsThatAcceptIt) {
  std::string script;
  for (int line_idx = 0; line_idx < 200; ++line_idx)
    script += "export const value" + std::to_string(line_idx) + " = 1;\n";
  write("assets/big-1.js", script);
  const StaticFiles files(root_);
  const auto plain = files.serve(get("/assets/big-1.js"));
  EXPECT_EQ(*plain.shared_body, script);
  EXPECT_EQ(plain.headers.get("Content-Encoding"), "");
  EXPECT_EQ(plain.headers.get("Vary"), "Accept-Encoding");

  for (const char* accept : {"gzip", "br, gzip;q=0.8", "*", "deflate, GZIP"}) {
    Request request = get("/assets/big-1.js");
    request.headers.add("Accept-Encoding", accept);
    const auto gzipped = files.serve(request);
    EXPECT_EQ(gzipped.headers.get("Content-Encoding"), "gzip") << accept;
    EXPECT_LT(gzipped.shared_body->size(), script.size() / 4) << accept;
    EXPECT_EQ(gzipped.shared_body->substr(0, 2), "\x1f\x8b") << "gzip magic";
    EXPECT_NE(gzipped.headers.get("ETag"), plain.headers.get("ETag"));
  }
  for (const char* refuse : {"gzip;q=0", "br", "gzip; q=0.0", "identity"}) {
    Request request = get("/assets/big-1.js");
    request.headers.add("Accept-Encoding", refuse);
    EXPECT_EQ(files.serve(request).headers.get("Content-Encoding"), "") << refuse;
  }
  // Tiny or incompressible files are sent as they are.
  Request tiny = get("/assets/app-abc123.js");
  tiny.headers.add("Accept-Encoding", "gzip");
  EXPECT_EQ(files.serve(tiny).headers.get("Content-Encoding"), "");
}

TEST(StaticFilesTypes, KnowsCommonExtensions) {
  EXPECT_EQ(StaticFiles::contentType("a.css"), "text/css; charset=utf-8");
  EXPECT_EQ(StaticFiles::contentType("a.SVG"), "image/svg+xml");
  EXPECT_EQ(StaticFiles::contentType("a.woff2"), "font/woff2");
  EXPECT_EQ(StaticFiles::contentType("noext"), "application/octet-stream");
  EXPECT_EQ(StaticFiles::contentType("a.exe"), "application/octet-stream");
}

} // namespace
} // namespace hearth::net
