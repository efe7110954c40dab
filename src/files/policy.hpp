#pragma once
// Pure rules for serving files: file names, which types may render inline, Content-Disposition,
// and Range headers. No I/O.
#include <cstdint>
#include <string>
#include <string_view>

namespace hearth::files {

inline constexpr std::size_t kMaxFilenameBytes = 255;

//! A file name safe to store, show and put in a header: the last path segment (after '/' or
//! '\\'), without control characters, quotes, backslashes or leading dots, invalid UTF-8
//! replaced, at most kMaxFilenameBytes bytes (cut on a character boundary); "file" when nothing
//! is left. UTF-8 letters are kept.
std::string sanitizeFilename(std::string_view name);

//! Whether a stored type may be shown by the browser (inline): PNG, JPEG, GIF and WebP images
//! (never SVG), audio and video.
bool isInlineType(std::string_view content_type) noexcept;
//! Whether the type is an image the pipeline decodes and re-encodes (png, jpeg, gif, webp).
bool isPipelineImage(std::string_view content_type) noexcept;

//! The Content-Disposition value: `inline` for isInlineType, else `attachment` with the name as
//! `filename*=UTF-8''...` (and an ASCII `filename="..."` fallback).
std::string contentDisposition(std::string_view content_type, std::string_view filename);

//! One byte range of a file of `size` bytes, both ends included.
struct ByteRange {
  enum class Kind {
    kWhole, //!< no Range, one we ignore (several ranges, another unit, bad syntax): send it all
    kPartial, //!< 206 with [first, last]
    kUnsatisfiable, //!< 416
  } kind = Kind::kWhole;
  std::uint64_t first = 0;
  std::uint64_t last = 0;
};

//! Parses a Range header (RFC 9110 §14.1.2) against the file's size: `bytes=a-b`, `bytes=a-`,
//! `bytes=-n`. A syntactically broken header is ignored, as the RFC allows.
ByteRange parseRange(std::string_view header, std::uint64_t size) noexcept;

} // namespace hearth::files
