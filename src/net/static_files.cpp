#include "net/static_files.hpp"

#include <array>
#include <charconv>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <zlib.h>

namespace hearth::net {

namespace {
struct TypeEntry {
  std::string_view extension;
  std::string_view type;
};
constexpr std::array<TypeEntry, 22> kTypes = {{
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json"},
    {".map", "application/json"},
    {".webmanifest", "application/manifest+json"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".jpg", "image/jpeg"},
    {".jpeg", "image/jpeg"},
    {".gif", "image/gif"},
    {".webp", "image/webp"},
    {".avif", "image/avif"},
    {".ico", "image/x-icon"},
    {".woff2", "font/woff2"},
    {".woff", "font/woff"},
    {".txt", "text/plain; charset=utf-8"},
    {".wasm", "application/wasm"},
    {".mp3", "audio/mpeg"},
    {".ogg", "audio/ogg"},
    {".webm", "video/webm"},
}};

// FNV-1a: an ETag needs to change when content does, not to resist attackers.
std::string etagOf(const std::string& content) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (const char c : content) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  return fmt::format("\"{:016x}-{:x}\"", hash, content.size());
}

bool compressible(std::string_view content_type) {
  return content_type.starts_with("text/") || content_type.starts_with("application/json") ||
         content_type.starts_with("application/manifest+json") || content_type == "image/svg+xml" ||
         content_type == "application/wasm";
}

// gzip (RFC 1952) at the best level: done once per file at start, so the time is well spent.
std::shared_ptr<const std::string> gzipOf(const std::string& content) {
  z_stream stream{};
  if (deflateInit2(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK) return nullptr;
  std::string out(deflateBound(&stream, content.size()) + 32, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(content.data()));
  stream.avail_in = static_cast<uInt>(content.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  const int result = deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  if (result != Z_STREAM_END) return nullptr;
  return std::make_shared<const std::string>(std::move(out));
}

// True when Accept-Encoding lists gzip (or *) without q=0.
bool acceptsGzip(std::string_view header) {
  while (!header.empty()) {
    const auto comma = header.find(',');
    std::string_view item = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
    while (!item.empty() && item.front() == ' ')
      item.remove_prefix(1);
    const auto semicolon = item.find(';');
    std::string_view coding = item.substr(0, semicolon);
    while (!coding.empty() && coding.back() == ' ')
      coding.remove_suffix(1);
    if (!equalsIgnoreCase(coding, "gzip") && coding != "*") continue;
    if (semicolon == std::string_view::npos) return true;
    std::string_view params = item.substr(semicolon + 1);
    const auto q = params.find("q=");
    if (q == std::string_view::npos) return true;
    std::string_view weight = params.substr(q + 2);
    weight = weight.substr(0, weight.find_first_of(" ;"));
    double value = 0;
    const auto [end, ec] = std::from_chars(weight.data(), weight.data() + weight.size(), value);
    return ec == std::errc() && value > 0;
  }
  return false;
}

bool hasExtension(std::string_view path) {
  const auto slash = path.rfind('/');
  const auto last = slash == std::string_view::npos ? path : path.substr(slash + 1);
  return last.find('.') != std::string_view::npos;
}
} // namespace

std::string_view StaticFiles::contentType(std::string_view file_name) noexcept {
  const auto dot = file_name.rfind('.');
  if (dot == std::string_view::npos) return "application/octet-stream";
  const auto extension = file_name.substr(dot);
  for (const auto& entry : kTypes) {
    if (equalsIgnoreCase(entry.extension, extension)) return entry.type;
  }
  return "application/octet-stream";
}

StaticFiles::StaticFiles(std::filesystem::path root, std::size_t max_file_bytes) : root_(std::move(root)) {
  std::error_code ec;
  if (!std::filesystem::is_directory(root_, ec)) return;
  for (auto it = std::filesystem::recursive_directory_iterator(root_, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec) || it->file_size(ec) > max_file_bytes) continue;
    std::ifstream in(it->path(), std::ios::binary);
    std::ostringstream buffer;
    buffer << in.rdbuf();
    const std::string url = "/" + std::filesystem::relative(it->path(), root_, ec).generic_string();
    File file;
    file.content = std::make_shared<const std::string>(std::move(buffer).str());
    file.content_type = std::string(contentType(url));
    file.etag = etagOf(*file.content);
    if (compressible(file.content_type) && file.content->size() >= 256) {
      auto gzip = gzipOf(*file.content);
      if (gzip && gzip->size() * 10 < file.content->size() * 9) file.gzip = std::move(gzip);
    }
    // Vite puts content-hashed names under /assets/: they never change, so cache them for good.
    file.cache_control = url.starts_with("/assets/") ? "public, max-age=31536000, immutable"
                         : url == "/index.html"      ? "no-cache"
                                                     : "public, max-age=3600";
    files_.emplace(url, std::move(file));
  }
}

Response StaticFiles::respond(const Request& request, const File& file) const {
  const bool gzip = file.gzip && acceptsGzip(request.headers.get("Accept-Encoding"));
  // Each encoding is its own representation, so it has its own ETag.
  std::string etag = file.etag;
  if (gzip) etag.insert(etag.size() - 1, "-gz");
  Response response;
  response.headers.add("Content-Type", file.content_type);
  response.headers.add("Cache-Control", file.cache_control);
  response.headers.add("ETag", etag);
  if (file.gzip) response.headers.add("Vary", "Accept-Encoding");
  if (request.headers.get("If-None-Match") == etag) {
    response.status = 304;
    return response;
  }
  if (gzip) response.headers.add("Content-Encoding", "gzip");
  response.shared_body = gzip ? file.gzip : file.content;
  return response;
}

Response StaticFiles::serve(const Request& request) const {
  std::string path;
  if (!percentDecode(request.path, path, false) || path.find('\0') != std::string::npos) {
    return errorResponse(core::ErrorCode::kMalformedRequest, "Malformed path");
  }
  if (path == "/") path = "/index.html";
  if (const auto it = files_.find(path); it != files_.end()) return respond(request, it->second);
  // A path with an extension names a file that is not there; anything else is a client route.
  if (hasExtension(path)) return errorResponse(core::ErrorCode::kNotFound, "No such file: " + request.path);
  if (const auto index = files_.find("/index.html"); index != files_.end()) return respond(request, index->second);
  return errorResponse(core::ErrorCode::kServiceUnavailable,
                       "The web client is not built; run `make web` (or `make run`), then restart hearthd");
}

} // namespace hearth::net
