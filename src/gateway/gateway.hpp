#pragma once
// The WebSocket gateway: Discord's opcodes over /api/v1/gateway (docs/gateway.md). HELLO,
// HEARTBEAT/ACK with a deadline, IDENTIFY → READY, DISPATCH with per-session sequence numbers,
// RESUME with replay of what a dropped connection missed (sessions outlive their connection for
// the resume window), presence (op 3, combined across a user's sessions), member requests (op 8),
// the inbound rate limit and Discord's close codes.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "gateway/presence.hpp"
#include "net/http.hpp"
#include "net/websocket.hpp"

namespace hearth::gateway {

namespace detail {
struct Session;
}

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

//! Whether a client closed with `code` may RESUME (Discord: 1000/1001 and the
//! "identify again" codes end the session).
bool resumable(std::uint16_t code) noexcept;

//! The close code for an error (the one ErrorCode → close code mapping).
CloseCode closeCodeFor(core::ErrorCode code) noexcept;

//! A user's presence as set by one client (op 3, or IDENTIFY's `presence`).
struct PresenceInput {
  std::string status = "online"; //!< online, idle, dnd, invisible
  std::string custom_status; //!< the text of a type 4 (custom status) activity, or empty
  std::int64_t since = 0; //!< unix ms when idle began, 0 for none
  bool afk = false;
};

//! op 8 REQUEST_GUILD_MEMBERS.
struct MemberRequest {
  std::uint64_t guild_id = 0;
  std::string query; //!< a username/nickname prefix; empty with limit 0 means everyone
  int limit = 0; //!< 0-1000 (0: no limit, only with an empty query)
  std::vector<std::uint64_t> user_ids; //!< instead of a query: at most 100
  bool presences = false;
  std::string nonce; //!< echoed, at most 32 characters
};

//! A decoded client frame: `{"op": int, "d": any, "s": int|null, "t": string|null}`.
struct ClientFrame {
  int op = -1;
  std::optional<std::int64_t> heartbeat_seq; //!< for op 1: `d` as the last sequence, if a number
  std::string token; //!< for op 2 and 6: `d.token`, if a string
  std::string resume_session; //!< op 6: `d.session_id`
  std::int64_t resume_seq = -1; //!< op 6: `d.seq`
  std::optional<PresenceInput> presence; //!< op 3, or op 2's `d.presence`
  MemberRequest members; //!< op 8
  //! An op 3 or op 8 payload of the wrong shape (→ 4002 once the connection is identified).
  std::optional<core::Error> payload_error;
};

//! Parses one client frame. Errors: kInvalidJson (→ close 4002) for anything that is not an
//! object with an integer `op`, and kInvalidFormBody (→ 4002) for an op 6 payload of the wrong
//! shape (op 3 and 8 shapes land in `payload_error`).
core::Result<ClientFrame> parseClientFrame(std::string_view text);

//! Who a token belongs to.
struct Principal {
  std::uint64_t user_id = 0;
  std::uint64_t session_id = 0; //!< the sign-in session (`sid`) the token belongs to
};

//! What READY carries for an identified user.
struct Identity {
  std::string user_json; //!< the user object for READY (serialized JSON)
  std::uint64_t user_id = 0;
  std::uint64_t session_id = 0; //!< the sign-in session (`sid`) the token belongs to
  std::string guilds_json; //!< READY's `guilds` array (serialized JSON); empty means []
  std::string private_channels_json; //!< READY's `private_channels` (DMs, group DMs); empty means []
  std::string relationships_json; //!< READY's `relationships` (friends, requests, blocks); empty means []
  //! READY's `read_state` object; empty means {"version":0,"partial":false,"entries":[]}
  std::string read_state_json;
  //! READY's `user_guild_settings` object; empty means {"version":0,"partial":false,"entries":[]}
  std::string user_guild_settings_json;
  //! Users whose presence READY's `presences` carries when they are online: those sharing a
  //! small server (see GatewayConfig::large_threshold) and friends.
  std::vector<std::uint64_t> presence_candidates;
};

//! Checks an IDENTIFY token and builds READY, or fails with kUnauthorized. Runs on the
//! connection's thread; `worker` selects that thread's resources.
using IdentifyFn = std::function<boost::asio::awaitable<core::Result<Identity>>(std::string token, std::size_t worker)>;
//! Checks a RESUME token (signature and live session), without building READY.
using AuthenticateFn =
    std::function<boost::asio::awaitable<core::Result<Principal>>(std::string token, std::size_t worker)>;
//! A user's presence as others see it changed: status online, idle, dnd or offline (invisible
//! and "no session" both read offline); activities is a JSON array. Called on a gateway thread,
//! outside every lock; must be quick.
using PresenceChangedFn =
    std::function<void(std::uint64_t user_id, const std::string& status, const std::string& activities_json)>;
//! The members an op 8 request asks for, as member objects (serialized JSON) with their user
//! ids in the same order; an unknown server or one the user isn't in answers an empty list.
struct MemberAnswer {
  std::vector<std::string> members_json;
  std::vector<std::uint64_t> user_ids;
  std::vector<std::uint64_t> not_found; //!< asked-for user_ids that are not members
};
using RequestMembersFn = std::function<boost::asio::awaitable<core::Result<MemberAnswer>>(
    Principal who, MemberRequest request, std::size_t worker)>;

//! A session as every node can read it (hearthd --redis), so a RESUME works on any node.
struct SessionRecord {
  std::string id;
  std::uint64_t user_id = 0;
  std::uint64_t sign_in = 0;
  //! The client acknowledged (by heartbeat) every dispatch through `seq`, and so every bus event
  //! at or before stream position `pos` that was for it.
  std::int64_t seq = 0;
  std::uint64_t pos = 0;
};

//! A dispatch replayed from the shared event stream.
struct ReplayEvent {
  std::string type;
  std::shared_ptr<const std::string> data;
  std::uint64_t pos = 0; //!< its stream position
};

//! Sessions shared between nodes (all set, or none for a single node). docs/gateway.md,
//! "Several nodes", describes the checkpoints.
struct SharedSessions {
  //! Stores the record (replacing it) for `ttl`; fire and forget.
  std::function<void(const SessionRecord& record, std::chrono::milliseconds ttl)> save;
  std::function<void(const std::string& id)> drop;
  //! The record of a session, or nullopt when no node knows it.
  std::function<boost::asio::awaitable<core::Result<std::optional<SessionRecord>>>(std::string id, std::size_t worker)>
      load;
  //! What `user_id` may receive of the stream's events after `after`, in order (an error when
  //! it is more than can be replayed).
  std::function<boost::asio::awaitable<core::Result<std::vector<ReplayEvent>>>(std::uint64_t user_id,
                                                                               std::uint64_t after, std::size_t worker)>
      replay;
  //! Every stream event at or before this position has been dispatched on this node.
  std::function<std::uint64_t()> watermark;
  //! Tells the other nodes that this session now lives here (they forget their copy).
  std::function<void(const std::string& id)> moved;
};

//! Presence shared between nodes (set for several nodes). docs/gateway.md, "Several nodes".
struct SharedPresence {
  //! This node's summary of a user's sessions changed: store it where every node reads it.
  //! Every node, this one too, then calls Gateway::applyPresence with it, in one order. Called
  //! in the order of the changes; must be quick.
  std::function<void(std::uint64_t user_id, const NodePresence& presence)> publish;
};

struct GatewayHooks {
  IdentifyFn identify; //!< without it, every IDENTIFY fails with 4004
  AuthenticateFn authenticate; //!< without it, every RESUME gets INVALID_SESSION
  PresenceChangedFn presence_changed;
  RequestMembersFn request_members; //!< without it, op 8 answers empty chunks
  SharedSessions shared; //!< without it, sessions live on their node only
  SharedPresence shared_presence; //!< without it, presence is this node's alone
};

struct GatewayConfig {
  std::chrono::milliseconds heartbeat_interval{41250};
  //! A connection whose heartbeat is this late past the interval is closed with 4009.
  //! Zero means half the interval.
  std::chrono::milliseconds heartbeat_grace{0};
  std::size_t frames_per_window = 120; //!< inbound frames allowed per rate window
  std::chrono::milliseconds rate_window{60000};
  //! How long a session whose connection dropped stays resumable (Discord: a few minutes).
  std::chrono::milliseconds resume_window{180000};
  //! A session whose connection dropped (not closed by the client) keeps its presence this long
  //! while it may come back with RESUME; then it reads offline until it does.
  std::chrono::milliseconds presence_grace{10000};
  //! Dispatches kept per session for replay, beyond what the client acknowledged by heartbeat.
  std::size_t replay_limit = 2000;
  //! Servers with more members than this carry no presences in READY and send no
  //! PRESENCE_UPDATE (Discord's large_threshold); their lists use op 8.
  std::size_t large_threshold = 250;
};

class Gateway {
public:
  Gateway(GatewayConfig config, const core::Clock& clock, GatewayHooks hooks = {});
  //! A gateway whose only hook is IDENTIFY (tests).
  Gateway(GatewayConfig config, const core::Clock& clock, IdentifyFn identify);
  ~Gateway();
  Gateway(const Gateway&) = delete;
  Gateway& operator=(const Gateway&) = delete;

  //! The WebSocket handler: takes one connection over until it closes, then calls `ended`. Takes
  //! what it needs of the upgrade request before returning.
  void run(std::shared_ptr<net::WsConnection> connection, const net::Request& request, std::function<void()> ended);
  const GatewayConfig& config() const noexcept { return config_; }
  //! Ends (4004, not resumable) the sessions of `session_id`, or of any sign-in session of
  //! `user_id` when session_id is 0, except those of `except_session`, closing their
  //! connections. Thread-safe. Returns how many sessions ended.
  std::size_t closeSessions(std::uint64_t user_id, std::uint64_t session_id, std::uint64_t except_session);
  //! Sessions with a connection attached, on this node.
  std::size_t identifiedConnections() const;
  //! Sends DISPATCH `type` with `data` (serialized JSON) to every session of `user_id` on this
  //! node, each with its next sequence number; a session between connections keeps it for
  //! RESUME. Thread-safe. Returns how many sessions it was queued for.
  //! `pos` is the event's position in the shared stream (0 for none).
  std::size_t dispatch(std::uint64_t user_id, const std::string& type, std::shared_ptr<const std::string> data,
                       std::uint64_t pos = 0);
  //! dispatch() to each of `user_ids`, with one look at the sessions and one post per thread
  //! for them all. Thread-safe. Returns how many sessions it was queued for.
  std::size_t dispatchToEach(const std::vector<std::uint64_t>& user_ids, const std::string& type,
                             const std::shared_ptr<const std::string>& data, std::uint64_t pos = 0);
  //! Another node resumed session `id`: this node forgets its copy (closing a connection still
  //! attached to it, with 4000). Thread-safe.
  void sessionMovedAway(const std::string& id);
  //! Node `node`'s summary of `user_id` (from the shared stream): updates the combined
  //! presence and, when what others see changed, calls the presence_changed hook. Thread-safe.
  void applyPresence(const std::string& node, std::uint64_t user_id, NodePresence presence);
  //! Node `node` went away: its summaries no longer count (presence_changed for each user
  //! whose presence changed). Thread-safe.
  void nodeGone(const std::string& node);
  //! Publishes this node's summary of every user again (the other nodes took this one for
  //! gone). Thread-safe.
  void republishPresence();
  //! Users with at least one session (connected or resumable) on this node.
  std::vector<std::uint64_t> connectedUsers() const;
  //! The presence objects ({user:{id}, status, activities, client_status}) of those of `users`
  //! who are not offline, as a JSON array.
  std::string presencesJson(const std::vector<std::uint64_t>& users) const;
  //! A user's rank and whether any of their sessions is in the foreground (Web Push).
  PresenceActivity activity(std::uint64_t user_id) const;
  //! One user's presence object as above, or empty when they read offline.
  std::string presenceJson(std::uint64_t user_id) const;
  //! Drops sessions that stayed without a connection past the resume window.
  void sweep();
  //! Runs sweep() every few seconds on `executor` until the gateway is destroyed.
  void startSweeper(boost::asio::any_io_executor executor);

private:
  struct Registry;
  struct Watchdog;
  struct Link;
  //! One message from the connection, on its thread. True when reading goes on now; false when a
  //! coroutine took the frame (it reads on when it ends).
  bool received(const std::shared_ptr<Link>& link, const std::string& text);
  //! The frames that wait (IDENTIFY, RESUME, REQUEST_GUILD_MEMBERS), each in a coroutine of its
  //! own; reading goes on when it ends.
  boost::asio::awaitable<void> handleLater(std::shared_ptr<Link> link, ClientFrame frame);
  //! The connection ended: the session detaches (or ends).
  void linkEnded(Link& link);
  //! `url`, shared with every connection that came through the same host (the first few hosts;
  //! the Host header is the client's to choose, so the list is bounded).
  std::shared_ptr<const std::string> resumeUrl(std::string url);
  boost::asio::awaitable<void> identify(Link& link, const ClientFrame& frame);
  boost::asio::awaitable<void> resume(Link& link, const ClientFrame& frame);
  boost::asio::awaitable<void> answerMemberRequest(std::shared_ptr<detail::Session> session, Principal who,
                                                   MemberRequest request, std::size_t worker);
  void presenceMayHaveChanged(std::uint64_t user_id);
  //! RESUME of a session this node does not have: from its shared record and the stream.
  boost::asio::awaitable<std::shared_ptr<detail::Session>>
  resumeElsewhere(std::shared_ptr<net::WsConnection> connection, const ClientFrame& frame, std::size_t worker);
  //! Stores the session's checkpoint (shared sessions only).
  void checkpoint(detail::Session& session);
  GatewayConfig config_;
  const core::Clock& clock_;
  GatewayHooks hooks_;
  std::shared_ptr<Registry> registry_;
  std::shared_ptr<Watchdog> watchdog_;
  std::mutex urls_mutex_;
  std::vector<std::shared_ptr<const std::string>> urls_; //!< resumeUrl's, at most kSharedUrls
};

} // namespace hearth::gateway
