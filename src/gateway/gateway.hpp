#pragma once
// The WebSocket gateway: Discord's opcodes over /api/v1/gateway. It speaks HELLO,
// HEARTBEAT/HEARTBEAT_ACK, IDENTIFY → READY (the user; servers and DMs come with the messaging
// issue), enforces the heartbeat deadline and the inbound rate limit, and answers RESUME with
// INVALID_SESSION until resumable sessions exist (see docs/gateway.md).
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "net/http.hpp"
#include "net/websocket.hpp"

namespace hearth::gateway {

//! Gateway opcodes (Discord v10).
enum class Op : int {
  kDispatch = 0,
  kHeartbeat = 1,
  kIdentify = 2,
  kPresenceUpdate = 3,
  kVoiceStateUpdate = 4,
  kResume = 6,
  kReconnect = 7,
  kRequestGuildMembers = 8,
  kInvalidSession = 9,
  kHello = 10,
  kHeartbeatAck = 11,
};

//! Close codes (Discord v10); the ErrorCode → close code mapping lives in gateway.cpp.
enum class CloseCode : std::uint16_t {
  kUnknownError = 4000,
  kUnknownOpcode = 4001,
  kDecodeError = 4002,
  kNotAuthenticated = 4003,
  kAuthenticationFailed = 4004,
  kAlreadyAuthenticated = 4005,
  kInvalidSeq = 4007,
  kRateLimited = 4008,
  kSessionTimedOut = 4009,
};

//! The close code for an error (the one ErrorCode → close code mapping).
CloseCode closeCodeFor(core::ErrorCode code) noexcept;

//! A decoded client frame: `{"op": int, "d": any, "s": int|null, "t": string|null}`.
struct ClientFrame {
  int op = -1;
  std::string d_json = "null"; //!< the `d` field re-serialized (kept opaque at this layer)
  std::optional<std::int64_t> heartbeat_seq; //!< for op 1: `d` as the last sequence, if a number
  std::string token; //!< for op 2 and 6: `d.token`, if a string
};

//! Parses one client frame. Errors: kInvalidJson (→ close 4002) for anything that is not an
//! object with an integer `op`.
core::Result<ClientFrame> parseClientFrame(std::string_view text);

//! Who an IDENTIFY token belongs to.
struct Identity {
  std::string user_json; //!< the user object for READY (serialized JSON)
  std::uint64_t user_id = 0;
  std::uint64_t session_id = 0; //!< the sign-in session (`sid`) the token belongs to
  std::string guilds_json; //!< READY's `guilds` array (serialized JSON); empty means []
  std::string private_channels_json; //!< READY's `private_channels` (DMs, group DMs); empty means []
  std::string relationships_json; //!< READY's `relationships` (friends, requests, blocks); empty means []
  //! READY's `read_state` object; empty means {"version":0,"partial":false,"entries":[]}
  std::string read_state_json;
};

//! Checks an IDENTIFY token, or fails with kUnauthorized. Runs on the connection's thread;
//! `worker` selects that thread's resources.
using IdentifyFn = std::function<boost::asio::awaitable<core::Result<Identity>>(std::string token, std::size_t worker)>;

struct GatewayConfig {
  std::chrono::milliseconds heartbeat_interval{41250};
  //! A connection whose heartbeat is this late past the interval is closed with 4009.
  //! Zero means half the interval.
  std::chrono::milliseconds heartbeat_grace{0};
  std::size_t frames_per_window = 120; //!< inbound frames allowed per rate window
  std::chrono::milliseconds rate_window{60000};
};

class Gateway {
public:
  //! Without `identify`, every IDENTIFY fails with 4004.
  Gateway(GatewayConfig config, const core::Clock& clock, IdentifyFn identify = {});
  //! The WebSocket handler: runs one connection until it closes.
  boost::asio::awaitable<void> run(std::shared_ptr<net::WsConnection> connection, net::Request& request);
  const GatewayConfig& config() const noexcept { return config_; }
  //! Closes (4004, not resumable) the connections identified with `session_id`, or with any
  //! session of `user_id` when session_id is 0, except those of `except_session`. Thread-safe:
  //! each close runs on its connection's own thread. Returns how many were closed.
  std::size_t closeSessions(std::uint64_t user_id, std::uint64_t session_id, std::uint64_t except_session);
  //! Identified connections on this node.
  std::size_t identifiedConnections() const;
  //! Sends DISPATCH `type` with `data` (serialized JSON) to every identified connection of
  //! `user_id` on this node, each with its own next sequence number. Thread-safe. Returns how
  //! many connections it was queued for.
  std::size_t dispatch(std::uint64_t user_id, const std::string& type, std::shared_ptr<const std::string> data);
  //! Users with at least one identified connection on this node.
  std::vector<std::uint64_t> connectedUsers() const;

private:
  struct Registry;
  GatewayConfig config_;
  const core::Clock& clock_;
  IdentifyFn identify_;
  std::shared_ptr<Registry> registry_;
};

} // namespace hearth::gateway
