#pragma once
// Who gets a Web Push for a new message, and what it says: pure functions, unit-tested. After
// pushWanted, the dispatcher asks the user's notification settings (domain::shouldNotify).
#include <cstdint>
#include <string>
#include <string_view>

namespace hearth::push {

//! What is known of one possible recipient of a message's push.
struct PushCandidate {
  std::uint64_t user_id = 0;
  bool dm_recipient = false; //!< a recipient of the DM or group DM the message is in
  bool mentioned = false; //!< by name, by a role they have, or by @everyone/@here
  bool may_view = false; //!< may read the channel now (VIEW_CHANNEL; DMs: a recipient)
  int presence_rank = 0; //!< gateway::presenceRank of their combined presence (3: dnd)
  bool foreground = false; //!< a gateway session of theirs is connected with afk false
};

//! Whether `candidate` gets a push for a message by `author_id`: never the author; only a DM
//! recipient or a mentioned user who may view the channel; not while DND; not while any of
//! their sessions is in the foreground (the app shows it there).
bool pushWanted(std::uint64_t author_id, const PushCandidate& candidate);

//! What a push says about a message.
struct MessagePush {
  std::uint64_t message_id = 0;
  std::uint64_t channel_id = 0;
  std::uint64_t guild_id = 0; //!< 0 for a DM
  std::uint64_t author_id = 0;
  std::string author_username;
  std::string author_global_name; //!< empty: none
  std::string content;
  std::string title; //!< "Server #channel", or the DM's name
};

//! The longest `content` excerpt, in code points.
constexpr std::size_t kExcerptCodePoints = 200;

//! The push payload: {type: "message", message_id, channel_id, guild_id?, author: {id,
//! username, global_name}, content (at most kExcerptCodePoints, cut on a code point), title}.
std::string messagePushJson(const MessagePush& push);

//! `text` cut to at most `code_points` UTF-8 code points, with "…" when cut.
std::string excerpt(std::string_view text, std::size_t code_points);

} // namespace hearth::push
