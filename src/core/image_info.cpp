#include "core/image_info.hpp"

namespace hearth::core {

namespace {

std::uint32_t byteAt(std::string_view bytes, std::size_t at) { return static_cast<unsigned char>(bytes[at]); }
std::uint32_t be16(std::string_view b, std::size_t at) { return (byteAt(b, at) << 8) | byteAt(b, at + 1); }
std::uint32_t le16(std::string_view b, std::size_t at) { return byteAt(b, at) | (byteAt(b, at + 1) << 8); }
std::uint32_t be32(std::string_view b, std::size_t at) { return (be16(b, at) << 16) | be16(b, at + 2); }
std::uint32_t le24(std::string_view b, std::size_t at) { return le16(b, at) | (byteAt(b, at + 2) << 16); }

std::optional<ImageInfo> sized(std::string_view type, std::uint32_t width, std::uint32_t height) {
  if (width == 0 || height == 0) return std::nullopt;
  return ImageInfo{type, width, height};
}

std::optional<ImageInfo> png(std::string_view b) {
  // Signature, then the IHDR chunk first: length 13, "IHDR", width, height.
  if (b.size() < 24 || b.substr(0, 8) != "\x89PNG\r\n\x1a\n" || b.substr(12, 4) != "IHDR") return std::nullopt;
  return sized("image/png", be32(b, 16), be32(b, 20));
}

std::optional<ImageInfo> gif(std::string_view b) {
  if (b.size() < 10 || (b.substr(0, 6) != "GIF87a" && b.substr(0, 6) != "GIF89a")) return std::nullopt;
  return sized("image/gif", le16(b, 6), le16(b, 8));
}

std::optional<ImageInfo> jpeg(std::string_view b) {
  if (b.size() < 4 || byteAt(b, 0) != 0xFF || byteAt(b, 1) != 0xD8) return std::nullopt;
  std::size_t at = 2;
  // Walk the marker segments to the first start-of-frame, which holds the size.
  while (at + 4 <= b.size()) {
    if (byteAt(b, at) != 0xFF) return std::nullopt;
    const std::uint32_t marker = byteAt(b, at + 1);
    if (marker == 0xFF) { // fill byte
      ++at;
      continue;
    }
    if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) { // no length
      at += 2;
      continue;
    }
    if (marker == 0xD9 || marker == 0xDA) return std::nullopt; // end, or scan data before a frame
    const std::uint32_t length = be16(b, at + 2);
    if (length < 2) return std::nullopt;
    const bool start_of_frame = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    if (start_of_frame) {
      if (at + 9 > b.size() || length < 7) return std::nullopt;
      return sized("image/jpeg", be16(b, at + 7), be16(b, at + 5));
    }
    at += 2 + length;
  }
  return std::nullopt;
}

std::optional<ImageInfo> webp(std::string_view b) {
  if (b.size() < 30 || b.substr(0, 4) != "RIFF" || b.substr(8, 4) != "WEBP") return std::nullopt;
  const std::string_view chunk = b.substr(12, 4);
  if (chunk == "VP8 ") {
    // Key frame start code 9d 01 2a, then 14-bit width and height.
    if (byteAt(b, 23) != 0x9D || byteAt(b, 24) != 0x01 || byteAt(b, 25) != 0x2A) return std::nullopt;
    return sized("image/webp", le16(b, 26) & 0x3FFF, le16(b, 28) & 0x3FFF);
  }
  if (chunk == "VP8L") {
    if (byteAt(b, 20) != 0x2F) return std::nullopt;
    const std::uint32_t bits = byteAt(b, 21) | (byteAt(b, 22) << 8) | (byteAt(b, 23) << 16) | (byteAt(b, 24) << 24);
    return sized("image/webp", (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1);
  }
  if (chunk == "VP8X") return sized("image/webp", le24(b, 24) + 1, le24(b, 27) + 1);
  return std::nullopt;
}

} // namespace

std::optional<ImageInfo> sniffImage(std::string_view bytes) noexcept {
  if (auto info = png(bytes)) return info;
  if (auto info = jpeg(bytes)) return info;
  if (auto info = gif(bytes)) return info;
  return webp(bytes);
}

} // namespace hearth::core
