#pragma once
// What an uploaded file is and what gets stored of it. The type comes from the bytes (libmagic),
// never from the client. Images (PNG, JPEG, GIF, WebP) are decoded and re-encoded by libvips,
// which drops their metadata (EXIF, GPS, XMP, comments), and get a preview fitting 1024x1024.
// Decoding is CPU-heavy and blocking: MediaPool runs it, and the disk writes, on threads of its
// own, never on an I/O thread, with a bounded queue.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "core/error.hpp"
#include "files/storage.hpp"

namespace hearth::files {

inline constexpr std::uint64_t kMaxImagePixels = 50'000'000; //!< per frame, from the header
inline constexpr int kPreviewSide = 1024;

//! Initialises libvips once per process (main); `argv0` as VIPS_INIT wants it. Blocks libvips's
//! untrusted loaders (SVG, PDF, ...) and its operation cache. Throws std::runtime_error on failure.
void initMedia(const char* argv0);
//! Shuts libvips down (end of main).
void shutdownMedia() noexcept;

//! The MIME type of `bytes` by libmagic ("image/png", "text/html", "application/octet-stream").
//! Thread-safe: each thread loads its own magic database once.
std::string detectType(std::string_view bytes);

//! An upload ready to store: the bytes to serve and, for images, a preview.
struct Processed {
  std::string bytes; //!< the sanitised file (re-encoded for images; as uploaded otherwise)
  std::string content_type;
  std::string preview; //!< empty: the preview is the file itself
  std::string preview_type;
  int width = 0; //!< images only
  int height = 0;
};

//! Detects the type and, for an image, re-encodes it (same format; animated GIF/WebP keep their
//! frames) and makes the preview (WebP; none when the image already fits). Errors:
//! kInvalidFormBody naming `field` for an image that cannot be decoded or has more than
//! kMaxImagePixels. Blocking.
core::Result<Processed> processUpload(std::string_view bytes, std::string_view field);

//! An avatar or icon: the full image re-encoded (no metadata) and square-ish variants whose
//! longer side is each of `sizes` (only those smaller than the image). Blocking.
struct ImageSet {
  std::string full;
  std::string content_type;
  int width = 0;
  int height = 0;
  std::vector<std::pair<int, std::string>> variants; //!< (side, bytes), same format as `full`
};
core::Result<ImageSet> processImage(std::string_view bytes, const std::vector<int>& sizes, std::string_view field);

//! A file as stored: what the attachment row records.
struct StoredFile {
  std::string hash; //!< content hash of the served file
  std::uint64_t size = 0;
  std::string content_type;
  std::string preview_hash; //!< empty: none
  std::string preview_type;
  int width = 0;
  int height = 0;
};

class MediaPool {
public:
  //! `threads` work at once; at most `max_waiting` more may queue (others get kServiceUnavailable).
  MediaPool(std::size_t threads, std::size_t max_waiting);
  ~MediaPool();
  MediaPool(const MediaPool&) = delete;
  MediaPool& operator=(const MediaPool&) = delete;

  //! processUpload, then the file (and preview) into `storage`, off the calling thread. `bytes`
  //! must stay alive until it completes.
  boost::asio::awaitable<core::Result<StoredFile>> ingest(std::string_view bytes, std::string field, Storage& storage);
  //! processImage off the calling thread.
  boost::asio::awaitable<core::Result<ImageSet>> image(std::string_view bytes, std::vector<int> sizes,
                                                       std::string field);

private:
  struct Pool;
  std::unique_ptr<Pool> pool_;
  std::size_t max_in_flight_;
  std::atomic<std::size_t> in_flight_{0};
};

} // namespace hearth::files
