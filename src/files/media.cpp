#include "files/media.hpp"

#include <algorithm>
#include <stdexcept>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <magic.h>
#include <vips/vips.h>

#include "files/policy.hpp"

namespace hearth::files {

namespace asio = boost::asio;

namespace {

// libmagic's cookie is not thread-safe: each thread opens its own, once.
struct MagicCookie {
  MagicCookie() : cookie(magic_open(MAGIC_MIME_TYPE | MAGIC_ERROR)) {
    if (cookie != nullptr && magic_load(cookie, nullptr) != 0) {
      magic_close(cookie);
      cookie = nullptr;
    }
  }
  ~MagicCookie() {
    if (cookie != nullptr) magic_close(cookie);
  }
  MagicCookie(const MagicCookie&) = delete;
  MagicCookie& operator=(const MagicCookie&) = delete;
  magic_t cookie;
};

// An owned VipsImage reference.
struct Image {
  VipsImage* image = nullptr;
  Image() = default;
  explicit Image(VipsImage* owned) : image(owned) {}
  Image(Image&& other) noexcept : image(std::exchange(other.image, nullptr)) {}
  Image& operator=(Image&& other) noexcept {
    std::swap(image, other.image);
    return *this;
  }
  ~Image() {
    if (image != nullptr) g_object_unref(image);
  }
  explicit operator bool() const noexcept { return image != nullptr; }
};

std::unexpected<core::Error> imageError(std::string_view field, std::string code, std::string message) {
  vips_error_clear();
  return std::unexpected(
      core::invalidFormBody({core::FieldError{std::string(field), std::move(code), std::move(message)}}));
}

std::unexpected<core::Error> undecodable(std::string_view field) {
  return imageError(field, "IMAGE_INVALID", "The image could not be decoded.");
}

// Loads the header only (pixels are decoded when saved). `all_frames`: GIF/WebP animations.
Image load(std::string_view bytes, std::string_view type, bool all_frames) {
  VipsImage* out = nullptr;
  void* data = const_cast<char*>(bytes.data()); // libvips reads, never writes, a load buffer
  const int frames = all_frames ? -1 : 1;
  int failed = -1;
  if (type == "image/png") {
    failed = vips_pngload_buffer(data, bytes.size(), &out, "access", VIPS_ACCESS_SEQUENTIAL, "fail_on",
                                 VIPS_FAIL_ON_ERROR, nullptr);
  } else if (type == "image/jpeg") {
    failed = vips_jpegload_buffer(data, bytes.size(), &out, "access", VIPS_ACCESS_SEQUENTIAL, "fail_on",
                                  VIPS_FAIL_ON_ERROR, nullptr);
  } else if (type == "image/gif") {
    failed = vips_gifload_buffer(data, bytes.size(), &out, "access", VIPS_ACCESS_SEQUENTIAL, "n", frames, "fail_on",
                                 VIPS_FAIL_ON_ERROR, nullptr);
  } else if (type == "image/webp") {
    failed = vips_webpload_buffer(data, bytes.size(), &out, "access", VIPS_ACCESS_SEQUENTIAL, "n", frames, "fail_on",
                                  VIPS_FAIL_ON_ERROR, nullptr);
  }
  if (failed != 0) {
    if (out != nullptr) g_object_unref(out);
    return Image();
  }
  return Image(out);
}

// Encodes in `type` without metadata. Empty on failure.
std::string save(VipsImage* image, std::string_view type) {
  void* buffer = nullptr;
  std::size_t length = 0;
  int failed = -1;
  if (type == "image/png") {
    failed = vips_pngsave_buffer(image, &buffer, &length, "strip", TRUE, nullptr);
  } else if (type == "image/jpeg") {
    failed = vips_jpegsave_buffer(image, &buffer, &length, "strip", TRUE, "Q", 90, nullptr);
  } else if (type == "image/gif") {
    // GIF carries no EXIF/XMP; the frames, delays and loop count are kept.
    failed = vips_gifsave_buffer(image, &buffer, &length, nullptr);
  } else if (type == "image/webp") {
    failed = vips_webpsave_buffer(image, &buffer, &length, "strip", TRUE, "Q", 90, nullptr);
  }
  std::string out;
  if (failed == 0 && buffer != nullptr) out.assign(static_cast<const char*>(buffer), length);
  g_free(buffer);
  return out;
}

// The image upright (JPEG's EXIF orientation applied, since stripping drops the tag).
Image upright(Image image, std::string_view type) {
  if (type != "image/jpeg") return image;
  VipsImage* rotated = nullptr;
  if (vips_autorot(image.image, &rotated, nullptr) != 0) return Image();
  return Image(rotated);
}

// A copy fitting side x side (never enlarged), first frame only.
Image shrunk(std::string_view bytes, int side) {
  VipsImage* out = nullptr;
  void* data = const_cast<char*>(bytes.data());
  if (vips_thumbnail_buffer(data, bytes.size(), &out, side, "height", side, "size", VIPS_SIZE_DOWN, nullptr) != 0) {
    if (out != nullptr) g_object_unref(out);
    return Image();
  }
  return Image(out);
}

struct Header {
  int width = 0;
  int height = 0; //!< of one frame
  int frames = 1;
};

Header headerOf(VipsImage* image) {
  Header header;
  header.width = vips_image_get_width(image);
  header.height = vips_image_get_page_height(image);
  header.frames = header.height > 0 ? std::max(1, vips_image_get_height(image) / header.height) : 1;
  return header;
}

bool tooLarge(const Header& header) {
  return static_cast<std::uint64_t>(header.width) * static_cast<std::uint64_t>(header.height) > kMaxImagePixels;
}

std::unexpected<core::Error> tooManyPixels(std::string_view field) {
  return imageError(field, "IMAGE_TOO_LARGE", "Images may have at most 50 megapixels.");
}

// One of the pool's in-flight slots: taken when fewer than `max` are, and given back however the
// coroutine ends (the count is raised either way, so it is always lowered).
class Slot {
public:
  Slot(std::atomic<std::size_t>& counter, std::size_t max) : counter_(counter), taken_(counter.fetch_add(1) < max) {}
  Slot(const Slot&) = delete;
  Slot& operator=(const Slot&) = delete;
  ~Slot() { counter_.fetch_sub(1); }
  bool taken() const noexcept { return taken_; }

private:
  std::atomic<std::size_t>& counter_;
  bool taken_;
};

std::unexpected<core::Error> busy() {
  return std::unexpected(
      core::Error{core::ErrorCode::kServiceUnavailable, "The server is busy; try again in a moment"});
}

} // namespace

void initMedia(const char* argv0) {
  if (VIPS_INIT(argv0) != 0) throw std::runtime_error("libvips failed to initialise");
  vips_block_untrusted_set(TRUE); // only the loaders we call by name, never SVG/PDF/... by sniffing
  vips_cache_set_max(0); // uploads are never processed twice
  vips_concurrency_set(1); // MediaPool bounds the parallelism
}

void shutdownMedia() noexcept { vips_shutdown(); }

std::string detectType(std::string_view bytes) {
  thread_local MagicCookie magic;
  if (magic.cookie == nullptr || bytes.empty())
    return bytes.empty() ? "application/x-empty" : "application/octet-stream";
  // The first MiB decides: libmagic's own tests look no further in practice.
  const std::size_t length = std::min<std::size_t>(bytes.size(), 1024 * 1024);
  const char* type = magic_buffer(magic.cookie, bytes.data(), length);
  if (type == nullptr) return "application/octet-stream";
  return type;
}

core::Result<Processed> processUpload(std::string_view bytes, std::string_view field) {
  Processed out;
  out.content_type = detectType(bytes);
  if (!isPipelineImage(out.content_type)) {
    out.bytes = std::string(bytes);
    return out;
  }
  Image image = load(bytes, out.content_type, true);
  if (!image) return undecodable(field);
  Header header = headerOf(image.image);
  if (tooLarge(header)) return tooManyPixels(field);
  if (static_cast<std::uint64_t>(header.width) * header.height * header.frames > kMaxImagePixels) {
    // An animation too large to re-encode whole keeps its first frame only.
    image = load(bytes, out.content_type, false);
    if (!image) return undecodable(field);
    header = headerOf(image.image);
  }
  image = upright(std::move(image), out.content_type);
  if (!image) return undecodable(field);
  out.bytes = save(image.image, out.content_type);
  if (out.bytes.empty()) return undecodable(field);
  out.width = vips_image_get_width(image.image);
  out.height = vips_image_get_page_height(image.image);
  const bool animated = header.frames > 1;
  if (!animated && (out.width > kPreviewSide || out.height > kPreviewSide)) {
    Image preview = shrunk(out.bytes, kPreviewSide);
    if (preview) {
      void* buffer = nullptr;
      std::size_t length = 0;
      if (vips_webpsave_buffer(preview.image, &buffer, &length, "strip", TRUE, "Q", 80, nullptr) == 0) {
        out.preview.assign(static_cast<const char*>(buffer), length);
        out.preview_type = "image/webp";
      }
      g_free(buffer);
    }
  }
  vips_error_clear();
  return out;
}

core::Result<ImageSet> processImage(std::string_view bytes, const std::vector<int>& sizes, std::string_view field) {
  ImageSet out;
  out.content_type = detectType(bytes);
  if (!isPipelineImage(out.content_type))
    return imageError(field, "IMAGE_INVALID", "Use a PNG, JPEG, GIF or WebP image.");
  Image image = load(bytes, out.content_type, true);
  if (!image) return undecodable(field);
  const Header header = headerOf(image.image);
  if (tooLarge(header)) return tooManyPixels(field);
  if (static_cast<std::uint64_t>(header.width) * header.height * header.frames > kMaxImagePixels) {
    image = load(bytes, out.content_type, false);
    if (!image) return undecodable(field);
  }
  image = upright(std::move(image), out.content_type);
  if (!image) return undecodable(field);
  out.full = save(image.image, out.content_type);
  if (out.full.empty()) return undecodable(field);
  out.width = vips_image_get_width(image.image);
  out.height = vips_image_get_page_height(image.image);
  for (const int side : sizes) {
    if (side >= std::max(out.width, out.height)) continue;
    // Variants are still images: an animation's first frame, re-encoded as PNG for GIFs.
    Image variant = shrunk(out.full, side);
    if (!variant) return undecodable(field);
    std::string encoded = save(variant.image, out.content_type == "image/gif" ? "image/png" : out.content_type);
    if (encoded.empty()) return undecodable(field);
    out.variants.emplace_back(side, std::move(encoded));
  }
  vips_error_clear();
  return out;
}

struct MediaPool::Pool {
  explicit Pool(std::size_t threads) : pool(threads) {}
  asio::thread_pool pool;
};

MediaPool::MediaPool(std::size_t threads, std::size_t max_waiting)
    : pool_(std::make_unique<Pool>(threads)), max_in_flight_(threads + max_waiting) {}

MediaPool::~MediaPool() { pool_->pool.join(); }

asio::awaitable<core::Result<StoredFile>> MediaPool::ingest(std::string_view bytes, std::string field,
                                                            Storage& storage) {
  const Slot slot{in_flight_, max_in_flight_};
  if (!slot.taken()) co_return busy();
  co_return co_await asio::co_spawn(
      pool_->pool,
      [bytes, &field, &storage]() -> asio::awaitable<core::Result<StoredFile>> {
        auto processed = processUpload(bytes, field);
        if (!processed) co_return std::unexpected(processed.error());
        StoredFile stored;
        auto hash = storage.put(processed->bytes);
        if (!hash) co_return std::unexpected(hash.error());
        stored.hash = std::move(*hash);
        stored.size = processed->bytes.size();
        stored.content_type = std::move(processed->content_type);
        stored.width = processed->width;
        stored.height = processed->height;
        if (!processed->preview.empty()) {
          auto preview = storage.put(processed->preview);
          if (!preview) co_return std::unexpected(preview.error());
          stored.preview_hash = std::move(*preview);
          stored.preview_type = std::move(processed->preview_type);
        }
        co_return stored;
      },
      asio::use_awaitable);
}

asio::awaitable<core::Result<ImageSet>> MediaPool::image(std::string_view bytes, std::vector<int> sizes,
                                                         std::string field) {
  const Slot slot{in_flight_, max_in_flight_};
  if (!slot.taken()) co_return busy();
  co_return co_await asio::co_spawn(
      pool_->pool,
      [bytes, &sizes, &field]() -> asio::awaitable<core::Result<ImageSet>> {
        co_return processImage(bytes, sizes, field);
      },
      asio::use_awaitable);
}

} // namespace hearth::files
