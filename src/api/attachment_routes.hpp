#pragma once
// Serving attachments: GET /api/v1/attachments/{channel_id}/{attachment_id}/{filename}. The
// caller's session is checked at every fetch (the `hearth_media` cookie or a bearer token), and
// their access to the channel's history, so a stranger or a member who lost access is refused.
// Headers: the stored type, inline only for safe media, nosniff, a sandboxing CSP, ETag, ranges.
// docs/files.md describes the rules.
#include "api/route_support.hpp"
#include "net/router.hpp"

namespace hearth::domain {
class Messages;
}
namespace hearth::files {
class Storage;
}

namespace hearth::api {

struct AttachmentDeps : ServerRouteDeps {
  domain::Messages* messages = nullptr;
  files::Storage* storage = nullptr;
};

void addAttachmentRoutes(net::Router& router, AttachmentDeps deps);

//! The answer for `size` bytes of `hash` given the request's Range, If-Range and If-None-Match:
//! 200, 206, 304 or 416, with ETag, Accept-Ranges and Content-Range. The body is left to the
//! caller (set for 200/206 over [first, first + length)). Pure, for tests.
struct FileAnswer {
  int status = 200;
  std::uint64_t first = 0;
  std::uint64_t length = 0;
};
FileAnswer answerFor(const net::Request& request, std::string_view hash, std::uint64_t size, net::Response& response);

} // namespace hearth::api
