// Uploaded images (avatars): any bytes are recognised or refused without reading out of bounds,
// and a recognised image always has a non-zero size and a known type.
#include <cstddef>
#include <cstdint>

#include "core/image_info.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto info = hearth::core::sniffImage({reinterpret_cast<const char*>(data), size});
  if (info && (info->width == 0 || info->height == 0 || !info->content_type.starts_with("image/"))) __builtin_trap();
  return 0;
}
