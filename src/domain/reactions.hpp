#pragma once
// Reactions (Unicode emoji) and pins on messages of text channels. Every operation takes the
// actor's GuildContext and a channel they can see (from api::actorInChannel) and checks
// permissions here; a message that isn't in the channel fails with kUnknownMessage. Writes are
// committed before they return; the caller publishes the events (docs/messages.md).
#include <cstdint>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "core/error.hpp"
#include "domain/guilds.hpp"
#include "domain/members.hpp"
#include "domain/messages.hpp"

namespace hearth::store {
class PgPool;
}

namespace hearth::domain {

//! What a reaction change did.
struct ReactionChange {
  bool changed = false; //!< false: nothing to do (already there, or not there), so no event
  std::uint64_t message_author_id = 0; //!< for MESSAGE_REACTION_ADD
};

//! What a pin or unpin did.
struct PinChange {
  bool changed = false; //!< false: already pinned (or not pinned), so no event
  Message message; //!< the message after the change, loaded for the actor (when changed)
  std::string last_pin_timestamp; //!< the channel's after the change; empty when no pin is left
};

class Reactions {
public:
  static constexpr int kMaxEmojiPerMessage = 20; //!< distinct emoji on one message
  static constexpr int kMaxPins = 50; //!< pinned messages in one channel
  static constexpr int kDefaultUserPage = 25;
  static constexpr int kMaxUserPage = 100;

  Reactions(Guilds& guilds, Messages& messages) : guilds_(guilds), messages_(messages) {}

  //! Adds the actor's reaction: READ_MESSAGE_HISTORY, and ADD_REACTIONS unless the emoji is
  //! already on the message; timed-out members can't react; at most 20 distinct emoji
  //! (kMaxReactions). kUnknownEmoji unless `emoji` is one Unicode emoji (isReactionEmoji).
  boost::asio::awaitable<core::Result<ReactionChange>> add(store::PgPool& pool, const GuildContext& context,
                                                           const Channel& channel, std::uint64_t message_id,
                                                           std::string emoji);
  //! Removes `user_id`'s reaction: READ_MESSAGE_HISTORY, and MANAGE_MESSAGES for someone else's.
  boost::asio::awaitable<core::Result<ReactionChange>> remove(store::PgPool& pool, const GuildContext& context,
                                                              const Channel& channel, std::uint64_t message_id,
                                                              std::string emoji, std::uint64_t user_id);
  //! Who reacted with `emoji`, by user id, after `after` (READ_MESSAGE_HISTORY); limit 1-100.
  boost::asio::awaitable<core::Result<std::vector<UserSummary>>> users(store::PgPool& pool, const GuildContext& context,
                                                                       const Channel& channel, std::uint64_t message_id,
                                                                       std::string emoji, std::uint64_t after,
                                                                       int limit);
  //! Removes every reaction (MANAGE_MESSAGES). True when there were some.
  boost::asio::awaitable<core::Result<bool>> removeAll(store::PgPool& pool, const GuildContext& context,
                                                       const Channel& channel, std::uint64_t message_id);
  //! Removes every reaction with `emoji` (MANAGE_MESSAGES). True when there were some.
  boost::asio::awaitable<core::Result<bool>> removeEmoji(store::PgPool& pool, const GuildContext& context,
                                                         const Channel& channel, std::uint64_t message_id,
                                                         std::string emoji);

  //! The pinned messages, most recently pinned first (READ_MESSAGE_HISTORY).
  boost::asio::awaitable<core::Result<std::vector<Message>>> pins(store::PgPool& pool, const GuildContext& context,
                                                                  const Channel& channel);
  //! Pins (MANAGE_MESSAGES or PIN_MESSAGES; 50 per channel, kMaxPins) and writes the audit log
  //! entry (MESSAGE_PIN, with `reason`).
  boost::asio::awaitable<core::Result<PinChange>> pin(store::PgPool& pool, const GuildContext& context,
                                                      const Channel& channel, std::uint64_t message_id,
                                                      std::string reason);
  //! Unpins (same permissions), audit log MESSAGE_UNPIN.
  boost::asio::awaitable<core::Result<PinChange>> unpin(store::PgPool& pool, const GuildContext& context,
                                                        const Channel& channel, std::uint64_t message_id,
                                                        std::string reason);

private:
  boost::asio::awaitable<core::Result<PinChange>> setPinned(store::PgPool& pool, const GuildContext& context,
                                                            const Channel& channel, std::uint64_t message_id,
                                                            bool pinned, std::string reason);

  Guilds& guilds_;
  Messages& messages_;
};

} // namespace hearth::domain
