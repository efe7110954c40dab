// Messages other nodes publish on the Redis bus: any bytes give an event (or ended sessions, or
// a presence entry) or an error, never a crash; what decodes encodes back to something that decodes the same.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "bus/event_codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto event = hearth::bus::decodeEvent(text)) {
    const auto encoded = hearth::bus::encodeEvent(*event);
    auto again = hearth::bus::decodeEvent(encoded);
    if (!again || hearth::bus::encodeEvent(*again) != encoded) __builtin_trap();
    if (again->data != event->data || again->type != event->type) __builtin_trap();
  }
  if (auto ended = hearth::bus::decodeSessionsEnded(text)) {
    auto again = hearth::bus::decodeSessionsEnded(hearth::bus::encodeSessionsEnded(*ended));
    if (!again || again->user_id != ended->user_id || again->session_id != ended->session_id) __builtin_trap();
  }
  if (auto presence = hearth::bus::decodePresence(text)) {
    auto again = hearth::bus::decodePresence(hearth::bus::encodePresence(*presence));
    if (!again || again->node != presence->node || again->user_id != presence->user_id ||
        again->rank != presence->rank || again->custom_status != presence->custom_status ||
        again->foreground != presence->foreground) {
      __builtin_trap();
    }
  }
  return 0;
}
