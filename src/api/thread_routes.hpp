#pragma once
// Threads over REST, Discord API v10 paths under /api/v1 (docs/threads.md):
//   POST   /channels/{channel_id}/messages/{message_id}/threads   a public thread on a message
//   POST   /channels/{channel_id}/threads                          a thread without a message
//   GET/PATCH/DELETE /channels/{thread_id}                         handed over by guild_routes
//   PUT/DELETE /channels/{thread_id}/thread-members/{@me|user_id}  join, add, leave, remove
//   GET    /channels/{thread_id}/thread-members[/{user_id}]
//   GET    /guilds/{guild_id}/threads/active
//   GET    /channels/{channel_id}/threads/archived/public          ?before=ISO 8601&limit=
//   GET    /channels/{channel_id}/threads/archived/private         ?before=ISO 8601&limit=
//   GET    /channels/{channel_id}/users/@me/threads/archived/private   ?before=thread id&limit=
// Events, to whoever may see the thread at send time: THREAD_CREATE, THREAD_UPDATE, THREAD_DELETE,
// THREAD_MEMBERS_UPDATE; THREAD_MEMBER_UPDATE to the member concerned. Messages use the ordinary
// message routes.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "api/guild_routes.hpp"
#include "api/route_support.hpp"
#include "net/router.hpp"

namespace hearth::domain {
class Messages;
class Threads;
struct ActiveThread;
} // namespace hearth::domain

namespace hearth::api {

struct ThreadDeps : ServerRouteDeps {
  domain::Threads* threads = nullptr;
  domain::Messages* messages = nullptr; //!< the message a thread starts from, for its MESSAGE_UPDATE
};

//! Registers the routes above; returns the handler of /channels/{id} for threads
//! (GuildDeps::thread_channel).
DmChannelHandler addThreadRoutes(net::Router& router, ThreadDeps deps);

//! MessageDeps::after_thread_message: after a message in a thread, unarchives it and makes the
//! sender a member, with THREAD_UPDATE / THREAD_MEMBER_UPDATE / THREAD_MEMBERS_UPDATE.
std::function<boost::asio::awaitable<void>(std::size_t worker, const ChannelActor& actor)>
threadMessageHook(ThreadDeps deps);

//! The thread channel object: `{id, type, guild_id, parent_id, owner_id, name, last_message_id,
//! rate_limit_per_user, message_count, member_count, total_message_sent, flags, thread_metadata}`.
std::string threadJson(const domain::Channel& thread);
//! READY's `threads` of one server: thread objects, with `member` for those the user joined.
std::string readyThreadsJson(const std::vector<domain::ActiveThread>& threads);

} // namespace hearth::api
