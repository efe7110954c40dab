#include "api/images.hpp"

#include <fstream>
#include <iterator>

#include "auth/tokens.hpp"
#include "core/image_info.hpp"
#include "domain/images.hpp"

namespace hearth::api {

std::optional<std::string> decodeImageDataUri(std::string_view uri) {
  const auto comma = uri.find(',');
  if (!uri.starts_with("data:image/") || comma == std::string_view::npos) return std::nullopt;
  if (!uri.substr(0, comma).ends_with(";base64")) return std::nullopt;
  // Standard base64 with padding, decoded as base64url.
  std::string text(uri.substr(comma + 1));
  while (!text.empty() && text.back() == '=')
    text.pop_back();
  for (char& c : text) {
    if (c == '+')
      c = '-';
    else if (c == '/')
      c = '_';
  }
  std::string bytes;
  if (!auth::base64UrlDecode(text, bytes) || bytes.empty()) return std::nullopt;
  return bytes;
}

net::Response imageFileResponse(const net::Request& request, const std::filesystem::path& path,
                                std::string_view not_found_message) {
  int size = 0;
  if (const std::string text = request.queryParam("size"); !text.empty()) {
    size = text.size() <= 4 && text.find_first_not_of("0123456789") == std::string::npos ? std::stoi(text) : 0;
    if (size < 16 || size > 4096 || (size & (size - 1)) != 0) {
      return net::errorResponse(core::ErrorCode::kInvalidFormBody, "size must be a power of two from 16 to 4096");
    }
  }
  std::ifstream in(domain::imageVariantPath(path, size), std::ios::binary);
  if (!in) return net::errorResponse(core::ErrorCode::kNotFound, std::string(not_found_message));
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto image = core::sniffImage(bytes);
  if (!image) return net::errorResponse(core::ErrorCode::kNotFound, std::string(not_found_message));
  net::Response response;
  response.status = 200;
  response.headers.add("Content-Type", std::string(image->content_type));
  // The name is the content's hash: it never changes.
  response.headers.add("Cache-Control", "public, max-age=31536000, immutable");
  response.body = std::move(bytes);
  return response;
}

} // namespace hearth::api
