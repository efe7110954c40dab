#pragma once
// Serves the built web client (web/dist) from memory: loaded once at start, so a request costs
// a map lookup and no file I/O. Hashed assets (/assets/*) are cached for a year; index.html is
// revalidated on every load so a new release is picked up at once. Text files are gzipped once
// at load and sent compressed to clients that accept gzip.
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "net/http.hpp"

namespace hearth::net {

class StaticFiles {
public:
  //! Loads every regular file below `root` (skipping files above `max_file_bytes`). A missing
  //! root is not an error: the API still works, and page requests answer 503 with a hint.
  explicit StaticFiles(std::filesystem::path root, std::size_t max_file_bytes = 64 * 1024 * 1024);

  //! Answers a GET/HEAD for a file or, for a path without an extension, the SPA's index.html.
  Response serve(const Request& request) const;
  std::size_t fileCount() const noexcept { return files_.size(); }
  bool hasIndex() const noexcept { return files_.contains("/index.html"); }

  //! The Content-Type for a file name, by extension; application/octet-stream if unknown.
  static std::string_view contentType(std::string_view file_name) noexcept;

private:
  struct File {
    std::shared_ptr<const std::string> content;
    std::shared_ptr<const std::string> gzip; //!< set when compressing saved at least 10%
    std::string content_type;
    std::string etag;
    std::string cache_control;
  };
  Response respond(const Request& request, const File& file) const;

  std::filesystem::path root_;
  std::unordered_map<std::string, File> files_; // key: URL path, e.g. "/assets/app-1a2b.js"
};

} // namespace hearth::net
