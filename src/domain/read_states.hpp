#pragma once
// Read states: how far each user has read each channel (a message id, moved by acks), the pin
// time they have seen, and the mentions of them after that point, counted by a query over the
// messages that mention anyone (no per-message counters). Also the "recent mentions" inbox.
// The caller publishes MESSAGE_ACK / CHANNEL_PINS_ACK to the user's own sessions.
#include <cstdint>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "core/error.hpp"
#include "domain/guilds.hpp"
#include "domain/messages.hpp"

namespace hearth::store {
class PgPool;
}

namespace hearth::domain {

//! The result of acknowledging a message.
struct Ack {
  bool moved = false; //!< false: the marker was already there or further (nothing to announce)
  std::uint64_t message_id = 0; //!< the marker now
  std::int64_t version = 0; //!< the read state's version after this ack
  int mention_count = 0; //!< mentions of the user after the marker
};

//! The result of acknowledging a channel's pins.
struct PinsAck {
  bool moved = false;
  std::string timestamp; //!< the pin time now seen (ISO 8601), empty when the channel has no pin
  std::int64_t version = 0;
};

//! GET /users/@me/mentions: newest first, before `before` (0: from the newest).
struct MentionQuery {
  int limit = 25; //!< 1-100
  std::uint64_t before = 0;
  std::uint64_t guild_id = 0; //!< 0: every server
  bool roles = true; //!< include mentions of the user's roles
  bool everyone = true; //!< include @everyone / @here
};

class ReadStates {
public:
  static constexpr int kDefaultMentionPage = 25;
  static constexpr int kMaxMentionPage = 100;

  ReadStates(Guilds& guilds, Messages& messages) : guilds_(guilds), messages_(messages) {}

  //! Moves the actor's marker in the channel to `message_id` (a message of the channel, else
  //! kUnknownMessage) if that is further on; `manual` sets it exactly (marks unread from there).
  boost::asio::awaitable<core::Result<Ack>> ack(store::PgPool& pool, const GuildContext& context,
                                                const Channel& channel, std::uint64_t message_id, bool manual);
  //! Records that the actor has seen the channel's pins as they are now.
  boost::asio::awaitable<core::Result<PinsAck>> ackPins(store::PgPool& pool, const GuildContext& context,
                                                        const Channel& channel);

  //! READY's `read_state`: `{"version":N,"partial":false,"entries":[{"id","last_message_id",
  //! "mention_count","last_pin_timestamp"}]}` for the channels the user can see and has a marker
  //! in or unread mentions in, and for every thread they are in and can see (without a marker:
  //! read up to the newest message from before they joined it). Two round trips whatever the
  //! number of channels and threads.
  boost::asio::awaitable<core::Result<std::string>> readyJson(store::PgPool& pool, std::uint64_t user_id);
  //! The same from the user's server snapshots already loaded (READY): one round trip.
  boost::asio::awaitable<core::Result<std::string>> readyJson(store::PgPool& pool, std::uint64_t user_id,
                                                              const std::vector<GuildSnapshot>& snapshots);

  //! Messages mentioning the user (directly, by role, or @everyone/@here; not their own), newest
  //! first, from channels where they have VIEW_CHANNEL and READ_MESSAGE_HISTORY now, sent since
  //! they joined the server.
  boost::asio::awaitable<core::Result<std::vector<Message>>> mentions(store::PgPool& pool, std::uint64_t user_id,
                                                                      MentionQuery query);

private:
  Guilds& guilds_;
  Messages& messages_;
};

} // namespace hearth::domain
