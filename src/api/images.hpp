#pragma once
// Images over HTTP: `data:image/...;base64,` request fields and serving stored image files
// (avatars, server icons) with their real type and immutable caching.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "net/http.hpp"

namespace hearth::api {

//! The bytes of a `data:image/<type>;base64,<data>` URI; nullopt for anything else. The type
//! in the URI is ignored: storage checks the bytes.
std::optional<std::string> decodeImageDataUri(std::string_view uri);

//! 200 with the file at `path` when it is a recognised image, else 404 `not_found_message`.
//! `?size=` (a power of two, 16-4096) picks the smallest stored variant at least that large.
net::Response imageFileResponse(const net::Request& request, const std::filesystem::path& path,
                                std::string_view not_found_message);

} // namespace hearth::api
