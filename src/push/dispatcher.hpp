#pragma once
// From a new message to Web Push jobs: who of the DM's recipients and the mentioned users
// (directly, by role, @everyone/@here) gets one (push::pushWanted), their subscriptions, the
// payload. Runs detached after the message is durable and its event published, so it never
// delays the message's own delivery.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "gateway/presence.hpp"

namespace hearth::domain {
struct Channel;
struct Message;
} // namespace hearth::domain
namespace hearth::store {
class PgPool;
}

namespace hearth::push {

class PushSender;

struct DispatcherDeps {
  std::vector<store::PgPool*> pools; //!< one per worker thread
  std::vector<boost::asio::any_io_executor> executors; //!< the same order
  //! A user's combined presence rank and foreground state (gateway::Gateway::activity).
  std::function<gateway::PresenceActivity(std::uint64_t user_id)> activity;
  PushSender* sender = nullptr;
};

//! The most members an @everyone or @here push goes to (larger servers: mentions only).
constexpr std::size_t kMaxEveryonePushes = 1000;

//! Works out and queues the pushes for `message`, sent in `channel` (of a server named
//! `guild_name`, empty for DMs), on worker `worker`'s thread; returns at once.
void pushForMessage(const DispatcherDeps& deps, std::size_t worker, const domain::Message& message,
                    const domain::Channel& channel, const std::string& guild_name);

} // namespace hearth::push
