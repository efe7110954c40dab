#pragma once
// Delivers bus events to connected users, deciding at send time who may receive each one: the
// members of the server (now, not when they connected), and for channel events only those with
// VIEW_CHANNEL in that channel. Permissions come from the database per event: one single-row read
// of the server's access version while what the worker kept of the server is still current, one
// pipelined round trip of the recipients otherwise; so a role, overwrite or membership change
// applies to the very next event. Events of a DM or group DM (guild 0 with a channel)
// go to that channel's recipients. A thread's events go to those who see its parent, and for a
// private thread only to its members and MANAGE_THREADS holders (domain::threadPermissions).
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "core/error.hpp"
#include "domain/events.hpp"
#include "gateway/gateway.hpp"

namespace hearth::domain {
class EventBus;
}
namespace hearth::store {
class PgPool;
}

namespace hearth::api {

struct DeliveryTarget {
  //! Users connected to this node.
  std::function<std::vector<std::uint64_t>()> connected_users;
  //! Queues a dispatch for every connection of each of `users`; `pos` is the event's stream
  //! position.
  std::function<void(const std::vector<std::uint64_t>& users, const std::string& type,
                     const std::shared_ptr<const std::string>& data, std::uint64_t pos)>
      send_to_each;
};

//! How far this node has delivered the shared event stream (hearthd --redis): every event at or
//! before value() has been handed to its recipients' sessions. Events arrive in stream order but
//! finish out of order (their lookups overlap), so this is one before the oldest unfinished one.
//! Thread-safe.
class DeliveryWatermark {
public:
  //! Nothing at or before `pos` is this node's to deliver (reading starts after it).
  void start(std::uint64_t pos);
  //! An event arrived; its delivery finishes with finish(pos).
  void begin(std::uint64_t pos);
  void finish(std::uint64_t pos);
  std::uint64_t value() const;

private:
  mutable std::mutex mutex_;
  std::multiset<std::uint64_t> pending_;
  std::uint64_t last_ = 0;
};

//! Subscribes to the bus. Each event's recipients are worked out on one of the worker threads
//! (the one its server hashes to) with that thread's pool. `watermark` (optional) follows the
//! stream positions of the events.
void deliverEvents(domain::EventBus& bus, std::vector<boost::asio::any_io_executor> executors,
                   std::vector<store::PgPool*> pools, DeliveryTarget target, DeliveryWatermark* watermark = nullptr);

//! What of `events` (from the shared stream, in order) `user` may receive now, as dispatches
//! with their stream positions: the same rules as live delivery, applied with today's
//! permissions (a RESUME on another node replays this).
boost::asio::awaitable<core::Result<std::vector<gateway::ReplayEvent>>>
replayFor(store::PgPool& pool, std::uint64_t user, std::vector<domain::Event> events);

//! Those of `users` who may view channel `channel_id` of server `guild_id` now (guild 0: the DM's
//! recipients), by the rules of live delivery. Web Push asks this of a message's mentioned users.
boost::asio::awaitable<core::Result<std::vector<std::uint64_t>>>
viewersAmong(store::PgPool& pool, std::uint64_t guild_id, std::uint64_t channel_id, std::vector<std::uint64_t> users);

} // namespace hearth::api
