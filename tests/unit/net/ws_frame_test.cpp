#include "net/ws_frame.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace hearth::net::ws {
namespace {

// A client frame: FIN as given, the opcode, masked with a fixed key, the length in the form
// `length_form` asks for (0: shortest, 16 or 64: that extended form even when shorter fits).
std::string clientFrame(std::uint8_t opcode, std::string_view payload, bool fin = true, bool masked = true,
                        int length_form = 0, std::uint8_t extra_bits = 0) {
  std::string frame;
  frame += static_cast<char>((fin ? 0x80 : 0) | extra_bits | opcode);
  const std::uint8_t mask_bit = masked ? 0x80 : 0;
  const std::size_t size = payload.size();
  if (length_form == 0 && size < 126) {
    frame += static_cast<char>(mask_bit | size);
  } else if ((length_form == 0 && size <= 0xFFFF) || length_form == 16) {
    frame += static_cast<char>(mask_bit | 126);
    frame += static_cast<char>(size >> 8);
    frame += static_cast<char>(size & 0xFF);
  } else {
    frame += static_cast<char>(mask_bit | 127);
    for (int i = 7; i >= 0; --i)
      frame += static_cast<char>((static_cast<std::uint64_t>(size) >> (8 * i)) & 0xFF);
  }
  const char key[4] = {0x37, static_cast<char>(0xfa), 0x21, 0x3d};
  if (masked) frame.append(key, 4);
  for (std::size_t i = 0; i < size; ++i)
    frame += masked ? static_cast<char>(payload[i] ^ key[i % 4]) : payload[i];
  return frame;
}

// Every event the parser gives for `bytes`, fed in pieces of `piece` bytes.
std::vector<Event> parseAll(FrameParser& parser, std::string_view bytes, std::size_t piece = 1 << 20) {
  std::vector<Event> events;
  std::size_t at = 0;
  while (at < bytes.size() && !parser.done()) {
    const std::string_view chunk = bytes.substr(at, piece);
    std::size_t used = 0;
    while (used < chunk.size() && !parser.done()) {
      Event event;
      const std::size_t step = parser.parse(chunk.substr(used), event);
      used += step;
      if (event.kind != Event::Kind::kNone) events.push_back(std::move(event));
      if (step == 0) break;
    }
    at += piece;
  }
  return events;
}

Event onlyEvent(std::string_view bytes, std::size_t max_message = 1024) {
  FrameParser parser(max_message);
  auto events = parseAll(parser, bytes);
  EXPECT_EQ(events.size(), 1u);
  return events.empty() ? Event{} : events.front();
}

TEST(WsFrameTest, ReadsTheMaskedHelloOfRfc6455) {
  // RFC 6455 §5.7: a single-frame masked text message.
  const std::string frame = "\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58";
  for (const std::size_t piece : {1u, 2u, 3u, 7u, 64u}) {
    FrameParser parser(1024);
    const auto events = parseAll(parser, frame, piece);
    ASSERT_EQ(events.size(), 1u) << piece;
    EXPECT_EQ(events[0].kind, Event::Kind::kMessage);
    EXPECT_FALSE(events[0].binary);
    EXPECT_EQ(events[0].payload, "Hello");
  }
}

TEST(WsFrameTest, AssemblesFragmentsAroundAPing) {
  const std::string bytes = clientFrame(0x1, "Hel", false) + clientFrame(0x9, "are you there") +
                            clientFrame(0x0, "lo, w", false) + clientFrame(0x0, "orld");
  for (const std::size_t piece : {1u, 5u, 100u}) {
    FrameParser parser(1024);
    const auto events = parseAll(parser, bytes, piece);
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(events[0].kind, Event::Kind::kPing);
    EXPECT_EQ(events[0].payload, "are you there");
    EXPECT_EQ(events[1].kind, Event::Kind::kMessage);
    EXPECT_EQ(events[1].payload, "Hello, world");
  }
}

TEST(WsFrameTest, ReadsMessagesBackToBackAndEveryLengthForm) {
  const std::string medium(300, 'm');
  const std::string large(70000, 'L');
  const std::string bytes = clientFrame(0x1, "") + clientFrame(0x2, medium) + clientFrame(0x1, large) +
                            clientFrame(0xA, "pong") + clientFrame(0x1, "last");
  FrameParser parser(100000);
  const auto events = parseAll(parser, bytes, 4096);
  ASSERT_EQ(events.size(), 5u);
  EXPECT_EQ(events[0].payload, "");
  EXPECT_EQ(events[0].kind, Event::Kind::kMessage);
  EXPECT_TRUE(events[1].binary);
  EXPECT_EQ(events[1].payload, medium);
  EXPECT_EQ(events[2].payload, large);
  EXPECT_EQ(events[3].kind, Event::Kind::kPong);
  EXPECT_EQ(events[4].payload, "last");
  EXPECT_FALSE(parser.done());
}

TEST(WsFrameTest, RefusesWhatTheRfcForbids) {
  struct Case {
    const char* what;
    std::string bytes;
    std::uint16_t code;
  };
  const std::vector<Case> cases = {
      {"unmasked", clientFrame(0x1, "hi", true, false), kCloseProtocolError},
      {"reserved bit", clientFrame(0x1, "hi", true, true, 0, 0x40), kCloseProtocolError},
      {"unknown opcode", clientFrame(0x3, "hi"), kCloseProtocolError},
      {"unknown control opcode", clientFrame(0xB, "hi"), kCloseProtocolError},
      {"fragmented ping", clientFrame(0x9, "hi", false), kCloseProtocolError},
      {"long ping", clientFrame(0x9, std::string(126, 'p')), kCloseProtocolError},
      {"lone continuation", clientFrame(0x0, "hi"), kCloseProtocolError},
      {"text inside a fragmented message", clientFrame(0x1, "a", false) + clientFrame(0x1, "b"), kCloseProtocolError},
      {"16-bit length that fits in 7", clientFrame(0x1, "short", true, true, 16), kCloseProtocolError},
      {"64-bit length that fits in 16", clientFrame(0x1, "short", true, true, 64), kCloseProtocolError},
      {"one-byte close", clientFrame(0x8, "x"), kCloseProtocolError},
      {"close code 1005", clientFrame(0x8, closePayload(1005, "")), kCloseProtocolError},
      {"close code 999", clientFrame(0x8, closePayload(999, "")), kCloseProtocolError},
      {"close code 2000", clientFrame(0x8, closePayload(2000, "")), kCloseProtocolError},
      {"text that is not UTF-8", clientFrame(0x1, "caf\xc3"), kCloseInvalidPayload},
      {"close reason that is not UTF-8", clientFrame(0x8, closePayload(1000, "\xff")), kCloseInvalidPayload},
  };
  for (const auto& c : cases) {
    FrameParser parser(1024);
    const auto events = parseAll(parser, c.bytes);
    ASSERT_EQ(events.size(), 1u) << c.what;
    EXPECT_EQ(events[0].kind, Event::Kind::kError) << c.what;
    EXPECT_EQ(events[0].code, c.code) << c.what;
    EXPECT_FALSE(events[0].payload.empty()) << c.what;
    EXPECT_TRUE(parser.done()) << c.what;
  }
}

TEST(WsFrameTest, HugeLengthsAreRefusedFromTheHeaderAlone) {
  // 2^63 and above is not a length; a message over the limit fails before its payload arrives.
  std::string huge = "\x81\xff";
  huge += std::string("\x80\x00\x00\x00\x00\x00\x00\x00", 8);
  huge += "mask";
  EXPECT_EQ(onlyEvent(huge).code, kCloseProtocolError);

  const std::string header_only = clientFrame(0x1, std::string(2000, 'x')).substr(0, 8);
  const Event too_big = onlyEvent(header_only, 1024);
  EXPECT_EQ(too_big.kind, Event::Kind::kError);
  EXPECT_EQ(too_big.code, kCloseTooBig);

  // The limit counts the whole message across its fragments.
  const Event fragments =
      onlyEvent(clientFrame(0x1, std::string(600, 'a'), false) + clientFrame(0x0, std::string(600, 'b')), 1024);
  EXPECT_EQ(fragments.code, kCloseTooBig);
  // Exactly at the limit is fine.
  EXPECT_EQ(onlyEvent(clientFrame(0x1, std::string(1024, 'a')), 1024).kind, Event::Kind::kMessage);
}

TEST(WsFrameTest, TextMayBeSplitInsideACharacter) {
  // "é" (C3 A9) cut between two fragments is still valid UTF-8 once whole.
  const Event event = onlyEvent(clientFrame(0x1, "caf\xc3", false) + clientFrame(0x0, "\xa9"));
  EXPECT_EQ(event.kind, Event::Kind::kMessage);
  EXPECT_EQ(event.payload, "caf\xc3\xa9");
  // The same bytes as binary are never checked.
  EXPECT_EQ(onlyEvent(clientFrame(0x2, "\xff\xfe")).kind, Event::Kind::kMessage);
}

TEST(WsFrameTest, CloseEndsTheStream) {
  FrameParser parser(1024);
  const auto events = parseAll(parser, clientFrame(0x8, closePayload(4001, "bye")) + clientFrame(0x1, "after"));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Event::Kind::kClose);
  EXPECT_EQ(events[0].code, 4001);
  EXPECT_EQ(events[0].payload, "bye");
  EXPECT_TRUE(parser.done());
  Event later;
  EXPECT_EQ(parser.parse(clientFrame(0x1, "more"), later), 0u);
  EXPECT_EQ(later.kind, Event::Kind::kNone);

  const Event bare = onlyEvent(clientFrame(0x8, ""));
  EXPECT_EQ(bare.kind, Event::Kind::kClose);
  EXPECT_EQ(bare.code, kCloseNoStatus);
}

TEST(WsFrameTest, WritesHeadersInTheShortestForm) {
  std::array<char, kMaxServerHeader> header{};
  EXPECT_EQ(writeHeader(Opcode::kText, 0, header), 2u);
  EXPECT_EQ(static_cast<std::uint8_t>(header[0]), 0x81);
  EXPECT_EQ(header[1], 0);
  EXPECT_EQ(writeHeader(Opcode::kBinary, 125, header), 2u);
  EXPECT_EQ(static_cast<std::uint8_t>(header[0]), 0x82);
  EXPECT_EQ(header[1], 125);
  EXPECT_EQ(writeHeader(Opcode::kText, 126, header), 4u);
  EXPECT_EQ(std::string(header.data(), 4), std::string("\x81\x7e\x00\x7e", 4));
  EXPECT_EQ(writeHeader(Opcode::kText, 65535, header), 4u);
  EXPECT_EQ(std::string(header.data() + 1, 3), "\x7e\xff\xff");
  EXPECT_EQ(writeHeader(Opcode::kClose, 65536, header), 10u);
  EXPECT_EQ(std::string(header.data(), 10), std::string("\x88\x7f\x00\x00\x00\x00\x00\x01\x00\x00", 10));
}

TEST(WsFrameTest, ClosePayloadKeepsWholeCharacters) {
  EXPECT_EQ(closePayload(4004, "Authentication failed"), std::string("\x0f\xa4") + "Authentication failed");
  // 122 ASCII bytes, then a 3-byte character that would end at byte 126: it is left out.
  const std::string reason = std::string(122, 'r') + "\xe2\x82\xac" + "tail";
  const std::string payload = closePayload(1000, reason);
  EXPECT_EQ(payload.size(), 124u);
  EXPECT_TRUE(validUtf8(payload.substr(2)));
}

TEST(WsFrameTest, Utf8IsCheckedStrictly) {
  EXPECT_TRUE(validUtf8(""));
  EXPECT_TRUE(validUtf8("plain ascii that is longer than eight bytes"));
  EXPECT_TRUE(validUtf8("\xf0\x9f\x94\xa5 and \xe2\x82\xac and \xc3\xa9"));
  EXPECT_TRUE(validUtf8("\xf4\x8f\xbf\xbf")); // U+10FFFF
  EXPECT_FALSE(validUtf8("\xc0\x80")); // overlong NUL
  EXPECT_FALSE(validUtf8("\xe0\x80\xaf")); // overlong '/'
  EXPECT_FALSE(validUtf8("\xed\xa0\x80")); // a surrogate
  EXPECT_FALSE(validUtf8("\xf4\x90\x80\x80")); // above U+10FFFF
  EXPECT_FALSE(validUtf8("\xf0\x9f\x94")); // cut short
  EXPECT_FALSE(validUtf8("abcdefgh\x80")); // a lone continuation after an ASCII run
}

TEST(WsFrameTest, AcceptKeyFollowsTheRfcExample) {
  // RFC 6455 §1.3.
  EXPECT_EQ(acceptKey("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  EXPECT_FALSE(acceptKey(""));
  EXPECT_FALSE(acceptKey("dGhlIHNhbXBsZSBub25jZQ")); // no padding: not 16 bytes
  EXPECT_FALSE(acceptKey("dGhlIHNhbXBsZSBub25j*Q==")); // not base64
  EXPECT_FALSE(acceptKey("dGhlIHNhbXBsZSBub25jZQ==AAAA"));
}

} // namespace
} // namespace hearth::net::ws
