#include "net/zlib_stream.hpp"

#include <string>

#include <gtest/gtest.h>
#include <zlib.h>

namespace hearth::net {
namespace {

// Inflates a zlib stream message by message, as a client does.
class Inflater {
public:
  Inflater() { EXPECT_EQ(inflateInit(&stream_), Z_OK); }
  ~Inflater() { inflateEnd(&stream_); }
  std::string next(const std::string& bytes) {
    std::string out(1 << 20, '\0');
    stream_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
    stream_.avail_in = static_cast<uInt>(bytes.size());
    stream_.next_out = reinterpret_cast<Bytef*>(out.data());
    stream_.avail_out = static_cast<uInt>(out.size());
    const int status = inflate(&stream_, Z_SYNC_FLUSH);
    EXPECT_TRUE(status == Z_OK || status == Z_BUF_ERROR) << status;
    EXPECT_EQ(stream_.avail_in, 0u);
    out.resize(out.size() - stream_.avail_out);
    return out;
  }

private:
  z_stream stream_{};
};

TEST(ZlibStream, EachMessageEndsWithASyncFlushAndInflatesOnItsOwn) {
  ZlibStream stream;
  Inflater client;
  std::string big;
  for (int i = 0; i < 4000; ++i)
    big += "{\"op\":0,\"t\":\"MESSAGE_CREATE\",\"s\":" + std::to_string(i) + "}";
  for (const std::string& message :
       {std::string(R"({"op":10,"d":{"heartbeat_interval":41250}})"), std::string(R"({"op":11,"d":null})"), big}) {
    const auto bytes = stream.compress(message);
    ASSERT_GE(bytes.size(), 4u);
    EXPECT_EQ(bytes.substr(bytes.size() - 4), std::string("\x00\x00\xff\xff", 4));
    const auto inflated = client.next(bytes);
    EXPECT_TRUE(inflated == message) << inflated.size() << " bytes instead of " << message.size();
  }
  // The shared history makes a repeat much smaller than the first time.
  const std::string repeat = R"({"op":0,"t":"TYPING_START","d":{"channel_id":"1234567890123456789"}})";
  const auto first = stream.compress(repeat);
  const auto second = stream.compress(repeat);
  EXPECT_LT(second.size(), first.size());
  EXPECT_EQ(client.next(first), repeat);
  EXPECT_EQ(client.next(second), repeat);
}

} // namespace
} // namespace hearth::net
