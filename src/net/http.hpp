#pragma once
// Plain HTTP request/response types. No Beast here: only net/http_server.cpp and
// net/http_parse.cpp see Beast, so routes and handlers compile quickly.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.hpp"

namespace hearth::net {

enum class Method : std::uint8_t { kGet, kHead, kPost, kPut, kPatch, kDelete, kOptions, kOther };

std::string_view methodName(Method method) noexcept;
Method parseMethod(std::string_view name) noexcept;

//! Case-insensitive ASCII comparison, as header names need.
bool equalsIgnoreCase(std::string_view a, std::string_view b) noexcept;

//! Header fields in arrival order; lookups ignore case.
class Headers {
public:
  void add(std::string name, std::string value) { fields_.emplace_back(std::move(name), std::move(value)); }
  //! Replaces every field of that name with one.
  void set(std::string_view name, std::string value);
  //! The first value of `name`, or empty.
  std::string_view get(std::string_view name) const noexcept;
  bool has(std::string_view name) const noexcept;
  const std::vector<std::pair<std::string, std::string>>& fields() const noexcept { return fields_; }

private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

struct Request {
  Method method = Method::kGet;
  std::string target; //!< as sent: path and query
  std::string path; //!< target before '?', percent-encoding kept
  std::string query; //!< after '?', without it
  Headers headers;
  std::string body;
  std::string remote_address;
  bool keep_alive = true;
  std::size_t worker = 0; //!< index of the io_context thread serving it (selects per-thread resources)
  std::vector<std::pair<std::string, std::string>> params; //!< path parameters filled by the router

  //! A path parameter by name, or empty.
  std::string_view param(std::string_view name) const noexcept;
  //! A query parameter by name (first occurrence, percent-decoded), or empty.
  std::string queryParam(std::string_view name) const;
  //! Every occurrence of a repeatable query parameter (`?author_id=1&author_id=2`), in order.
  std::vector<std::string> queryParams(std::string_view name) const;
  //! A cookie's value from the `Cookie` header by name, or empty.
  std::string cookie(std::string_view name) const;
};

//! A response body read from a file as it is sent, in chunks (attachments): never whole in memory.
struct FileBody {
  std::string path;
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
};

struct Response {
  int status = 200;
  Headers headers;
  std::string body;
  //! When set, sent instead of `body` without copying (static files shared by all requests).
  std::shared_ptr<const std::string> shared_body;
  //! When set, the body is this part of a file, streamed by the server.
  std::shared_ptr<const FileBody> file_body;

  std::size_t bodySize() const noexcept {
    if (file_body) return static_cast<std::size_t>(file_body->length);
    return shared_body ? shared_body->size() : body.size();
  }
};

//! Appends the status line and header block of `response` (with Date, Server, the security
//! headers, Content-Length, and Connection: close when `keep_alive` is false) to `out`, and the
//! body too unless it is shared (sent by the caller as a second buffer) or must be omitted
//! (HEAD, 304). Reuse `out` across requests to avoid allocations.
//! A response with its own Content-Security-Policy (attachments) replaces the web client's.
//! Returns whether the caller must still send `response.shared_body` or `response.file_body`.
bool serializeResponse(const Request& request, const Response& response, bool keep_alive, std::string_view http_date,
                       std::string& out);

//! The reason phrase for a status code ("Not Found"); "Unknown" for codes it does not know.
std::string_view reasonPhrase(int status) noexcept;

//! A JSON response; `json` must already be serialized.
Response jsonResponse(int status, std::string json);
//! The error body every failure uses: `{"code": <int>, "message": "..."}` with the mapped status.
Response errorResponse(const core::Error& error);
Response errorResponse(core::ErrorCode code, std::string message);
//! Escapes text for a JSON string literal (without the quotes).
std::string jsonEscape(std::string_view text);
//! Decodes %XX (and "+" as a space when `plus_is_space`) into `out`; false on a broken escape.
bool percentDecode(std::string_view in, std::string& out, bool plus_is_space);

} // namespace hearth::net
