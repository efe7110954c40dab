#include "net/zlib_stream.hpp"

#include <stdexcept>

#include <zlib.h>

namespace hearth::net {

struct ZlibStream::State {
  z_stream stream{};
};

ZlibStream::ZlibStream() : state_(std::make_unique<State>()) {
  // windowBits 12, memLevel 5: about 4 KiB of history and 40 KiB of state per connection; a
  // client's inflater with the default window reads it (the window size is in the zlib header).
  if (deflateInit2(&state_->stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 12, 5, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("zlib: deflateInit2 failed");
  }
}

ZlibStream::~ZlibStream() { deflateEnd(&state_->stream); }

std::string ZlibStream::compress(std::string_view message) {
  auto& stream = state_->stream;
  std::string out;
  out.resize(deflateBound(&stream, static_cast<uLong>(message.size())) + 16);
  // zlib's API takes a non-const input pointer but does not write through it.
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(message.data()));
  stream.avail_in = static_cast<uInt>(message.size());
  std::size_t used = 0;
  for (;;) {
    stream.next_out = reinterpret_cast<Bytef*>(out.data() + used);
    stream.avail_out = static_cast<uInt>(out.size() - used);
    const int status = deflate(&stream, Z_SYNC_FLUSH);
    used = out.size() - stream.avail_out;
    if (status != Z_OK && status != Z_BUF_ERROR) throw std::runtime_error("zlib: deflate failed");
    // Done when all input is taken and the flush fitted (room was left over).
    if (stream.avail_in == 0 && stream.avail_out != 0) break;
    out.resize(out.size() * 2);
  }
  out.resize(used);
  return out;
}

} // namespace hearth::net
