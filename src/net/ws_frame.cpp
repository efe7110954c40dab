#include "net/ws_frame.hpp"

#include <algorithm>
#include <cstring>

#include <openssl/evp.h>
#include <openssl/sha.h>

namespace hearth::net::ws {

namespace {

bool isControl(Opcode opcode) noexcept { return (static_cast<std::uint8_t>(opcode) & 0x8) != 0; }

// Length of the UTF-8 sequence starting at `text[at]`, or 0 when none starts there.
std::size_t sequenceLength(std::string_view text, std::size_t at) noexcept {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(at);
  if (lead < 0x80) return 1;
  std::size_t length = 0;
  unsigned char low = 0x80; // the second byte's range depends on the lead (no overlongs,
  unsigned char high = 0xBF; // no surrogates, nothing above U+10FFFF)
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  if (text.size() - at < length) return 0;
  if (byte(at + 1) < low || byte(at + 1) > high) return 0;
  for (std::size_t i = 2; i < length; ++i) {
    if ((byte(at + i) & 0xC0) != 0x80) return 0;
  }
  return length;
}

} // namespace

std::size_t writeHeader(Opcode opcode, std::size_t payload_size, std::span<char, kMaxServerHeader> out) noexcept {
  out[0] = static_cast<char>(0x80 | static_cast<std::uint8_t>(opcode));
  if (payload_size < 126) {
    out[1] = static_cast<char>(payload_size);
    return 2;
  }
  if (payload_size <= 0xFFFF) {
    out[1] = 126;
    out[2] = static_cast<char>(payload_size >> 8);
    out[3] = static_cast<char>(payload_size & 0xFF);
    return 4;
  }
  out[1] = 127;
  const auto size = static_cast<std::uint64_t>(payload_size);
  for (int i = 0; i < 8; ++i)
    out[2 + i] = static_cast<char>((size >> (56 - 8 * i)) & 0xFF);
  return 10;
}

std::string closePayload(std::uint16_t code, std::string_view reason) {
  std::string payload;
  payload += static_cast<char>(code >> 8);
  payload += static_cast<char>(code & 0xFF);
  std::size_t keep = std::min(reason.size(), kMaxControlPayload - 2);
  // Never cut a character in two: back up to the start of the one the limit falls in.
  while (keep < reason.size() && keep > 0 && (static_cast<unsigned char>(reason[keep]) & 0xC0) == 0x80)
    --keep;
  payload.append(reason.substr(0, keep));
  return payload;
}

bool validCloseCode(std::uint16_t code) noexcept {
  if (code >= 3000 && code <= 4999) return true; // registered libraries and applications
  switch (code) {
  case 1000: // normal
  case 1001: // going away
  case 1002: // protocol error
  case 1003: // unsupported data
  case 1007: // invalid payload
  case 1008: // policy violation
  case 1009: // too big
  case 1010: // extension required
  case 1011: // internal error
  case 1012: // service restart
  case 1013: // try again later
  case 1014: // bad gateway
    return true;
  default: return false; // 1004-1006 and 1015 are never sent; the rest is unassigned
  }
}

bool validUtf8(std::string_view text) noexcept {
  std::size_t at = 0;
  while (at < text.size()) {
    // ASCII runs are the common case: skip eight bytes at a time.
    while (text.size() - at >= 8) {
      std::uint64_t word = 0;
      std::memcpy(&word, text.data() + at, 8);
      if ((word & 0x8080808080808080ULL) != 0) break;
      at += 8;
    }
    if (at >= text.size()) break;
    const std::size_t length = sequenceLength(text, at);
    if (length == 0) return false;
    at += length;
  }
  return true;
}

std::optional<std::string> acceptKey(std::string_view client_key) {
  // RFC 6455 §4.1: the key is 16 random bytes in base64, so exactly 24 characters ending "==".
  if (client_key.size() != 24 || !client_key.ends_with("==")) return std::nullopt;
  for (std::size_t i = 0; i < 22; ++i) {
    const char c = client_key[i];
    const bool alphabet =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
    if (!alphabet) return std::nullopt;
  }
  static constexpr std::string_view kGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  std::string input(client_key);
  input += kGuid;
  unsigned char digest[SHA_DIGEST_LENGTH];
  unsigned int digest_size = 0;
  if (EVP_Digest(input.data(), input.size(), digest, &digest_size, EVP_sha1(), nullptr) != 1) return std::nullopt;
  unsigned char encoded[4 * ((SHA_DIGEST_LENGTH + 2) / 3) + 1];
  const int encoded_size = EVP_EncodeBlock(encoded, digest, static_cast<int>(digest_size));
  return std::string(reinterpret_cast<const char*>(encoded), static_cast<std::size_t>(encoded_size));
}

void FrameParser::fail(Event& event, std::uint16_t code, std::string_view why) {
  state_ = State::kDone;
  message_ = std::string();
  control_ = std::string();
  event.kind = Event::Kind::kError;
  event.code = code;
  event.payload = why;
}

std::size_t FrameParser::parse(std::string_view data, Event& event) {
  event.kind = Event::Kind::kNone;
  std::size_t used = 0;
  while (used < data.size() && state_ != State::kDone) {
    if (state_ == State::kHeader) {
      const std::size_t take = std::min<std::size_t>(header_needed_ - header_size_, data.size() - used);
      std::memcpy(header_ + header_size_, data.data() + used, take);
      header_size_ = static_cast<std::uint8_t>(header_size_ + take);
      used += take;
      if (header_size_ < header_needed_) continue;
      if (header_needed_ == 2) {
        // The first two bytes tell how long the rest of the header is; an unmasked frame has
        // no key to wait for, so it fails here.
        if ((header_[1] & 0x80) == 0) {
          fail(event, kCloseProtocolError, "client frames must be masked");
          return used;
        }
        const std::uint8_t length7 = header_[1] & 0x7F;
        header_needed_ = static_cast<std::uint8_t>(2 + (length7 == 126 ? 2 : length7 == 127 ? 8 : 0) + 4);
        continue;
      }
      if (headerComplete(event)) return used;
      continue;
    }
    // kPayload: unmask into the message or the control frame.
    const auto take = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, data.size() - used));
    std::string& target = isControl(frame_opcode_) ? control_ : message_;
    const std::size_t start = target.size();
    target.append(data.data() + used, take);
    for (std::size_t i = start; i < target.size(); ++i) {
      target[i] = static_cast<char>(static_cast<std::uint8_t>(target[i]) ^ mask_[mask_offset_]);
      mask_offset_ = static_cast<std::uint8_t>((mask_offset_ + 1) & 3);
    }
    used += take;
    remaining_ -= take;
    if (remaining_ == 0 && frameComplete(event)) return used;
  }
  return used;
}

// The header is whole: check it. Returns true when it completed an event (an error, or an empty
// frame that finished something).
bool FrameParser::headerComplete(Event& event) {
  const bool fin = (header_[0] & 0x80) != 0;
  const std::uint8_t opcode_bits = header_[0] & 0x0F;
  if ((header_[0] & 0x70) != 0) {
    fail(event, kCloseProtocolError, "reserved bits set without an extension");
    return true;
  }
  std::uint64_t length = header_[1] & 0x7F;
  std::size_t mask_at = 2;
  if (length == 126) {
    length = (std::uint64_t{header_[2]} << 8) | header_[3];
    mask_at = 4;
    if (length < 126) {
      fail(event, kCloseProtocolError, "frame length not in its shortest form");
      return true;
    }
  } else if (length == 127) {
    length = 0;
    for (int i = 0; i < 8; ++i)
      length = (length << 8) | header_[2 + i];
    mask_at = 10;
    if ((length >> 63) != 0 || length <= 0xFFFF) {
      fail(event, kCloseProtocolError, "frame length not in its shortest form");
      return true;
    }
  }
  std::memcpy(mask_, header_ + mask_at, 4);
  mask_offset_ = 0;
  header_size_ = 0;
  header_needed_ = 2;

  const auto opcode = static_cast<Opcode>(opcode_bits);
  switch (opcode) {
  case Opcode::kClose:
  case Opcode::kPing:
  case Opcode::kPong:
    if (!fin) {
      fail(event, kCloseProtocolError, "control frames must not be fragmented");
      return true;
    }
    if (length > kMaxControlPayload) {
      fail(event, kCloseProtocolError, "control frame payload over 125 bytes");
      return true;
    }
    break;
  case Opcode::kContinuation:
    if (!in_message_) {
      fail(event, kCloseProtocolError, "continuation frame without a message");
      return true;
    }
    break;
  case Opcode::kText:
  case Opcode::kBinary:
    if (in_message_) {
      fail(event, kCloseProtocolError, "new message inside a fragmented one");
      return true;
    }
    in_message_ = true;
    message_binary_ = opcode == Opcode::kBinary;
    break;
  default: fail(event, kCloseProtocolError, "unknown opcode"); return true;
  }
  if (!isControl(opcode) && length > max_message_ - std::min<std::size_t>(message_.size(), max_message_)) {
    fail(event, kCloseTooBig, "message too big");
    return true;
  }
  frame_opcode_ = opcode;
  frame_fin_ = fin;
  remaining_ = length;
  state_ = State::kPayload;
  return length == 0 && frameComplete(event);
}

// The current frame's payload is whole. Returns true when that completed an event.
bool FrameParser::frameComplete(Event& event) {
  state_ = State::kHeader;
  switch (frame_opcode_) {
  case Opcode::kPing:
  case Opcode::kPong:
    event.kind = frame_opcode_ == Opcode::kPing ? Event::Kind::kPing : Event::Kind::kPong;
    event.payload = std::move(control_);
    control_ = std::string();
    return true;
  case Opcode::kClose: {
    if (control_.size() == 1) {
      fail(event, kCloseProtocolError, "close frame with a one-byte payload");
      return true;
    }
    std::uint16_t code = kCloseNoStatus;
    std::string reason;
    if (control_.size() >= 2) {
      code = static_cast<std::uint16_t>((static_cast<std::uint8_t>(control_[0]) << 8) |
                                        static_cast<std::uint8_t>(control_[1]));
      reason = control_.substr(2);
      if (!validCloseCode(code)) {
        fail(event, kCloseProtocolError, "invalid close code");
        return true;
      }
      if (!validUtf8(reason)) {
        fail(event, kCloseInvalidPayload, "close reason is not UTF-8");
        return true;
      }
    }
    state_ = State::kDone;
    control_ = std::string();
    event.kind = Event::Kind::kClose;
    event.code = code;
    event.payload = std::move(reason);
    return true;
  }
  default: break;
  }
  if (!frame_fin_) return false; // more fragments to come
  in_message_ = false;
  if (!message_binary_ && !validUtf8(message_)) {
    fail(event, kCloseInvalidPayload, "text message is not UTF-8");
    return true;
  }
  event.kind = Event::Kind::kMessage;
  event.binary = message_binary_;
  event.payload = std::move(message_);
  message_ = std::string();
  return true;
}

} // namespace hearth::net::ws
