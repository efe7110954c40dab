#pragma once
// Discord's `zlib-stream` transport compression: one zlib stream for the whole connection, each
// message deflated and ended with a sync flush, so it ends in 00 00 FF FF and the client can
// inflate it as soon as it arrives. A small window (4 KiB) keeps each stream near 40 KiB.
#include <memory>
#include <string>
#include <string_view>

namespace hearth::net {

class ZlibStream {
public:
  ZlibStream();
  ~ZlibStream();
  ZlibStream(const ZlibStream&) = delete;
  ZlibStream& operator=(const ZlibStream&) = delete;
  //! The next message's bytes on the stream (ends with 00 00 FF FF).
  std::string compress(std::string_view message);

private:
  struct State;
  std::unique_ptr<State> state_;
};

} // namespace hearth::net
