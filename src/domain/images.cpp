#include "domain/images.hpp"

#include <fstream>
#include <vector>

#include "auth/tokens.hpp"
#include "core/image_info.hpp"
#include "domain/internal.hpp"
#include "files/media.hpp"

namespace hearth::domain {

namespace asio = boost::asio;

namespace {

// Avatars and icons are small and rare next to attachments: one thread of their own suffices,
// and keeps them from queueing behind large uploads.
files::MediaPool& imagePool() {
  static files::MediaPool pool(1, 64);
  return pool;
}

bool writeAtomically(const std::filesystem::path& path, const std::string& bytes) {
  const auto partial = path.string() + ".partial";
  {
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out.flush()) return false;
  }
  std::error_code error;
  std::filesystem::rename(partial, path, error);
  return !error;
}

} // namespace

asio::awaitable<core::Result<std::string>> storeImage(std::filesystem::path dir, std::string bytes, ImageLimits limits,
                                                      std::string field) {
  if (bytes.size() > limits.max_bytes) {
    co_return detail::fieldError(field, "FILE_TOO_LARGE",
                                 "Images must be " + std::to_string(limits.max_bytes / (1024 * 1024)) +
                                     " MiB or smaller.");
  }
  const auto image = core::sniffImage(bytes);
  if (!image) co_return detail::fieldError(field, "IMAGE_INVALID", "Use a PNG, JPEG, GIF or WebP image.");
  if (image->width > limits.max_side || image->height > limits.max_side) {
    co_return detail::fieldError(field, "IMAGE_TOO_LARGE",
                                 "Images must be at most " + std::to_string(limits.max_side) + " pixels each way.");
  }
  std::vector<int> sizes(kImageVariants.begin(), kImageVariants.end());
  auto processed = co_await imagePool().image(bytes, std::move(sizes), field);
  if (!processed) co_return std::unexpected(processed.error());
  const std::string hash = auth::tokenHash(bytes).substr(0, 32);
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  // Variants first: once the full image exists the hash may be served, variants included.
  for (const auto& [side, variant] : processed->variants) {
    if (!writeAtomically(dir / (hash + "_" + std::to_string(side)), variant)) {
      co_return core::fail(core::ErrorCode::kGeneral, "Could not store the image");
    }
  }
  if (!writeAtomically(dir / hash, processed->full)) {
    co_return core::fail(core::ErrorCode::kGeneral, "Could not store the image");
  }
  co_return hash;
}

bool isImageHash(std::string_view hash) noexcept {
  return hash.size() == 32 && hash.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

std::filesystem::path imageVariantPath(const std::filesystem::path& full, int requested) {
  if (requested <= 0) return full;
  for (const int side : kImageVariants) {
    if (side < requested) continue;
    std::filesystem::path variant = full;
    variant += "_" + std::to_string(side);
    std::error_code error;
    if (std::filesystem::exists(variant, error)) return variant;
    break; // no variant this large: the image itself is smaller than `side`
  }
  return full;
}

} // namespace hearth::domain
