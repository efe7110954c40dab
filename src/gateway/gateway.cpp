#include "gateway/gateway.hpp"

#include <deque>
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
  if (const auto* d = object.if_contains("d")) {
    frame.d_json = boost::json::serialize(*d);
    if (d->is_int64()) frame.heartbeat_seq = d->as_int64();
    if (d->is_uint64() && d->as_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
      frame.heartbeat_seq = static_cast<std::int64_t>(d->as_uint64());
    }
    if (d->is_object()) {
      const auto* token = d->as_object().if_contains("token");
      if (token != nullptr && token->is_string()) frame.token = std::string(token->as_string());
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

void closeWith(net::WsConnection& connection, CloseCode code, std::string reason) {
  spdlog::info("gateway {}: closing {} ({})", connection.remoteAddress(), static_cast<int>(code), reason);
  connection.close(static_cast<std::uint16_t>(code), std::move(reason));
}

// Per-connection state shared by the reader loop and the heartbeat watchdog.
struct ConnectionState {
  explicit ConnectionState(asio::any_io_executor executor) : timer(std::move(executor)) {}
  std::shared_ptr<net::WsConnection> connection;
  std::chrono::steady_clock::time_point heartbeat_deadline;
  asio::steady_timer timer;
  bool ended = false;
  std::int64_t sequence = 0; //!< the last `s` sent; touched only on the connection's thread
};

// Polls the deadline against the injected clock, so tests can move time instead of waiting.
asio::awaitable<void> watchdog(std::shared_ptr<ConnectionState> state, const core::Clock& clock,
                               std::chrono::milliseconds period) {
  while (!state->ended) {
    state->timer.expires_after(period);
    co_await state->timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (state->ended) break;
    if (clock.steadyNow() > state->heartbeat_deadline) {
      closeWith(*state->connection, CloseCode::kSessionTimedOut, "Heartbeat not received in time");
      break;
    }
  }
}

} // namespace

// Identified connections by user, so revoking a session can close its live connections.
struct Gateway::Registry {
  struct Entry {
    std::uint64_t session_id = 0;
    std::weak_ptr<net::WsConnection> connection;
    asio::any_io_executor executor;
    std::weak_ptr<ConnectionState> state;
  };
  mutable std::mutex mutex;
  std::unordered_map<std::uint64_t, std::vector<Entry>> by_user;

  void add(std::uint64_t user_id, Entry entry) {
    std::lock_guard lock(mutex);
    by_user[user_id].push_back(std::move(entry));
  }
  void remove(std::uint64_t user_id, const net::WsConnection* connection) {
    std::lock_guard lock(mutex);
    const auto found = by_user.find(user_id);
    if (found == by_user.end()) return;
    std::erase_if(found->second, [&](const Entry& entry) {
      const auto alive = entry.connection.lock();
      return !alive || alive.get() == connection;
    });
    if (found->second.empty()) by_user.erase(found);
  }
};

Gateway::Gateway(GatewayConfig config, const core::Clock& clock, IdentifyFn identify)
    : config_(config), clock_(clock), identify_(std::move(identify)), registry_(std::make_shared<Registry>()) {
  if (config_.heartbeat_grace.count() == 0) config_.heartbeat_grace = config_.heartbeat_interval / 2;
}

std::size_t Gateway::closeSessions(std::uint64_t user_id, std::uint64_t session_id, std::uint64_t except_session) {
  std::vector<Registry::Entry> targets;
  {
    std::lock_guard lock(registry_->mutex);
    const auto found = registry_->by_user.find(user_id);
    if (found == registry_->by_user.end()) return 0;
    for (const auto& entry : found->second) {
      if (session_id != 0 && entry.session_id != session_id) continue;
      if (except_session != 0 && entry.session_id == except_session) continue;
      targets.push_back(entry);
    }
  }
  for (auto& target : targets) {
    asio::post(target.executor, [connection = target.connection] {
      if (auto alive = connection.lock()) {
        closeWith(*alive, CloseCode::kAuthenticationFailed, "Session ended; sign in again");
      }
    });
  }
  return targets.size();
}

std::size_t Gateway::dispatch(std::uint64_t user_id, const std::string& type, std::shared_ptr<const std::string> data) {
  std::vector<Registry::Entry> targets;
  {
    std::lock_guard lock(registry_->mutex);
    const auto found = registry_->by_user.find(user_id);
    if (found == registry_->by_user.end()) return 0;
    targets = found->second;
  }
  for (auto& target : targets) {
    asio::post(target.executor, [connection = target.connection, state = target.state, type, data] {
      auto alive = connection.lock();
      auto live_state = state.lock();
      if (!alive || !live_state || !alive->isOpen()) return;
      // The sequence is per connection, so the frame is built here, on its thread.
      alive->send(std::make_shared<const std::string>("{\"op\":0,\"s\":" + std::to_string(++live_state->sequence) +
                                                      ",\"t\":\"" + type + "\",\"d\":" + *data + "}"));
    });
  }
  return targets.size();
}

std::vector<std::uint64_t> Gateway::connectedUsers() const {
  std::lock_guard lock(registry_->mutex);
  std::vector<std::uint64_t> users;
  users.reserve(registry_->by_user.size());
  for (const auto& [user, entries] : registry_->by_user)
    users.push_back(user);
  return users;
}

std::size_t Gateway::identifiedConnections() const {
  std::lock_guard lock(registry_->mutex);
  std::size_t count = 0;
  for (const auto& [user, entries] : registry_->by_user)
    count += entries.size();
  return count;
}

asio::awaitable<void> Gateway::run(std::shared_ptr<net::WsConnection> connection, net::Request& request) {
  auto state = std::make_shared<ConnectionState>(co_await asio::this_coro::executor);
  state->connection = connection;
  // The first heartbeat may come up to one interval late (clients jitter it); then the grace.
  state->heartbeat_deadline = clock_.steadyNow() + config_.heartbeat_interval + config_.heartbeat_grace;
  connection->send(
      frameOf(Op::kHello, "{\"heartbeat_interval\":" + std::to_string(config_.heartbeat_interval.count()) + "}"));
  const auto watch_period =
      std::clamp(config_.heartbeat_interval / 8, std::chrono::milliseconds(10), std::chrono::milliseconds(1000));
  asio::co_spawn(co_await asio::this_coro::executor, watchdog(state, clock_, watch_period), asio::detached);

  std::deque<std::int64_t> recent_frames; // arrival times (ms) inside the rate window
  bool identified = false;
  std::uint64_t identified_user = 0;
  std::int64_t& sequence = state->sequence;
  while (auto text = co_await connection->read()) {
    if (!connection->isOpen()) break;
    const std::int64_t now_ms = clock_.unixMillis();
    recent_frames.push_back(now_ms);
    while (!recent_frames.empty() && recent_frames.front() <= now_ms - config_.rate_window.count()) {
      recent_frames.pop_front();
    }
    if (recent_frames.size() > config_.frames_per_window) {
      closeWith(*connection, CloseCode::kRateLimited, "You are being rate limited");
      continue; // keep reading until the close handshake ends
    }
    auto frame = parseClientFrame(*text);
    if (!frame) {
      closeWith(*connection, closeCodeFor(frame.error().code), frame.error().message);
      continue;
    }
    switch (static_cast<Op>(frame->op)) {
    case Op::kHeartbeat:
      state->heartbeat_deadline = clock_.steadyNow() + config_.heartbeat_interval + config_.heartbeat_grace;
      connection->send(frameOf(Op::kHeartbeatAck, "null"));
      break;
    case Op::kIdentify: {
      if (identified) {
        closeWith(*connection, CloseCode::kAlreadyAuthenticated, "Already authenticated");
        break;
      }
      core::Result<Identity> user = core::fail(core::ErrorCode::kUnauthorized, "Authentication failed");
      if (identify_ && !frame->token.empty()) user = co_await identify_(frame->token, request.worker);
      if (!user) {
        closeWith(*connection, closeCodeFor(user.error().code), "Authentication failed");
        break;
      }
      identified = true;
      identified_user = user->user_id;
      const asio::any_io_executor executor = co_await asio::this_coro::executor;
      Registry::Entry entry{user->session_id, connection, executor, state};
      const std::string session_id = randomSessionId();
      const std::string host(request.headers.get("Host"));
      connection->send(std::make_shared<const std::string>(
          "{\"op\":0,\"s\":" + std::to_string(++sequence) + ",\"t\":\"READY\",\"d\":{\"v\":10,\"user\":" +
          user->user_json + ",\"guilds\":" + (user->guilds_json.empty() ? std::string("[]") : user->guilds_json) +
          ",\"private_channels\":" + orEmpty(user->private_channels_json, "[]") +
          ",\"relationships\":" + orEmpty(user->relationships_json, "[]") + ",\"read_state\":" +
          orEmpty(user->read_state_json, "{\"version\":0,\"partial\":false,\"entries\":[]}") + ",\"session_id\":\"" +
          session_id + "\",\"resume_gateway_url\":\"ws://" + net::jsonEscape(host) + "/api/v1/gateway\"}}"));
      // Registered after READY is queued, so every dispatch follows it.
      registry_->add(user->user_id, std::move(entry));
      break;
    }
    case Op::kResume:
      // No session can be found: the client must identify again (d = false).
      connection->send(frameOf(Op::kInvalidSession, "false"));
      break;
    case Op::kPresenceUpdate:
    case Op::kVoiceStateUpdate:
    case Op::kRequestGuildMembers:
      // Accepted once identified; presence, voice and member lists arrive in later issues.
      if (!identified) closeWith(*connection, CloseCode::kNotAuthenticated, "Not authenticated");
      break;
    default: closeWith(*connection, CloseCode::kUnknownOpcode, "Unknown opcode " + std::to_string(frame->op)); break;
    }
  }
  state->ended = true;
  state->timer.cancel();
  if (identified) registry_->remove(identified_user, connection.get());
}

} // namespace hearth::gateway
