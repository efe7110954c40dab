#pragma once
// multipart/form-data bodies (RFC 7578), as Discord's uploads send them: a `payload_json` part
// and `files[n]` parts. The parser works on the whole body already read and never copies file
// bytes: parts are views into it. It never throws; malformed input is an error.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace hearth::net {

struct MultipartPart {
  std::string name; //!< Content-Disposition's `name`
  std::optional<std::string> filename; //!< `filename*` (RFC 5987, UTF-8) when given, else `filename`
  std::string content_type; //!< as the client claims it (never trusted for files); may be empty
  std::string_view data; //!< a view into the body given to parseMultipart
};

struct MultipartLimits {
  std::size_t max_parts = 32;
  std::size_t max_header_bytes = 8 * 1024; //!< of one part's header block
};

//! The boundary of a `multipart/form-data; boundary=...` Content-Type (quoted or not), or nullopt
//! when the type is another or the boundary is missing or invalid (RFC 2046: 1-70 characters).
std::optional<std::string> multipartBoundary(std::string_view content_type);

//! Splits `body` into its parts. Errors (kMalformedRequest): no opening or closing delimiter,
//! a part without a form-data Content-Disposition or name, more than `limits.max_parts` parts, a
//! header block too large. Two parts may share a name: callers decide.
core::Result<std::vector<MultipartPart>> parseMultipart(std::string_view boundary, std::string_view body,
                                                        const MultipartLimits& limits = {});

//! A header's parameters: `form-data; name="a\"b"; filename*=UTF-8''%C3%A9` → value "form-data",
//! params {name: a"b, filename*: ...} (quoted strings unescaped; names lower-cased).
struct HeaderParams {
  std::string value;
  std::vector<std::pair<std::string, std::string>> params;
  const std::string* get(std::string_view name) const noexcept;
};
std::optional<HeaderParams> parseHeaderParams(std::string_view header);

} // namespace hearth::net
