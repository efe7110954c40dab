#pragma once
// Stored images (avatars, server icons, group DM icons): checked from their bytes, decoded and
// re-encoded without metadata by the files pipeline (libvips, off the I/O threads), kept by
// content hash with resized variants.
#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "core/error.hpp"

namespace hearth::domain {

struct ImageLimits {
  std::size_t max_bytes = 8 * 1024 * 1024;
  std::uint32_t max_side = 4096; //!< pixels, each way
};

//! The longer sides of the stored variants (`<hash>_<side>`), smallest first. Served for
//! Discord's `?size=` (a power of two 16-4096) as the smallest variant at least that large.
inline constexpr std::array<int, 2> kImageVariants{128, 512};

//! Checks `bytes` is a PNG, JPEG, GIF or WebP within `limits`, re-encodes it without metadata
//! and writes it as `<dir>/<hash>` (first 32 hex digits of the upload's SHA-256) with its
//! variants `<dir>/<hash>_<side>` for each kImageVariants side smaller than the image, each
//! atomically. Returns the hash; field errors name `field`. The decoding runs on a small pool of
//! its own (one thread, a bounded queue).
boost::asio::awaitable<core::Result<std::string>> storeImage(std::filesystem::path dir, std::string bytes,
                                                             ImageLimits limits, std::string field);

//! Whether `hash` has the shape storeImage gives (so it can be used in a path).
bool isImageHash(std::string_view hash) noexcept;

//! The file to serve for `?size=` (`requested`, 0: none): the smallest stored variant at least
//! that large, else the full image.
std::filesystem::path imageVariantPath(const std::filesystem::path& full, int requested);

} // namespace hearth::domain
