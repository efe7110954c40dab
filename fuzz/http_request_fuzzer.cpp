// HTTP/1.1 request parsing with Hearth's limits: any bytes give a Request or an Error.
#include <cstddef>
#include <cstdint>

#include "net/http_parse.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  hearth::net::HttpLimits limits;
  limits.header_bytes = 4096;
  limits.body_bytes = 4096;
  const auto request = hearth::net::parseRequest({reinterpret_cast<const char*>(data), size}, limits);
  if (request) {
    // Exercise what handlers do with a parsed request.
    (void)request->queryParam("limit");
    (void)request->headers.get("content-type");
    std::string decoded;
    (void)hearth::net::percentDecode(request->path, decoded, false);
  } else if (request.error().message.empty()) {
    __builtin_trap(); // every error must explain itself
  }
  return 0;
}
