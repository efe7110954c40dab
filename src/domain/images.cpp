#include "domain/images.hpp"

#include <fstream>

#include "auth/tokens.hpp"
#include "core/image_info.hpp"
#include "domain/internal.hpp"

namespace hearth::domain {

core::Result<std::string> storeImage(const std::filesystem::path& dir, const std::string& bytes,
                                     const ImageLimits& limits, std::string_view field) {
  if (bytes.size() > limits.max_bytes) {
    return detail::fieldError(std::string(field), "FILE_TOO_LARGE",
                              "Images must be " + std::to_string(limits.max_bytes / (1024 * 1024)) +
                                  " MiB or smaller.");
  }
  const auto image = core::sniffImage(bytes);
  if (!image) return detail::fieldError(std::string(field), "IMAGE_INVALID", "Use a PNG, JPEG, GIF or WebP image.");
  if (image->width > limits.max_side || image->height > limits.max_side) {
    return detail::fieldError(std::string(field), "IMAGE_TOO_LARGE",
                              "Images must be at most " + std::to_string(limits.max_side) + " pixels each way.");
  }
  const std::string hash = auth::tokenHash(bytes).substr(0, 32);
  const auto path = dir / hash;
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  const auto partial = path.string() + ".partial";
  {
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out.flush()) return core::fail(core::ErrorCode::kGeneral, "Could not store the image");
  }
  std::filesystem::rename(partial, path, error);
  if (error) return core::fail(core::ErrorCode::kGeneral, "Could not store the image");
  return hash;
}

bool isImageHash(std::string_view hash) noexcept {
  return hash.size() == 32 && hash.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

} // namespace hearth::domain
