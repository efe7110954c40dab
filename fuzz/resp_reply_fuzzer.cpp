// Replies from a Redis server: any bytes, split anywhere, give replies, "need more" or an error,
// never a crash; the same bytes fed whole or in two pieces give the same replies and errors.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "redis/resp.hpp"

namespace {

// Small limits, so the fuzzer reaches them.
hearth::redis::ParserLimits limits() {
  hearth::redis::ParserLimits out;
  out.max_bulk_bytes = 4096;
  out.max_depth = 6;
  out.max_elements = 64;
  out.max_line_bytes = 256;
  return out;
}

// Appends every reply, rendered, and then the error if parsing failed; returns whether it failed.
bool drain(hearth::redis::ReplyParser& parser, std::vector<std::string>& out) {
  for (;;) {
    auto next = parser.next();
    if (!next) {
      out.push_back("error: " + next.error().message);
      return true;
    }
    if (!*next) return false;
    out.push_back("reply: " + (*next)->describe());
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> whole;
  hearth::redis::ReplyParser one(limits());
  one.feed(bytes);
  drain(one, whole);

  // Split at a point taken from the input itself.
  const std::size_t split = size == 0 ? 0 : data[0] % (size + 1);
  std::vector<std::string> pieces;
  hearth::redis::ReplyParser two(limits());
  two.feed(bytes.substr(0, split));
  if (!drain(two, pieces)) {
    two.feed(bytes.substr(split));
    drain(two, pieces);
  }
  if (whole != pieces) __builtin_trap();
  return 0;
}
