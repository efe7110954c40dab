#pragma once
// Delivers bus events to connected users, deciding at send time who may receive each one: the
// members of the server (now, not when they connected), and for channel events only those with
// VIEW_CHANNEL in that channel. Permissions are computed from the database per event (one
// pipelined round trip whatever the number of recipients), so a role, overwrite or membership
// change applies to the very next event. Events of a DM or group DM (guild 0 with a channel)
// go to that channel's recipients. A thread's events go to those who see its parent, and for a
// private thread only to its members and MANAGE_THREADS holders (domain::threadPermissions).
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

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
  //! Queues a dispatch for every connection of the user.
  std::function<void(std::uint64_t user, const std::string& type, std::shared_ptr<const std::string> data)> send;
};

//! Subscribes to the bus. Each event's recipients are worked out on one of the worker threads
//! (round robin) with that thread's pool.
void deliverEvents(domain::EventBus& bus, std::vector<boost::asio::any_io_executor> executors,
                   std::vector<store::PgPool*> pools, DeliveryTarget target);

} // namespace hearth::api
