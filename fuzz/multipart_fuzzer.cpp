// multipart/form-data bodies, the header parameters inside them, and the pure file rules that
// see untrusted text: Range headers and file names. The first byte picks the boundary's length
// (taken from the input's next bytes); the rest is the body.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "files/policy.hpp"
#include "net/multipart.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::size_t boundary_length = std::min<std::size_t>(data[0] % 16, input.size());
  const std::string_view boundary = input.substr(0, boundary_length);
  const std::string_view body = input.substr(boundary_length);

  hearth::net::MultipartLimits limits;
  limits.max_parts = 12;
  limits.max_header_bytes = 512;
  const auto parts = hearth::net::parseMultipart(boundary, body, limits);
  if (parts) {
    for (const auto& part : *parts) {
      // Every part is a view inside the body.
      if (part.data.data() < body.data() || part.data.data() + part.data.size() > body.data() + body.size()) {
        __builtin_trap();
      }
      const std::string name = hearth::files::sanitizeFilename(part.filename.value_or(part.name));
      if (name.empty() || name.size() > hearth::files::kMaxFilenameBytes) __builtin_trap();
      if (name.front() == '.' || name.find('/') != std::string::npos) __builtin_trap();
    }
  } else if (parts.error().message.empty()) {
    __builtin_trap();
  }
  (void)hearth::net::multipartBoundary(body);
  (void)hearth::net::parseHeaderParams(body);

  const std::uint64_t file_size = size * 7;
  const auto range = hearth::files::parseRange(body, file_size);
  if (range.kind == hearth::files::ByteRange::Kind::kPartial && (range.first > range.last || range.last >= file_size)) {
    __builtin_trap();
  }
  return 0;
}
