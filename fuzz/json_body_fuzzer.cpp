// JSON request bodies: Content-Type check and parsing with the depth limit.
#include <cstddef>
#include <cstdint>
#include <string>

#include "net/json_body.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static const char* const kTypes[] = {"application/json", "application/json; charset=utf-8", "text/plain",
                                       "application/json; charset=latin1"};
  hearth::net::Request request;
  request.method = hearth::net::Method::kPost;
  request.headers.add("Content-Type", kTypes[data[0] % 4]);
  request.body.assign(reinterpret_cast<const char*>(data) + 1, size - 1);
  const auto object = hearth::net::parseJsonBody(request);
  if (!object && object.error().message.empty()) __builtin_trap();
  return 0;
}
