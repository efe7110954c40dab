// Gateway frames from clients: any text gives a frame or a decode error, never a crash.
#include <cstddef>
#include <cstdint>

#include "gateway/gateway.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto frame = hearth::gateway::parseClientFrame({reinterpret_cast<const char*>(data), size});
  if (frame && (frame->op < 0 || frame->op > 255)) __builtin_trap();
  if (!frame && hearth::gateway::closeCodeFor(frame.error().code) != hearth::gateway::CloseCode::kDecodeError) {
    __builtin_trap(); // a frame that does not parse must close with 4002
  }
  return 0;
}
