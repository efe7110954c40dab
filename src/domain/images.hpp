#pragma once
// Stored images (avatars, server icons): checked from their bytes, kept by content hash.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace hearth::domain {

struct ImageLimits {
  std::size_t max_bytes = 8 * 1024 * 1024;
  std::uint32_t max_side = 4096; //!< pixels, each way
};

//! Checks `bytes` is a PNG, JPEG, GIF or WebP within `limits` and writes it as
//! `<dir>/<hash>` (first 32 hex digits of its SHA-256), atomically. Returns the hash; field
//! errors name `field`.
core::Result<std::string> storeImage(const std::filesystem::path& dir, const std::string& bytes,
                                     const ImageLimits& limits, std::string_view field);

//! Whether `hash` has the shape storeImage gives (so it can be used in a path).
bool isImageHash(std::string_view hash) noexcept;

} // namespace hearth::domain
