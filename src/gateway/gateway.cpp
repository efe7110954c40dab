#include "gateway/gateway.hpp"

#include <algorithm>
#include <atomic>
#include <list>
#include <mutex>
#include <random>
#include <unordered_map>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "net/json_body.hpp"

namespace hearth::gateway {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

constexpr std::size_t kMaxCustomStatus = 128;
constexpr std::size_t kMaxMemberIds = 100;
constexpr int kMaxMemberLimit = 1000;
constexpr std::size_t kChunkSize = 1000;
constexpr std::size_t kMaxNonce = 32;

core::Error badPayload(std::string message) {
  return core::Error{core::ErrorCode::kInvalidFormBody, std::move(message)};
}

std::optional<std::uint64_t> snowflakeOf(const json::value& value) {
  if (!value.is_string()) return std::nullopt;
  const auto& text = value.as_string();
  if (text.empty() || text.size() > 20) return std::nullopt;
  std::uint64_t out = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    if (out > (UINT64_MAX - static_cast<std::uint64_t>(c - '0')) / 10) return std::nullopt;
    out = out * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return out == 0 ? std::nullopt : std::optional(out);
}

// op 3 (or IDENTIFY's `presence`): {since, activities, status, afk}.
core::Result<PresenceInput> parsePresence(const json::value& d) {
  if (!d.is_object()) return std::unexpected(badPayload("A presence update needs an object"));
  const auto& object = d.as_object();
  PresenceInput out;
  const auto* status = object.if_contains("status");
  if (status == nullptr || !status->is_string()) return std::unexpected(badPayload("A presence needs a \"status\""));
  out.status = std::string(status->as_string());
  if (out.status != "online" && out.status != "idle" && out.status != "dnd" && out.status != "invisible") {
    return std::unexpected(badPayload("Unknown status \"" + out.status.substr(0, 16) + "\""));
  }
  if (const auto* since = object.if_contains("since"); since != nullptr && since->is_int64()) {
    out.since = since->as_int64();
  }
  if (const auto* afk = object.if_contains("afk"); afk != nullptr && afk->is_bool()) out.afk = afk->as_bool();
  if (const auto* activities = object.if_contains("activities"); activities != nullptr && !activities->is_null()) {
    if (!activities->is_array() || activities->as_array().size() > 5) {
      return std::unexpected(badPayload("\"activities\" must be an array of at most 5"));
    }
    // Users set a custom status (type 4); games and streams come from bots and are not kept.
    for (const auto& activity : activities->as_array()) {
      if (!activity.is_object()) return std::unexpected(badPayload("An activity must be an object"));
      const auto* type = activity.as_object().if_contains("type");
      const auto* state = activity.as_object().if_contains("state");
      if (type != nullptr && type->is_int64() && type->as_int64() == 4 && state != nullptr && state->is_string()) {
        out.custom_status = std::string(state->as_string());
        if (net::jsonEscape(out.custom_status).size() > kMaxCustomStatus * 6 ||
            out.custom_status.size() > kMaxCustomStatus * 4) {
          return std::unexpected(badPayload("A custom status is at most 128 characters"));
        }
      }
    }
  }
  return out;
}

core::Result<MemberRequest> parseMemberRequest(const json::value& d) {
  if (!d.is_object()) return std::unexpected(badPayload("REQUEST_GUILD_MEMBERS needs an object"));
  const auto& object = d.as_object();
  MemberRequest out;
  const auto* guild = object.if_contains("guild_id");
  // Discord also takes an array of servers; one at a time here.
  const auto guild_id = guild != nullptr ? snowflakeOf(*guild) : std::nullopt;
  if (!guild_id) return std::unexpected(badPayload("\"guild_id\" must be a snowflake string"));
  out.guild_id = *guild_id;
  if (const auto* query = object.if_contains("query"); query != nullptr && !query->is_null()) {
    if (!query->is_string() || query->as_string().size() > 100) {
      return std::unexpected(badPayload("\"query\" must be a string of at most 100 characters"));
    }
    out.query = std::string(query->as_string());
  }
  if (const auto* limit = object.if_contains("limit"); limit != nullptr && !limit->is_null()) {
    if (!limit->is_int64() || limit->as_int64() < 0 || limit->as_int64() > kMaxMemberLimit) {
      return std::unexpected(badPayload("\"limit\" must be 0-1000"));
    }
    out.limit = static_cast<int>(limit->as_int64());
  }
  if (const auto* ids = object.if_contains("user_ids"); ids != nullptr && !ids->is_null()) {
    if (ids->is_string()) {
      const auto one = snowflakeOf(*ids);
      if (!one) return std::unexpected(badPayload("\"user_ids\" must be snowflakes"));
      out.user_ids.push_back(*one);
    } else if (ids->is_array() && ids->as_array().size() <= kMaxMemberIds) {
      for (const auto& element : ids->as_array()) {
        const auto one = snowflakeOf(element);
        if (!one) return std::unexpected(badPayload("\"user_ids\" must be snowflakes"));
        out.user_ids.push_back(*one);
      }
    } else {
      return std::unexpected(badPayload("\"user_ids\" must be at most 100 snowflakes"));
    }
  }
  if (const auto* presences = object.if_contains("presences"); presences != nullptr && presences->is_bool()) {
    out.presences = presences->as_bool();
  }
  if (const auto* nonce = object.if_contains("nonce"); nonce != nullptr && !nonce->is_null()) {
    if (!nonce->is_string() || nonce->as_string().size() > kMaxNonce) {
      return std::unexpected(badPayload("\"nonce\" must be a string of at most 32 characters"));
    }
    out.nonce = std::string(nonce->as_string());
  }
  return out;
}

} // namespace

core::Result<ClientFrame> parseClientFrame(std::string_view text) {
  auto parsed = net::parseJson(text);
  if (!parsed) return std::unexpected(parsed.error());
  if (!parsed->is_object()) return core::fail(core::ErrorCode::kInvalidJson, "A gateway frame must be a JSON object");
  const auto& object = parsed->as_object();
  const auto* op = object.if_contains("op");
  if (op == nullptr || !op->is_int64() || op->as_int64() < 0 || op->as_int64() > 255) {
    return core::fail(core::ErrorCode::kInvalidJson, "A gateway frame needs an integer \"op\"");
  }
  ClientFrame frame;
  frame.op = static_cast<int>(op->as_int64());
  static const json::value null_value;
  const auto* d = object.if_contains("d");
  if (d == nullptr) d = &null_value;
  if (d->is_int64()) frame.heartbeat_seq = d->as_int64();
  if (d->is_uint64() && d->as_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
    frame.heartbeat_seq = static_cast<std::int64_t>(d->as_uint64());
  }
  if (d->is_object()) {
    const auto& data = d->as_object();
    const auto* token = data.if_contains("token");
    if (token != nullptr && token->is_string()) frame.token = std::string(token->as_string());
    if (frame.op == static_cast<int>(Op::kIdentify)) {
      if (const auto* presence = data.if_contains("presence"); presence != nullptr && !presence->is_null()) {
        auto parsed_presence = parsePresence(*presence);
        if (!parsed_presence) return std::unexpected(parsed_presence.error());
        frame.presence = std::move(*parsed_presence);
      }
    }
    if (frame.op == static_cast<int>(Op::kResume)) {
      const auto* session = data.if_contains("session_id");
      const auto* seq = data.if_contains("seq");
      if (session == nullptr || !session->is_string() || session->as_string().size() > 64) {
        return std::unexpected(badPayload("RESUME needs a \"session_id\""));
      }
      frame.resume_session = std::string(session->as_string());
      if (seq != nullptr && seq->is_int64() && seq->as_int64() >= 0) {
        frame.resume_seq = seq->as_int64();
      } else if (seq == nullptr || !seq->is_null()) {
        return std::unexpected(badPayload("RESUME needs a \"seq\""));
      } else {
        frame.resume_seq = 0; // null: nothing received yet
      }
    }
  }
  // These two are judged after "are you identified?", so their errors wait in the frame.
  if (frame.op == static_cast<int>(Op::kPresenceUpdate)) {
    auto presence = parsePresence(*d);
    if (presence) {
      frame.presence = std::move(*presence);
    } else {
      frame.payload_error = presence.error();
    }
  }
  if (frame.op == static_cast<int>(Op::kRequestGuildMembers)) {
    auto request = parseMemberRequest(*d);
    if (request) {
      frame.members = std::move(*request);
    } else {
      frame.payload_error = request.error();
    }
  }
  return frame;
}

CloseCode closeCodeFor(core::ErrorCode code) noexcept {
  switch (code) {
  case core::ErrorCode::kInvalidJson:
  case core::ErrorCode::kInvalidFormBody: return CloseCode::kDecodeError;
  case core::ErrorCode::kUnauthorized: return CloseCode::kAuthenticationFailed;
  case core::ErrorCode::kRateLimited: return CloseCode::kRateLimited;
  default: return CloseCode::kUnknownError;
  }
}

bool resumable(std::uint16_t code) noexcept {
  switch (code) {
  case 1000:
  case 1001:
  case static_cast<std::uint16_t>(CloseCode::kAuthenticationFailed):
  case static_cast<std::uint16_t>(CloseCode::kInvalidSeq):
  case 4010:
  case 4011:
  case 4012:
  case 4013:
  case 4014: return false;
  default: return true;
  }
}

namespace {

std::string randomSessionId() {
  thread_local std::mt19937_64 generator{std::random_device{}()};
  return fmt::format("{:016x}{:016x}", generator(), generator());
}

std::string orEmpty(const std::string& json, const char* fallback) { return json.empty() ? fallback : json; }

std::shared_ptr<const std::string> frameOf(Op op, std::string d_json) {
  return std::make_shared<const std::string>("{\"op\":" + std::to_string(static_cast<int>(op)) + ",\"d\":" + d_json +
                                             ",\"s\":null,\"t\":null}");
}

// A dispatch is `{"op":0,"s":<seq>,"t":"<type>","d":<data>}`: the prefix and the session's
// sequence number, then the body every session shares (net::WsText).
constexpr const char* kDispatchPrefix = "{\"op\":0,\"s\":";

std::shared_ptr<const std::string> dispatchBody(std::string_view type, std::string_view data) {
  std::string body;
  body.reserve(data.size() + type.size() + 12);
  body += ",\"t\":\"";
  body += type;
  body += "\",\"d\":";
  body += data;
  body += '}';
  return std::make_shared<const std::string>(std::move(body));
}

net::WsText dispatchFrame(std::int64_t seq, std::shared_ptr<const std::string> body) {
  return {kDispatchPrefix, seq, std::move(body)};
}

// A bug met while handling a frame ends the connection, not the thread.
void closeForError(net::WsConnection& connection, const std::exception& error) {
  spdlog::error("gateway {}: handling a frame threw: {}", connection.remoteAddress(), error.what());
  connection.close(1011, "internal error");
}

void closeWith(net::WsConnection& connection, CloseCode code, std::string reason) {
  spdlog::info("gateway {}: closing {} ({})", connection.remoteAddress(), static_cast<int>(code), reason);
  connection.close(static_cast<std::uint16_t>(code), std::move(reason));
}

} // namespace

namespace detail {

// A dispatch's body (dispatchBody()), one copy per worker thread, made on first use. Each session
// holds the copy of its connection's thread: counting its references (deliver, then that thread's
// flush and acknowledgements) then keeps to one core, instead of thousands of atomic updates on
// one cache line that every thread's flush pulls back and forth.
class Bodies {
public:
  //! Without `per_worker`, every thread shares `body` (for a dispatch to one session).
  Bodies(std::shared_ptr<const std::string> body, bool per_worker) : first_(std::move(body)), per_worker_(per_worker) {}
  const std::shared_ptr<const std::string>& forWorker(std::uint32_t worker) {
    if (worker == 0 || !per_worker_) return first_;
    if (copies_.size() < worker) copies_.resize(worker);
    auto& copy = copies_[worker - 1];
    if (!copy) copy = std::make_shared<const std::string>(*first_);
    return copy;
  }

private:
  std::shared_ptr<const std::string> first_;
  bool per_worker_;
  std::vector<std::shared_ptr<const std::string>> copies_; //!< for the threads 1, 2...
};

// One IDENTIFY: its sequence, the dispatches the client may not have received yet, and the
// connection it is attached to, if any. Outlives its connection for the resume window.
//
// Laid out for the fan-out: a message to a large server visits thousands of sessions, each from
// cold memory, so what every dispatch touches (deliver, flush) comes first, within two cache
// lines of an aligned allocation; the rest follows.
struct alignas(64) Session {
  struct Buffered {
    std::int64_t seq = 0;
    std::shared_ptr<const std::string> body; //!< dispatchBody()
    std::uint64_t pos = 0; //!< the event's position in the shared stream, 0 for none
  };

  // -- first cache line
  mutable std::mutex mutex;
  std::int64_t seq = 0;
  std::uint32_t first = 0; //!< `buffer`'s first entry not yet acknowledged or dropped
  //! Changes with every attach and detach: a flush meant for an earlier one sends nothing (a
  //! connection that takes over replays the buffer, which holds those frames).
  std::uint32_t attachment = 0;
  std::uint32_t worker = 0; //!< the attached connection's thread (its index among the server's)
  bool attached = false;
  bool ended = false;
  //! Being resumed from another node's record: dispatches wait in `held` until the replay is out.
  bool replaying = false;
  bool flush_posted = false; //!< a flush for the current attachment is on its way
  // -- second cache line
  std::vector<Buffered> buffer; //!< from `first` on: dispatches after the last acknowledged one
  //! Frames for the attached connection, waiting for its thread (flush). Appended in sequence
  //! order under `mutex` and taken whole by each flush, so they leave in that order whichever
  //! thread queued them and whichever flush sends them.
  std::vector<net::WsText> outbox;
  std::weak_ptr<net::WsConnection> connection; //!< empty while detached
  // -- the rest
  std::int64_t dropped_through = 0; //!< dispatches up to this seq are no longer replayable
  std::int64_t acknowledged = 0; //!< the client has everything through this seq
  std::vector<Buffered> held;
  asio::any_io_executor executor;
  std::string id;
  std::uint64_t user_id = 0;
  std::uint64_t sign_in = 0; //!< the sign-in session (`sid`)
  std::chrono::steady_clock::time_point detached_at;
  //! Detached, and its presence still counts (GatewayConfig::presence_grace) until a sweep.
  bool presence_held = false;
  PresenceInput presence;

  // Caller holds `mutex`.
  void attachLocked(std::weak_ptr<net::WsConnection> to, asio::any_io_executor on, std::size_t on_worker) {
    connection = std::move(to);
    executor = std::move(on);
    worker = static_cast<std::uint32_t>(on_worker);
    attached = true;
    newAttachmentLocked();
  }
  // Caller holds `mutex`.
  void detachLocked() {
    connection.reset();
    attached = false;
    newAttachmentLocked();
  }
  void newAttachmentLocked() {
    ++attachment;
    outbox.clear();
    flush_posted = false;
  }

  // Caller holds `mutex`. Queues `frame` for the attached connection; true when a flush (on
  // `executor`, for `attachment`) must be posted for it.
  bool queueLocked(net::WsText frame) {
    if (!attached) return false;
    outbox.push_back(std::move(frame));
    if (flush_posted) return false;
    flush_posted = true;
    return true;
  }

  // On the connection's thread: sends what the outbox holds.
  void flush(std::uint32_t for_attachment) {
    // The thread's own vector carries the frames out of the lock; it and the outbox keep their
    // capacity, so a steady stream of events allocates nothing here.
    thread_local std::vector<net::WsText> frames;
    std::shared_ptr<net::WsConnection> alive;
    {
      std::lock_guard lock(mutex);
      if (attachment != for_attachment) return;
      flush_posted = false;
      frames.assign(std::make_move_iterator(outbox.begin()), std::make_move_iterator(outbox.end()));
      outbox.clear();
      if (outbox.capacity() > kKeepOutbox) outbox.shrink_to_fit(); // after a burst
      alive = connection.lock();
    }
    // Written here and now: this is already the connection's thread, and its turn.
    if (alive && alive->isOpen()) alive->sendNow(frames);
    frames.clear();
  }
  static constexpr std::size_t kKeepOutbox = 4;

  // Caller holds `mutex`.
  void trimLocked(std::size_t limit) {
    while (buffer.size() - first > limit) {
      dropped_through = buffer[first].seq;
      buffer[first].body.reset();
      ++first;
    }
    if (first > 0 && first * 2 >= buffer.size()) {
      buffer.erase(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(first));
      first = 0;
      if (buffer.empty()) buffer.shrink_to_fit();
    }
  }

  //! What deliver() did: whether it was taken, and the flush to post (on the thread `worker`)
  //! when one is due.
  struct Delivered {
    bool queued = false;
    bool flush = false;
    std::uint32_t worker = 0;
    std::uint32_t attachment = 0;
  };

  //! Takes a dispatch for this session: numbered, kept for a resume, and queued for the attached
  //! connection. When a flush is due, `executors` gets the connection's thread's executor at the
  //! index `worker` unless it has it already (copied once per thread, not once per session).
  Delivered deliver(Bodies& bodies, std::size_t limit, std::uint64_t pos,
                    std::vector<asio::any_io_executor>& executors) {
    std::lock_guard lock(mutex);
    if (ended) return {};
    const auto& body = bodies.forWorker(worker);
    if (replaying) {
      held.push_back({0, body, pos});
      return {.queued = true, .flush = false, .worker = worker, .attachment = 0};
    }
    ++seq;
    buffer.push_back({seq, body, pos});
    trimLocked(limit);
    if (!attached || !queueLocked(dispatchFrame(seq, body)))
      return {.queued = true, .flush = false, .worker = worker, .attachment = 0};
    if (executors.size() <= worker) executors.resize(worker + 1);
    if (!executors[worker]) executors[worker] = executor;
    return {.queued = true, .flush = true, .worker = worker, .attachment = attachment};
  }

  //! deliver() for one session, posting the flush itself.
  static bool deliverTo(const std::shared_ptr<Session>& session, std::shared_ptr<const std::string> body,
                        std::size_t limit, std::uint64_t pos) {
    Bodies bodies(std::move(body), false);
    std::vector<asio::any_io_executor> executors;
    const auto done = session->deliver(bodies, limit, pos, executors);
    if (done.flush) {
      asio::post(executors[done.worker], [session, attachment = done.attachment] { session->flush(attachment); });
    }
    return done.queued;
  }

  // The client has everything through `acknowledged` (its heartbeat says so).
  void acknowledge(std::int64_t through) {
    std::lock_guard lock(mutex);
    if (through > seq) return;
    acknowledged = std::max(acknowledged, through);
    while (first < buffer.size() && buffer[first].seq <= through) {
      buffer[first].body.reset();
      ++first;
    }
    trimLocked(SIZE_MAX);
  }
};

} // namespace detail

using detail::Bodies;
using detail::Session;

// Sessions by id and by user; which users' presence was last announced.
struct Gateway::Registry {
  mutable std::mutex mutex;
  std::unordered_map<std::string, std::shared_ptr<Session>> by_id;
  std::unordered_map<std::uint64_t, std::vector<std::shared_ptr<Session>>> by_user;
  //! by_user's keys, listed again only after one came or went (every event asks for them).
  std::vector<std::uint64_t> users;
  bool users_current = false;
  //! Presence: what this node last published of each user (several nodes), and the board
  //! every node's summaries meet on. `presence_mutex` orders publishing (never held with `mutex`).
  std::mutex presence_mutex;
  std::unordered_map<std::uint64_t, NodePresence> published;
  PresenceBoard board;

  void add(const std::shared_ptr<Session>& session) {
    std::lock_guard lock(mutex);
    by_id[session->id] = session;
    addToUserLocked(session);
  }
  //! Adds the session unless one of that id is here already.
  bool addIfAbsent(const std::shared_ptr<Session>& session) {
    std::lock_guard lock(mutex);
    if (by_id.contains(session->id)) return false;
    by_id[session->id] = session;
    addToUserLocked(session);
    return true;
  }
  void addToUserLocked(const std::shared_ptr<Session>& session) {
    auto& sessions = by_user[session->user_id];
    if (sessions.empty()) users_current = false;
    sessions.push_back(session);
  }
  void remove(const Session& session) {
    std::lock_guard lock(mutex);
    removeLocked(session);
  }
  void removeLocked(const Session& session) {
    by_id.erase(session.id);
    const auto found = by_user.find(session.user_id);
    if (found == by_user.end()) return;
    std::erase_if(found->second, [&](const std::shared_ptr<Session>& entry) { return entry.get() == &session; });
    if (found->second.empty()) {
      by_user.erase(found);
      users_current = false;
    }
  }
  std::vector<std::shared_ptr<Session>> sessionsOf(std::uint64_t user_id) const {
    std::lock_guard lock(mutex);
    const auto found = by_user.find(user_id);
    return found == by_user.end() ? std::vector<std::shared_ptr<Session>>{} : found->second;
  }
  std::shared_ptr<Session> find(const std::string& id) const {
    std::lock_guard lock(mutex);
    const auto found = by_id.find(id);
    return found == by_id.end() ? nullptr : found->second;
  }
};

// The heartbeat deadlines of this node's connections, checked by one timer for all of them
// rather than a timer and a coroutine per connection (an idle connection then costs only its
// entry here). The timer runs while there are connections and stops with the last one, on the
// executor of the connection that started it (the last one leaving cancels its wait); a
// connection past its deadline is closed with 4009 on its own executor. Deadlines are read
// against the injected clock, so tests move time.
struct Gateway::Watchdog {
  struct Entry {
    std::weak_ptr<net::WsConnection> connection;
    std::atomic<std::chrono::steady_clock::rep> deadline{0}; //!< steady ticks; set by its connection
    bool fired = false; //!< guarded by `mutex`
  };
  using Entries = std::list<Entry>;

  Watchdog(const core::Clock& watch_clock, std::chrono::milliseconds watch_period)
      : clock(watch_clock), period(watch_period) {}

  const core::Clock& clock;
  const std::chrono::milliseconds period;
  std::mutex mutex;
  Entries entries;
  std::shared_ptr<asio::steady_timer> timer; //!< the running sweep's; none while none runs

  static void setDeadline(Entry& entry, std::chrono::steady_clock::time_point deadline) {
    entry.deadline.store(deadline.time_since_epoch().count(), std::memory_order_relaxed);
  }

  Entries::iterator add(std::shared_ptr<Watchdog> self, const std::shared_ptr<net::WsConnection>& connection,
                        const asio::any_io_executor& executor, std::chrono::steady_clock::time_point deadline) {
    std::lock_guard lock(mutex);
    auto entry = entries.emplace(entries.end());
    entry->connection = connection;
    setDeadline(*entry, deadline);
    if (!timer) {
      timer = std::make_shared<asio::steady_timer>(executor);
      asio::co_spawn(executor, sweep(std::move(self), timer), asio::detached);
    }
    return entry;
  }

  void remove(Entries::iterator entry) {
    std::lock_guard lock(mutex);
    entries.erase(entry);
    if (entries.empty() && timer) {
      // A timer is touched on its own thread only.
      asio::post(timer->get_executor(), [running = timer] { running->cancel(); });
    }
  }

  static asio::awaitable<void> sweep(std::shared_ptr<Watchdog> self, std::shared_ptr<asio::steady_timer> timer) {
    for (;;) {
      timer->expires_after(self->period);
      co_await timer->async_wait(asio::as_tuple(asio::use_awaitable));
      const auto now = self->clock.steadyNow().time_since_epoch().count();
      std::lock_guard lock(self->mutex);
      if (self->entries.empty()) {
        self->timer.reset();
        co_return;
      }
      for (auto& entry : self->entries) {
        if (entry.fired || now <= entry.deadline.load(std::memory_order_relaxed)) continue;
        entry.fired = true;
        // Closed on its own thread (a connection that is gone needs nothing).
        if (auto alive = entry.connection.lock()) {
          asio::post(alive->executor(),
                     [alive] { closeWith(*alive, CloseCode::kSessionTimedOut, "Heartbeat not received in time"); });
        }
      }
    }
  }
};

// One connection while it runs: what its frames act on.
struct Gateway::Link {
  std::shared_ptr<net::WsConnection> connection;
  std::size_t worker = 0;
  std::shared_ptr<const std::string> resume_url; //!< READY's resume_gateway_url (shared: one per host)
  Watchdog::Entries::iterator watch;
  std::shared_ptr<Session> session; //!< set by IDENTIFY or RESUME
  bool ending_session = false; //!< closed with a code that ends the session
  // Arrival times (ms) inside the rate window, oldest first. Mostly a few heartbeats: the
  // vector is kept small rather than holding a deque's 512-byte block per connection.
  std::vector<std::int64_t> recent_frames;
  std::function<void()> ended; //!< tells the server the connection is done with (once)

  void endWith(CloseCode code, std::string reason) {
    if (!resumable(static_cast<std::uint16_t>(code))) ending_session = true;
    closeWith(*connection, code, std::move(reason));
  }
};

namespace {

// This node's summary of a user's sessions: attached ones, and those whose connection dropped
// less than `grace` ago (most come back with RESUME within seconds; they keep their status
// meanwhile, so a network blip or a reconnect storm changes nobody's presence).
NodePresence localPresence(const std::vector<std::shared_ptr<Session>>& sessions,
                           std::chrono::steady_clock::time_point now, std::chrono::milliseconds grace) {
  NodePresence out;
  for (const auto& session : sessions) {
    std::lock_guard lock(session->mutex);
    if (session->ended) continue;
    if (!session->attached && !(session->presence_held && now - session->detached_at < grace)) continue;
    out.rank = std::max(out.rank, presenceRank(session->presence.status));
    if (out.custom_status.empty()) out.custom_status = session->presence.custom_status;
    if (session->attached && !session->presence.afk) out.foreground = true;
  }
  if (out.rank == 0) {
    out.custom_status.clear();
    out.foreground = false;
  }
  return out;
}

std::string presenceObject(std::uint64_t user_id, const PresenceView& view) {
  return "{\"user\":{\"id\":\"" + std::to_string(user_id) + "\"},\"status\":\"" + view.status +
         "\",\"activities\":" + view.activities +
         ",\"client_status\":" + (view.status == "offline" ? std::string("{}") : "{\"web\":\"" + view.status + "\"}") +
         "}";
}

} // namespace

Gateway::Gateway(GatewayConfig config, const core::Clock& clock, GatewayHooks hooks)
    : config_(config), clock_(clock), hooks_(std::move(hooks)), registry_(std::make_shared<Registry>()) {
  if (config_.heartbeat_grace.count() == 0) config_.heartbeat_grace = config_.heartbeat_interval / 2;
  watchdog_ =
      std::make_shared<Watchdog>(clock_, std::clamp(config_.heartbeat_interval / 8, std::chrono::milliseconds(10),
                                                    std::chrono::milliseconds(1000)));
}

Gateway::Gateway(GatewayConfig config, const core::Clock& clock, IdentifyFn identify)
    : Gateway(config, clock, GatewayHooks{std::move(identify), {}, {}, {}, {}, {}}) {}

Gateway::~Gateway() = default;

void Gateway::presenceMayHaveChanged(std::uint64_t user_id) {
  if (!hooks_.shared_presence.publish) {
    // One node: the board is this node's alone.
    std::lock_guard lock(registry_->presence_mutex);
    auto presence = localPresence(registry_->sessionsOf(user_id), clock_.steadyNow(), config_.presence_grace);
    if (auto view = registry_->board.set("", user_id, std::move(presence))) {
      if (hooks_.presence_changed) hooks_.presence_changed(user_id, view->status, view->activities);
    }
    return;
  }
  // Several nodes: publish this node's summary when it changed; every node's board applies it
  // from the stream (applyPresence), in the stream's order.
  std::lock_guard lock(registry_->presence_mutex);
  NodePresence presence = localPresence(registry_->sessionsOf(user_id), clock_.steadyNow(), config_.presence_grace);
  const auto found = registry_->published.find(user_id);
  if (found == registry_->published.end() ? presence.rank == 0 : found->second == presence) return;
  if (presence.rank == 0) {
    registry_->published.erase(found);
  } else {
    registry_->published[user_id] = presence;
  }
  hooks_.shared_presence.publish(user_id, presence);
}

void Gateway::applyPresence(const std::string& node, std::uint64_t user_id, NodePresence presence) {
  if (auto view = registry_->board.set(node, user_id, std::move(presence))) {
    if (hooks_.presence_changed) hooks_.presence_changed(user_id, view->status, view->activities);
  }
}

void Gateway::nodeGone(const std::string& node) {
  for (const auto& [user_id, view] : registry_->board.dropNode(node)) {
    if (hooks_.presence_changed) hooks_.presence_changed(user_id, view.status, view.activities);
  }
}

void Gateway::republishPresence() {
  if (!hooks_.shared_presence.publish) return;
  std::lock_guard lock(registry_->presence_mutex);
  for (const auto& [user_id, presence] : registry_->published)
    hooks_.shared_presence.publish(user_id, presence);
}

PresenceActivity Gateway::activity(std::uint64_t user_id) const { return registry_->board.activity(user_id); }

std::string Gateway::presenceJson(std::uint64_t user_id) const {
  const auto view = registry_->board.view(user_id);
  return view.status == "offline" ? std::string() : presenceObject(user_id, view);
}

std::string Gateway::presencesJson(const std::vector<std::uint64_t>& users) const {
  std::string out = "[";
  for (const auto user : users) {
    const std::string presence = presenceJson(user);
    if (presence.empty()) continue;
    if (out.size() > 1) out += ',';
    out += presence;
  }
  out += ']';
  return out;
}

std::size_t Gateway::closeSessions(std::uint64_t user_id, std::uint64_t session_id, std::uint64_t except_session) {
  std::vector<std::shared_ptr<Session>> targets;
  {
    std::lock_guard lock(registry_->mutex);
    const auto found = registry_->by_user.find(user_id);
    if (found == registry_->by_user.end()) return 0;
    for (const auto& session : found->second) {
      if (session_id != 0 && session->sign_in != session_id) continue;
      if (except_session != 0 && session->sign_in == except_session) continue;
      targets.push_back(session);
    }
    for (const auto& session : targets)
      registry_->removeLocked(*session);
  }
  for (auto& session : targets) {
    if (hooks_.shared.drop) hooks_.shared.drop(session->id);
    std::lock_guard lock(session->mutex);
    session->ended = true;
    if (!session->attached) continue;
    asio::post(session->executor, [weak = session->connection] {
      if (auto alive = weak.lock()) closeWith(*alive, CloseCode::kAuthenticationFailed, "Session ended; sign in again");
    });
  }
  if (!targets.empty()) presenceMayHaveChanged(user_id);
  return targets.size();
}

std::size_t Gateway::dispatch(std::uint64_t user_id, const std::string& type, std::shared_ptr<const std::string> data,
                              std::uint64_t pos) {
  return dispatchToEach({user_id}, type, data, pos);
}

std::size_t Gateway::dispatchToEach(const std::vector<std::uint64_t>& user_ids, const std::string& type,
                                    const std::shared_ptr<const std::string>& data, std::uint64_t pos) {
  // One look at the registry for all of them, and one post per thread rather than one per
  // session: a message to a large server reaches thousands of sessions at once.
  std::vector<std::shared_ptr<Session>> sessions;
  {
    std::lock_guard lock(registry_->mutex);
    sessions.reserve(user_ids.size());
    for (const auto user_id : user_ids) {
      const auto found = registry_->by_user.find(user_id);
      if (found != registry_->by_user.end())
        sessions.insert(sessions.end(), found->second.begin(), found->second.end());
    }
  }
  if (sessions.empty()) return 0;
  std::vector<asio::any_io_executor> executors; // by thread, for those with flushes
  std::vector<std::vector<std::pair<std::shared_ptr<Session>, std::uint32_t>>> flushes; // by thread
  std::size_t queued = 0;
  Bodies bodies(dispatchBody(type, *data), true); // serialised once for all of them
  for (auto& session : sessions) {
    const auto done = session->deliver(bodies, config_.replay_limit, pos, executors);
    if (done.queued) ++queued;
    if (!done.flush) continue;
    if (flushes.size() <= done.worker) flushes.resize(done.worker + 1);
    flushes[done.worker].emplace_back(std::move(session), done.attachment);
  }
  for (std::size_t worker = 0; worker < flushes.size(); ++worker) {
    if (flushes[worker].empty()) continue;
    asio::post(executors[worker], [batch = std::move(flushes[worker])] {
      for (const auto& [session, attachment] : batch)
        session->flush(attachment);
    });
  }
  return queued;
}

void Gateway::sessionMovedAway(const std::string& id) {
  auto session = registry_->find(id);
  if (!session) return;
  registry_->remove(*session);
  {
    std::lock_guard lock(session->mutex);
    session->ended = true;
    if (session->attached) {
      asio::post(session->executor, [weak = session->connection] {
        if (auto alive = weak.lock()) closeWith(*alive, CloseCode::kUnknownError, "Session resumed on another node");
      });
    }
  }
  presenceMayHaveChanged(session->user_id);
}

void Gateway::checkpoint(Session& session) {
  if (!hooks_.shared.save || !hooks_.shared.watermark) return;
  // Read first: every event at or before it is in the buffer already, or acknowledged.
  const std::uint64_t delivered = hooks_.shared.watermark();
  SessionRecord record;
  {
    std::lock_guard lock(session.mutex);
    if (session.ended) return;
    record.id = session.id;
    record.user_id = session.user_id;
    record.sign_in = session.sign_in;
    record.seq = session.acknowledged;
    record.pos = delivered;
    // What is still unacknowledged must be replayed: the checkpoint stays before it.
    for (std::size_t index = session.first; index < session.buffer.size(); ++index) {
      const auto pos = session.buffer[index].pos;
      if (pos != 0 && session.buffer[index].seq > session.acknowledged) record.pos = std::min(record.pos, pos - 1);
    }
  }
  hooks_.shared.save(record, config_.resume_window + 2 * config_.heartbeat_interval);
}

std::vector<std::uint64_t> Gateway::connectedUsers() const {
  std::lock_guard lock(registry_->mutex);
  auto& users = registry_->users;
  if (!registry_->users_current) {
    users.clear();
    users.reserve(registry_->by_user.size());
    for (const auto& [user, sessions] : registry_->by_user)
      users.push_back(user);
    if (users.capacity() > 2 * users.size() + 64) users.shrink_to_fit();
    registry_->users_current = true;
  }
  return users;
}

std::size_t Gateway::identifiedConnections() const {
  std::vector<std::shared_ptr<Session>> sessions;
  {
    std::lock_guard lock(registry_->mutex);
    sessions.reserve(registry_->by_id.size());
    for (const auto& [id, session] : registry_->by_id)
      sessions.push_back(session);
  }
  std::size_t count = 0;
  for (const auto& session : sessions) {
    std::lock_guard lock(session->mutex);
    if (session->attached) ++count;
  }
  return count;
}

void Gateway::sweep() {
  const auto now = clock_.steadyNow();
  std::vector<std::shared_ptr<Session>> sessions;
  {
    std::lock_guard lock(registry_->mutex);
    for (const auto& [id, session] : registry_->by_id)
      sessions.push_back(session);
  }
  std::vector<std::shared_ptr<Session>> expired;
  std::vector<std::uint64_t> presence_ended;
  for (const auto& session : sessions) {
    std::lock_guard lock(session->mutex);
    if (session->attached) continue;
    if (session->presence_held && now - session->detached_at >= config_.presence_grace) {
      session->presence_held = false;
      presence_ended.push_back(session->user_id);
    }
    if (now - session->detached_at > config_.resume_window) {
      session->ended = true;
      expired.push_back(session);
    }
  }
  if (!expired.empty()) {
    std::lock_guard lock(registry_->mutex);
    for (const auto& session : expired)
      registry_->removeLocked(*session);
  }
  std::sort(presence_ended.begin(), presence_ended.end());
  presence_ended.erase(std::unique(presence_ended.begin(), presence_ended.end()), presence_ended.end());
  for (const auto user_id : presence_ended)
    presenceMayHaveChanged(user_id);
}

void Gateway::startSweeper(asio::any_io_executor executor) {
  // Holds the registry only weakly, so it ends with the gateway.
  asio::co_spawn(
      executor,
      [weak = std::weak_ptr<Registry>(registry_), this]() -> asio::awaitable<void> {
        asio::steady_timer timer(co_await asio::this_coro::executor);
        for (;;) {
          timer.expires_after(std::chrono::seconds(5));
          co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
          if (weak.expired()) co_return;
          sweep();
        }
      },
      asio::detached);
}

asio::awaitable<void> Gateway::answerMemberRequest(std::shared_ptr<Session> session, Principal who,
                                                   MemberRequest request, std::size_t worker) {
  MemberAnswer answer;
  if (hooks_.request_members) {
    auto found = co_await hooks_.request_members(who, request, worker);
    if (!found) {
      spdlog::warn("gateway: member request for server {} failed: {}", request.guild_id, found.error().message);
    } else {
      answer = std::move(*found);
    }
  }
  const std::size_t chunks = std::max<std::size_t>(1, (answer.members_json.size() + kChunkSize - 1) / kChunkSize);
  for (std::size_t chunk = 0; chunk < chunks; ++chunk) {
    const std::size_t begin = chunk * kChunkSize;
    const std::size_t end = std::min(answer.members_json.size(), begin + kChunkSize);
    std::string data = "{\"guild_id\":\"" + std::to_string(request.guild_id) + "\",\"members\":[";
    for (std::size_t index = begin; index < end; ++index) {
      if (index > begin) data += ',';
      data += answer.members_json[index];
    }
    data += "],\"chunk_index\":" + std::to_string(chunk) + ",\"chunk_count\":" + std::to_string(chunks);
    if (chunk == 0 && !answer.not_found.empty()) {
      data += ",\"not_found\":[";
      for (std::size_t index = 0; index < answer.not_found.size(); ++index) {
        if (index > 0) data += ',';
        data += "\"" + std::to_string(answer.not_found[index]) + "\"";
      }
      data += "]";
    }
    if (request.presences) {
      const std::vector<std::uint64_t> users(answer.user_ids.begin() + static_cast<std::ptrdiff_t>(begin),
                                             answer.user_ids.begin() + static_cast<std::ptrdiff_t>(end));
      data += ",\"presences\":" + presencesJson(users);
    }
    if (!request.nonce.empty()) data += ",\"nonce\":\"" + net::jsonEscape(request.nonce) + "\"";
    data += "}";
    Session::deliverTo(session, dispatchBody("GUILD_MEMBERS_CHUNK", data), config_.replay_limit, 0);
  }
}

asio::awaitable<std::shared_ptr<Session>> Gateway::resumeElsewhere(std::shared_ptr<net::WsConnection> connection,
                                                                   const ClientFrame& frame, std::size_t worker) {
  const auto invalid = [&] { connection->send(frameOf(Op::kInvalidSession, "false")); };
  core::Result<Principal> who = core::fail(core::ErrorCode::kUnauthorized, "Authentication failed");
  if (hooks_.authenticate && !frame.token.empty()) who = co_await hooks_.authenticate(frame.token, worker);
  if (!connection->isOpen()) co_return nullptr;
  if (!who) {
    invalid();
    co_return nullptr;
  }
  auto record = co_await hooks_.shared.load(frame.resume_session, worker);
  if (!connection->isOpen()) co_return nullptr;
  if (!record) spdlog::warn("gateway: cannot look up session {}: {}", frame.resume_session, record.error().message);
  if (!record || !*record || (*record)->user_id != who->user_id || (*record)->sign_in != who->session_id) {
    invalid();
    co_return nullptr;
  }
  // Registered before the stream is read, so nothing falls between the replay and what comes
  // live: live dispatches wait in `held`, and those the replay also has are not sent twice.
  auto session = std::make_shared<Session>();
  session->id = frame.resume_session;
  session->user_id = who->user_id;
  session->sign_in = who->session_id;
  session->executor = co_await asio::this_coro::executor;
  session->replaying = true;
  session->seq = frame.resume_seq;
  session->acknowledged = frame.resume_seq;
  session->dropped_through = frame.resume_seq;
  session->detached_at = clock_.steadyNow();
  if (!registry_->addIfAbsent(session)) {
    invalid(); // resumed twice at once
    co_return nullptr;
  }
  const auto give_up = [&] {
    std::lock_guard lock(session->mutex);
    session->ended = true;
  };
  auto missed = co_await hooks_.shared.replay(who->user_id, (*record)->pos, worker);
  if (!missed || !connection->isOpen()) {
    registry_->remove(*session);
    give_up();
    if (!missed) {
      spdlog::info("gateway: session {} not resumed here: {}", session->id, missed.error().message);
      invalid();
    }
    co_return nullptr;
  }
  {
    std::lock_guard lock(session->mutex);
    if (session->ended) { // its sign-in session ended meanwhile
      invalid();
      co_return nullptr;
    }
    std::vector<std::uint64_t> replayed;
    const auto send = [&](const std::shared_ptr<const std::string>& body, std::uint64_t pos) {
      ++session->seq;
      session->buffer.push_back({session->seq, body, pos});
      connection->sendReplay(dispatchFrame(session->seq, body));
    };
    for (const auto& event : *missed) {
      if (event.pos != 0) replayed.push_back(event.pos); // in stream order: sorted
      send(dispatchBody(event.type, *event.data), event.pos);
    }
    for (const auto& live : session->held) {
      if (live.pos == 0 || !std::binary_search(replayed.begin(), replayed.end(), live.pos)) send(live.body, live.pos);
    }
    session->held.clear();
    session->held.shrink_to_fit();
    session->replaying = false;
    session->trimLocked(config_.replay_limit);
    session->attachLocked(connection, session->executor, worker);
    ++session->seq;
    connection->sendReplay(dispatchFrame(session->seq, dispatchBody("RESUMED", "{}")));
  }
  spdlog::info("gateway: session {} resumed from another node ({} dispatches replayed)", session->id, missed->size());
  if (hooks_.shared.moved) hooks_.shared.moved(session->id);
  checkpoint(*session);
  co_return session;
}

void Gateway::run(std::shared_ptr<net::WsConnection> connection, const net::Request& request,
                  std::function<void()> ended) {
  // Discord's transport compression, asked for in the URL (other values are ignored).
  if (request.queryParam("compress") == "zlib-stream") connection->enableZlibStream();
  const std::string host(request.headers.get("Host"));
  // Behind a TLS-terminating proxy the scheme is the proxy's (as GET /gateway answers).
  const char* scheme = request.headers.get("X-Forwarded-Proto") == "https" ? "wss://" : "ws://";
  auto link = std::make_shared<Link>();
  link->connection = connection;
  link->worker = request.worker;
  link->resume_url = resumeUrl(scheme + net::jsonEscape(host) + "/api/v1/gateway");
  link->ended = std::move(ended);
  // The first heartbeat may come up to one interval late (clients jitter it); then the grace.
  link->watch = watchdog_->add(watchdog_, connection, connection->executor(),
                               clock_.steadyNow() + config_.heartbeat_interval + config_.heartbeat_grace);
  connection->send(
      frameOf(Op::kHello, "{\"heartbeat_interval\":" + std::to_string(config_.heartbeat_interval.count()) + "}"));
  // The link lives in the reader, which the connection holds until its last (nullopt) call: an
  // idle connection is its socket's pending read and this, no coroutine frame.
  connection->startReading([this, link](std::optional<std::string> text) {
    if (!text) {
      try {
        linkEnded(*link);
      } catch (const std::exception& error) {
        spdlog::error("gateway {}: ending the connection threw: {}", link->connection->remoteAddress(), error.what());
      }
      link->ended(); // the server hears of the end either way
      return;
    }
    bool read_on = true;
    try {
      read_on = received(link, *text);
    } catch (const std::exception& error) {
      closeForError(*link->connection, error); // and reads on to the close
    }
    if (read_on) link->connection->readMore();
  });
}

std::shared_ptr<const std::string> Gateway::resumeUrl(std::string url) {
  constexpr std::size_t kSharedUrls = 8;
  std::lock_guard lock(urls_mutex_);
  for (const auto& known : urls_) {
    if (*known == url) return known;
  }
  auto made = std::make_shared<const std::string>(std::move(url));
  if (urls_.size() < kSharedUrls) urls_.push_back(made);
  return made;
}

bool Gateway::received(const std::shared_ptr<Link>& link, const std::string& text) {
  auto& connection = *link->connection;
  if (!connection.isOpen()) return true; // closing: read until the client answers the close
  const std::int64_t now_ms = clock_.unixMillis();
  auto& recent_frames = link->recent_frames;
  recent_frames.push_back(now_ms);
  const std::int64_t cutoff = now_ms - config_.rate_window.count();
  recent_frames.erase(recent_frames.begin(), std::find_if(recent_frames.begin(), recent_frames.end(),
                                                          [cutoff](std::int64_t at) { return at > cutoff; }));
  if (recent_frames.capacity() > 16 && recent_frames.size() * 4 < recent_frames.capacity()) {
    recent_frames.shrink_to_fit();
  }
  if (recent_frames.size() > config_.frames_per_window) {
    link->endWith(CloseCode::kRateLimited, "You are being rate limited");
    return true; // until the close handshake ends
  }
  auto frame = parseClientFrame(text);
  if (!frame) {
    link->endWith(closeCodeFor(frame.error().code), frame.error().message);
    return true;
  }
  // A frame that waits (on the database) gets a coroutine of its own; reading waits for it, so
  // frames are handled in order.
  const auto later = [this](const std::shared_ptr<Link>& waiting, ClientFrame parsed) {
    asio::co_spawn(waiting->connection->executor(), handleLater(waiting, std::move(parsed)),
                   [waiting](const std::exception_ptr& thrown) {
                     if (thrown) {
                       try {
                         std::rethrow_exception(thrown);
                       } catch (const std::exception& error) {
                         closeForError(*waiting->connection, error);
                       }
                     }
                     waiting->connection->readMore();
                   });
  };
  auto& session = link->session;
  switch (static_cast<Op>(frame->op)) {
  case Op::kHeartbeat:
    Watchdog::setDeadline(*link->watch, clock_.steadyNow() + config_.heartbeat_interval + config_.heartbeat_grace);
    if (session && frame->heartbeat_seq) session->acknowledge(*frame->heartbeat_seq);
    connection.send(frameOf(Op::kHeartbeatAck, "null"));
    if (session) checkpoint(*session);
    break;
  case Op::kIdentify:
  case Op::kResume:
    if (session) {
      link->endWith(CloseCode::kAlreadyAuthenticated, "Already authenticated");
      break;
    }
    later(link, std::move(*frame));
    return false;
  case Op::kRequestGuildMembers:
    if (!session) {
      link->endWith(CloseCode::kNotAuthenticated, "Not authenticated");
      break;
    }
    if (frame->payload_error) {
      link->endWith(CloseCode::kDecodeError, frame->payload_error->message);
      break;
    }
    later(link, std::move(*frame));
    return false;
  case Op::kPresenceUpdate:
    if (!session) {
      link->endWith(CloseCode::kNotAuthenticated, "Not authenticated");
      break;
    }
    if (frame->payload_error) {
      link->endWith(CloseCode::kDecodeError, frame->payload_error->message);
      break;
    }
    {
      std::lock_guard lock(session->mutex);
      session->presence = *frame->presence;
    }
    presenceMayHaveChanged(session->user_id);
    break;
  case Op::kVoiceStateUpdate:
    // Accepted once identified; voice arrives with the voice issue.
    if (!session) link->endWith(CloseCode::kNotAuthenticated, "Not authenticated");
    break;
  default: link->endWith(CloseCode::kUnknownOpcode, "Unknown opcode " + std::to_string(frame->op)); break;
  }
  return true;
}

asio::awaitable<void> Gateway::handleLater(std::shared_ptr<Link> link, ClientFrame frame) {
  switch (static_cast<Op>(frame.op)) {
  case Op::kIdentify: co_await identify(*link, frame); break;
  case Op::kResume: co_await resume(*link, frame); break;
  default: {
    const Principal who{link->session->user_id, link->session->sign_in};
    co_await answerMemberRequest(link->session, who, frame.members, link->worker);
    break;
  }
  }
}

void Gateway::linkEnded(Link& link) {
  watchdog_->remove(link.watch);
  const auto& connection = link.connection;
  auto& session = link.session;
  if (session) {
    const auto peer_code = connection->closeCode();
    if (peer_code && !resumable(*peer_code)) link.ending_session = true;
    bool detached = false;
    {
      std::lock_guard lock(session->mutex);
      if (session->attached && session->connection.lock() == connection) {
        session->detachLocked();
        session->detached_at = clock_.steadyNow();
        session->presence_held = !link.ending_session && config_.presence_grace.count() > 0;
        detached = true;
      }
      if (link.ending_session && !session->ended) {
        session->ended = true;
      }
    }
    if (link.ending_session) {
      registry_->remove(*session);
      if (hooks_.shared.drop) hooks_.shared.drop(session->id);
    }
    if (detached || link.ending_session) presenceMayHaveChanged(session->user_id);
  }
}

asio::awaitable<void> Gateway::identify(Link& link, const ClientFrame& frame) {
  auto& connection = link.connection;
  auto& session = link.session;
  core::Result<Identity> user = core::fail(core::ErrorCode::kUnauthorized, "Authentication failed");
  if (hooks_.identify && !frame.token.empty()) user = co_await hooks_.identify(frame.token, link.worker);
  if (!connection->isOpen()) co_return;
  if (!user) {
    link.endWith(closeCodeFor(user.error().code), "Authentication failed");
    co_return;
  }
  session = std::make_shared<Session>();
  session->id = randomSessionId();
  session->user_id = user->user_id;
  session->sign_in = user->session_id;
  session->executor = connection->executor();
  if (frame.presence) session->presence = *frame.presence;
  const std::string presences = presencesJson(user->presence_candidates);
  {
    std::lock_guard lock(session->mutex);
    session->attachLocked(connection, connection->executor(), link.worker);
    session->seq = 1;
    session->dropped_through = 1; // READY is not replayed: a client without it identifies
    session->acknowledged = 1;
    connection->send(std::make_shared<const std::string>(
        "{\"op\":0,\"s\":1,\"t\":\"READY\",\"d\":{\"v\":10,\"user\":" + user->user_json + ",\"guilds\":" +
        orEmpty(user->guilds_json, "[]") + ",\"private_channels\":" + orEmpty(user->private_channels_json, "[]") +
        ",\"relationships\":" + orEmpty(user->relationships_json, "[]") + ",\"presences\":" + presences +
        ",\"read_state\":" + orEmpty(user->read_state_json, "{\"version\":0,\"partial\":false,\"entries\":[]}") +
        ",\"user_guild_settings\":" +
        orEmpty(user->user_guild_settings_json, "{\"version\":0,\"partial\":false,\"entries\":[]}") +
        ",\"session_id\":\"" + session->id + "\",\"resume_gateway_url\":\"" + *link.resume_url + "\"}}"));
  }
  // Registered after READY is queued, so every dispatch follows it.
  registry_->add(session);
  checkpoint(*session);
  presenceMayHaveChanged(session->user_id);
}

asio::awaitable<void> Gateway::resume(Link& link, const ClientFrame& frame) {
  auto& connection = link.connection;
  auto& session = link.session;
  auto found = registry_->find(frame.resume_session);
  if (!found && hooks_.shared.load) {
    // Not here: perhaps a session of another node (or of one that went away).
    session = co_await resumeElsewhere(connection, frame, link.worker);
    if (session) presenceMayHaveChanged(session->user_id);
    co_return;
  }
  core::Result<Principal> who = core::fail(core::ErrorCode::kUnauthorized, "Authentication failed");
  if (found && hooks_.authenticate && !frame.token.empty()) {
    who = co_await hooks_.authenticate(frame.token, link.worker);
  }
  if (!connection->isOpen()) co_return;
  if (!found || !who || who->user_id != found->user_id || who->session_id != found->sign_in) {
    // Unknown, expired, or not this token's: start over with IDENTIFY.
    connection->send(frameOf(Op::kInvalidSession, "false"));
    co_return;
  }
  enum class Outcome { kInvalid, kBadSeq, kResumed } outcome = Outcome::kInvalid;
  std::shared_ptr<net::WsConnection> replaced;
  asio::any_io_executor replaced_executor;
  {
    std::lock_guard lock(found->mutex);
    if (found->ended || frame.resume_seq < found->dropped_through) {
      outcome = Outcome::kInvalid; // what it missed is no longer kept
    } else if (frame.resume_seq > found->seq) {
      outcome = Outcome::kBadSeq;
    } else {
      outcome = Outcome::kResumed;
      if (found->attached) {
        replaced = found->connection.lock();
        replaced_executor = found->executor;
      }
      found->attachLocked(connection, connection->executor(), link.worker);
      for (std::size_t index = found->first; index < found->buffer.size(); ++index) {
        const auto& entry = found->buffer[index];
        if (entry.seq <= frame.resume_seq) continue;
        connection->sendReplay(dispatchFrame(entry.seq, entry.body));
      }
      ++found->seq;
      connection->sendReplay(dispatchFrame(found->seq, dispatchBody("RESUMED", "{}")));
    }
  }
  if (outcome == Outcome::kInvalid) {
    connection->send(frameOf(Op::kInvalidSession, "false"));
    co_return;
  }
  if (outcome == Outcome::kBadSeq) {
    closeWith(*connection, CloseCode::kInvalidSeq, "Invalid sequence to resume from");
    co_return;
  }
  if (replaced && replaced != connection) {
    // An older connection of the same session (half-open): it is replaced.
    asio::post(replaced_executor,
               [replaced] { closeWith(*replaced, CloseCode::kUnknownError, "Session resumed on another connection"); });
  }
  session = std::move(found);
  checkpoint(*session);
  presenceMayHaveChanged(session->user_id);
}

} // namespace hearth::gateway
