#pragma once
// Recognises an image from its bytes (never from a client's claim): PNG, JPEG, GIF or WebP, with
// its pixel size read from the header. Nothing is decoded; this only gates what is stored.
#include <cstdint>
#include <optional>
#include <string_view>

namespace hearth::core {

struct ImageInfo {
  std::string_view content_type; //!< "image/png", "image/jpeg", "image/gif" or "image/webp"
  std::uint32_t width = 0;
  std::uint32_t height = 0;
};

//! The image type and size, or nullopt for anything else (or a header that doesn't hold together).
std::optional<ImageInfo> sniffImage(std::string_view bytes) noexcept;

} // namespace hearth::core
