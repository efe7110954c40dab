#pragma once
// What nodes say to each other through Redis, one JSON text per message: domain events (every
// field of domain::Event), ended sessions and presence entries. The decoders read bytes that came over the
// network, so they check every field and return errors, never throw (fuzzed:
// fuzz/event_codec_fuzzer.cpp). Ids travel as decimal strings, as in the REST API.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "domain/accounts.hpp"
#include "domain/events.hpp"

namespace hearth::bus {

//! The largest message a decoder accepts.
inline constexpr std::size_t kMaxMessageBytes = 16 * 1024 * 1024;

//! {"type": ..., "guild_id": "...", "channel_id": "...", "data": "<the dispatch's d, as a JSON
//! string>", "only_users": [...], "channel_gone": bool, "channel_type": int,
//! "channel_overwrites": [{"id", "type", "allow", "deny"}], "overwrites_changed": bool,
//! "previous_overwrites": [...]}
std::string encodeEvent(const domain::Event& event);
//! `type` and `data` are required, the rest default as in domain::Event; unknown keys are
//! ignored (a newer node may send more). Errors: kGeneral, "bad event: why".
core::Result<domain::Event> decodeEvent(std::string_view text);

//! {"user_id": "...", "session_id": "...", "except_session": "..."}
std::string encodeSessionsEnded(const domain::SessionsEnded& ended);
core::Result<domain::SessionsEnded> decodeSessionsEnded(std::string_view text);

//! A decimal number that fills `text` and fits in 64 bits.
std::optional<std::uint64_t> parseDecimal(std::string_view text);
//! Letters, digits, '-' and '_', 1 to 128 of them: node names and session ids on the bus.
bool isPlainWord(std::string_view text);

//! A node's summary of a user's presence (gateway::NodePresence, with who says it).
struct PresenceEntry {
  std::string node; //!< letters, digits, '-' and '_', at most 128
  std::uint64_t user_id = 0;
  int rank = 0; //!< 0 (no session) to 4 (invisible): gateway::presenceRank
  std::string custom_status; //!< at most kMaxCustomStatusBytes; may hold spaces
  bool foreground = false; //!< gateway::NodePresence::foreground (Web Push); "<rank>f" on the wire
};
inline constexpr std::size_t kMaxCustomStatusBytes = 512;
//! Plain text, "<node> <user_id> <rank>[f] <custom status>" (f: in the foreground).
std::string encodePresence(const PresenceEntry& entry);
//! Errors: kGeneral, "bad presence: why".
core::Result<PresenceEntry> decodePresence(std::string_view text);

} // namespace hearth::bus
