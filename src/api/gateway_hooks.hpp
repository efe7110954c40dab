#pragma once
// What the gateway asks of the rest of the server: checking a RESUME token, answering member
// requests (op 8), announcing presence changes to those who share a server, and the typing
// route whose events the gateway carries. docs/gateway.md describes the behaviour.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "api/route_support.hpp"
#include "gateway/gateway.hpp"
#include "net/router.hpp"

namespace hearth::domain {
class Members;
}

namespace hearth::api {

struct GatewayHookDeps : ServerRouteDeps {
  domain::Members* members = nullptr;
  std::vector<boost::asio::any_io_executor> executors; //!< one per worker, matching `pools`
  std::size_t large_threshold = 250;
  //! The user's presence as others see it now: a presence object, or empty when offline
  //! (Gateway::presenceJson).
  std::function<std::string(std::uint64_t user_id)> current_presence;
};

//! RESUME: the token's signature and live session.
gateway::AuthenticateFn authenticateHook(GatewayHookDeps deps);
//! op 8: the members of a server the requester belongs to, by user ids or by a name prefix.
gateway::RequestMembersFn requestMembersHook(GatewayHookDeps deps);
//! PRESENCE_UPDATE into each server of at most `large_threshold` members the user is in, and to
//! the user's friends (without guild_id), for this node's sessions: every node works out the
//! same changes from the shared stream, so none goes through the bus. What is sent is the
//! presence when the servers are known, so quick changes settle on the last one whatever order
//! the lookups finish in.
gateway::PresenceChangedFn presenceHook(GatewayHookDeps deps);
//! Users whose presence READY carries: members of the user's servers with at most
//! `large_threshold` members (given as `small_guilds`), without the user.
boost::asio::awaitable<core::Result<std::vector<std::uint64_t>>>
presenceCandidates(store::PgPool& pool, std::uint64_t user_id, const std::vector<std::uint64_t>& small_guilds);
//! A RESUME on another node: the PRESENCE_UPDATEs `user_id` would have had for `changed` (users
//! whose presence changed while the session was away, from the shared stream), as the
//! presence hook sends them (the user's own included, as live), with each one's presence now
//! (offline included). `current_presence` as in GatewayHookDeps.
boost::asio::awaitable<core::Result<std::vector<gateway::ReplayEvent>>>
presenceReplay(store::PgPool& pool, std::uint64_t user_id, const std::vector<std::uint64_t>& changed,
               std::size_t large_threshold, const std::function<std::string(std::uint64_t)>& current_presence);

//! POST /api/v1/channels/{channel_id}/typing → TYPING_START to those who can view the channel.
void addTypingRoute(net::Router& router, ServerRouteDeps deps);

} // namespace hearth::api
