#include "api/attachment_routes.hpp"

#include "api/auth_routes.hpp"
#include "core/snowflake.hpp"
#include "domain/messages.hpp"
#include "files/policy.hpp"
#include "files/storage.hpp"
#include "store/pg.hpp"

namespace hearth::api {

namespace asio = boost::asio;
using net::Method;
using net::Request;
using net::Response;

namespace {

// No script ever runs in a served file, even one opened directly: `sandbox` without
// allow-scripts gives it an opaque origin. img-src/media-src 'self' and inline styles let the
// browser's own image and video viewers show a file opened in a tab.
constexpr std::string_view kFileCsp =
    "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; sandbox";
// Private: a shared cache must not hand one user's file to another. An attachment's bytes never
// change, but access can be lost at any moment (a kick, a hidden channel), so a browser asks again
// before every use (no-cache): the access check runs each time, and a file it still has costs a
// 304 by its ETag.
constexpr std::string_view kFileCacheControl = "private, no-cache";

bool etagMatches(std::string_view header, std::string_view etag) {
  if (header == "*") return true;
  while (!header.empty()) {
    const auto comma = header.find(',');
    std::string_view item = header.substr(0, comma);
    while (!item.empty() && item.front() == ' ')
      item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ')
      item.remove_suffix(1);
    if (item.starts_with("W/")) item.remove_prefix(2);
    if (item == etag) return true;
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  return false;
}

} // namespace

FileAnswer answerFor(const Request& request, std::string_view hash, std::uint64_t size, Response& response) {
  const std::string etag = "\"" + std::string(hash) + "\"";
  response.headers.add("ETag", etag);
  response.headers.add("Accept-Ranges", "bytes");
  FileAnswer answer;
  answer.length = size;
  if (const auto none_match = request.headers.get("If-None-Match");
      !none_match.empty() && etagMatches(none_match, etag)) {
    answer.status = 304;
    answer.length = 0;
    return answer;
  }
  const auto range_header = request.headers.get("Range");
  const auto if_range = request.headers.get("If-Range");
  if (range_header.empty() || (!if_range.empty() && if_range != etag)) return answer;
  const files::ByteRange range = files::parseRange(range_header, size);
  switch (range.kind) {
  case files::ByteRange::Kind::kWhole: return answer;
  case files::ByteRange::Kind::kUnsatisfiable:
    answer.status = 416;
    answer.length = 0;
    response.headers.add("Content-Range", "bytes */" + std::to_string(size));
    return answer;
  case files::ByteRange::Kind::kPartial:
    answer.status = 206;
    answer.first = range.first;
    answer.length = range.last - range.first + 1;
    response.headers.add("Content-Range", "bytes " + std::to_string(range.first) + "-" + std::to_string(range.last) +
                                              "/" + std::to_string(size));
    return answer;
  }
  return answer;
}

void addAttachmentRoutes(net::Router& router, AttachmentDeps deps) {
  router.add(Method::kGet, "/api/v1/attachments/{channel_id}/{attachment_id}/{filename}",
             [deps](Request& request) -> asio::awaitable<Response> {
               // <img src> and downloads carry the cookie; API clients may send the header instead.
               if (!request.headers.has("Authorization")) {
                 const std::string token = request.cookie(kMediaCookie);
                 if (!token.empty()) request.headers.set("Authorization", "Bearer " + token);
               }
               auto actor = co_await actorInChannel(deps, request);
               if (!actor) co_return net::errorResponse(actor.error());
               const auto attachment_id = core::parseSnowflake(request.param("attachment_id"));
               if (!attachment_id) co_return net::errorResponse(core::ErrorCode::kNotFound, "Unknown Attachment");
               auto& pool = *deps.pools.at(request.worker);
               auto found = co_await deps.messages->attachment(pool, actor->context, actor->channel, *attachment_id);
               if (!found) co_return net::errorResponse(found.error());
               const bool preview = request.queryParam("preview") == "1" && !found->preview_sha256.empty();
               const std::string& hash = preview ? found->preview_sha256 : found->sha256;
               const std::string& type = preview ? found->preview_type : found->attachment.content_type;
               const auto size = deps.storage->size(hash);
               if (!size) co_return net::errorResponse(core::ErrorCode::kNotFound, "Unknown Attachment");
               Response response;
               const FileAnswer answer = answerFor(request, hash, *size, response);
               response.status = answer.status;
               response.headers.add("Content-Security-Policy", std::string(kFileCsp));
               response.headers.add("Cache-Control", std::string(kFileCacheControl));
               if (answer.status == 416) {
                 response.headers.add("Content-Type", "application/json");
                 response.body = R"({"code":90012,"message":"Range Not Satisfiable"})";
                 co_return response;
               }
               response.headers.add("Content-Type", type);
               response.headers.add("Content-Disposition", files::contentDisposition(type, found->attachment.filename));
               if (answer.status == 304) co_return response;
               if (auto path = deps.storage->localPath(hash)) {
                 response.file_body =
                     std::make_shared<const net::FileBody>(net::FileBody{path->string(), answer.first, answer.length});
               } else {
                 auto bytes = deps.storage->read(hash, answer.first, answer.length);
                 if (!bytes) co_return net::errorResponse(bytes.error());
                 response.body = std::move(*bytes);
               }
               co_return response;
             });
}

} // namespace hearth::api
