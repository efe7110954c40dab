// WebSocket frames from clients: any bytes, cut anywhere, give the same events as when they
// arrive whole; messages respect the size limit, text is UTF-8, errors carry a close code.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "net/ws_frame.hpp"

namespace {

using hearth::net::ws::Event;
using hearth::net::ws::FrameParser;

constexpr std::size_t kMaxMessage = 4096;

std::vector<Event> run(std::string_view bytes, std::size_t piece) {
  FrameParser parser(kMaxMessage);
  std::vector<Event> events;
  std::size_t at = 0;
  while (at < bytes.size()) {
    const std::string_view chunk = bytes.substr(at, piece);
    std::size_t used = 0;
    while (used < chunk.size()) {
      Event event;
      const std::size_t step = parser.parse(chunk.substr(used), event);
      if (step > chunk.size() - used) __builtin_trap();
      used += step;
      if (event.kind != Event::Kind::kNone) events.push_back(std::move(event));
      if (parser.done()) {
        Event after;
        if (parser.parse(chunk.substr(used), after) != 0 || after.kind != Event::Kind::kNone) __builtin_trap();
        return events;
      }
      if (step == 0) break;
    }
    at += piece;
  }
  return events;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t piece = 1 + data[0] % 16;
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  const auto whole = run(bytes, bytes.size() + 1);
  const auto cut = run(bytes, piece);
  if (whole.size() != cut.size()) __builtin_trap();
  for (std::size_t i = 0; i < whole.size(); ++i) {
    const Event& event = whole[i];
    if (event.kind != cut[i].kind || event.code != cut[i].code || event.payload != cut[i].payload ||
        event.binary != cut[i].binary) {
      __builtin_trap();
    }
    switch (event.kind) {
    case Event::Kind::kMessage:
      if (event.payload.size() > kMaxMessage) __builtin_trap();
      if (!event.binary && !hearth::net::ws::validUtf8(event.payload)) __builtin_trap();
      break;
    case Event::Kind::kPing:
    case Event::Kind::kPong:
      if (event.payload.size() > hearth::net::ws::kMaxControlPayload) __builtin_trap();
      break;
    case Event::Kind::kError:
      if (event.code != 1002 && event.code != 1007 && event.code != 1009) __builtin_trap();
      break;
    default: break;
    }
  }
  return 0;
}
