#include "bus/redis_bus.hpp"

#include <unistd.h>

#include <charconv>
#include <random>
#include <unordered_set>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "bus/event_codec.hpp"

namespace hearth::bus {

namespace asio = boost::asio;

namespace {

constexpr int kSeqBits = 20;
constexpr std::size_t kReadCount = 1000; //!< entries per XREAD
constexpr int kReadBlockMs = 1000;
constexpr std::size_t kMaxBatch = 512; //!< appends sent together (well under the client's write batch)
constexpr std::size_t kMaxBatchBytes = 256 * 1024;
constexpr std::size_t kRangeCount = 1000; //!< entries per XRANGE page
constexpr auto kRetryPause = std::chrono::milliseconds(200);

// Entry kinds: the `k` field of a stream entry; the payload is the `p` field.
constexpr std::string_view kEvent = "e";
constexpr std::string_view kEnded = "s";
constexpr std::string_view kMoved = "m";
constexpr std::string_view kPresence = "p"; //!< "<node> <user> <rank> <custom status>"
constexpr std::string_view kAlive = "h"; //!< "<node>": a node's sign of life
constexpr std::string_view kGone = "g"; //!< "<node>": that node went away

//! The start of a payload, safe for a log line.
std::string excerpt(std::string_view payload) {
  std::string out;
  for (const char c : payload.substr(0, 120)) {
    const auto byte = static_cast<unsigned char>(c);
    out += byte >= 0x20 && byte < 0x7f ? c : '?';
  }
  if (payload.size() > 120) out += "...";
  return out;
}

//! The `k` and `p` fields of an entry's field list.
std::pair<std::string_view, std::string_view> kindAndPayload(const redis::Reply& fields) {
  std::string_view kind;
  std::string_view payload;
  for (std::size_t index = 0; index + 1 < fields.elements.size(); index += 2) {
    const auto& name = fields.elements[index].text;
    if (name == "k") kind = fields.elements[index + 1].text;
    if (name == "p") payload = fields.elements[index + 1].text;
  }
  return {kind, payload};
}

} // namespace

std::optional<std::uint64_t> packStreamId(std::string_view id) {
  const auto dash = id.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  const auto ms = parseDecimal(id.substr(0, dash));
  const auto seq = parseDecimal(id.substr(dash + 1));
  if (!ms || !seq || *ms >= (std::uint64_t{1} << (64 - kSeqBits)) || *seq >= (std::uint64_t{1} << kSeqBits)) {
    return std::nullopt;
  }
  return (*ms << kSeqBits) | *seq;
}

std::string streamIdText(std::uint64_t pos) {
  return std::to_string(pos >> kSeqBits) + "-" + std::to_string(pos & ((std::uint64_t{1} << kSeqBits) - 1));
}

RedisBus::RedisBus(redis::RedisOptions options, domain::EventBus& events, RedisBusOptions bus_options)
    : options_(std::move(options)),
      events_(events),
      bus_options_(std::move(bus_options)),
      stream_key_(bus_options_.prefix + "stream"),
      work_(io_.get_executor()) {
  std::random_device random;
  node_ = fmt::format("{}-{:08x}", ::getpid(), std::uniform_int_distribution<std::uint32_t>()(random));
}

RedisBus::~RedisBus() { close(); }

void RedisBus::onSessionsEnded(std::function<void(const domain::SessionsEnded&)> handler) {
  on_sessions_ended_ = std::move(handler);
}

void RedisBus::onSessionMoved(std::function<void(const std::string&, const std::string&)> handler) {
  on_session_moved_ = std::move(handler);
}

void RedisBus::onPresence(std::function<void(const std::string& node, std::uint64_t user_id, int rank,
                                             const std::string& custom, bool foreground)>
                              handler) {
  on_presence_ = std::move(handler);
}

void RedisBus::onNodeGone(std::function<void(const std::string& node)> handler) { on_node_gone_ = std::move(handler); }

std::string RedisBus::presenceKey(const std::string& node) const { return bus_options_.prefix + "presence:" + node; }

core::Result<void> RedisBus::start(std::chrono::milliseconds timeout) {
  redis::RedisOptions writer_options = options_;
  writer_options.log_name = "event bus (writer)";
  writer_options.client_name = "hearthd-" + node_ + "-writer";
  writer_ = std::make_unique<redis::RedisClient>(io_.get_executor(), std::move(writer_options));
  redis::RedisOptions reader_options = options_;
  reader_options.log_name = "event bus (reader)";
  reader_options.client_name = "hearthd-" + node_ + "-reader";
  // XREAD blocks for kReadBlockMs: the reply deadline must be longer.
  reader_options.command_timeout =
      std::max(reader_options.command_timeout, std::chrono::milliseconds(3 * kReadBlockMs));
  reader_ = std::make_unique<redis::RedisClient>(io_.get_executor(), std::move(reader_options));

  // Reading starts at the stream's last entry now: what comes later is this node's to deliver.
  auto found_end = std::make_shared<std::promise<core::Result<std::string>>>();
  auto end_future = found_end->get_future();
  asio::co_spawn(
      io_,
      [this, found_end]() -> asio::awaitable<void> {
        // Until it answers (start() gives up after its timeout, and close() ends this).
        core::Result<redis::Reply> reply = core::fail(core::ErrorCode::kServiceUnavailable, "not asked yet");
        for (;;) {
          std::vector<std::string> command{"XREVRANGE", stream_key_, "+", "-", "COUNT", "1"};
          reply = co_await reader_->command(std::move(command));
          if (reply || stopping_) break;
          asio::steady_timer pause(io_, kRetryPause);
          co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
          if (stopping_) break;
        }
        if (!reply) {
          found_end->set_value(std::unexpected(reply.error()));
          co_return;
        }
        std::string last = "0-0";
        if (reply->type == redis::Reply::Type::kArray && !reply->elements.empty() &&
            !reply->elements[0].elements.empty()) {
          last = reply->elements[0].elements[0].text;
        }
        // Presence other nodes hold now (their later changes are in the stream after `last`).
        if (auto snapshot = co_await readPresenceSnapshot(); !snapshot) {
          spdlog::warn("event bus: could not read other nodes' presence: {}", snapshot.error().message);
        }
        reading_since_ = std::chrono::steady_clock::now();
        found_end->set_value(last);
        last_id_ = last;
        asio::co_spawn(io_, liveLoop(), asio::detached);
        co_await readLoop();
      },
      asio::detached);

  auto done = std::make_shared<std::promise<void>>();
  thread_done_ = done->get_future();
  thread_ = std::thread([this, done] {
    io_.run();
    done->set_value();
  });
  started_ = true;
  if (end_future.wait_for(timeout) != std::future_status::ready) {
    close();
    return core::fail(core::ErrorCode::kServiceUnavailable,
                      "Redis at " + where() + " did not answer within " + std::to_string(timeout.count()) + " ms");
  }
  auto end = end_future.get();
  if (!end) {
    close();
    return core::fail(core::ErrorCode::kServiceUnavailable, "Redis at " + where() + ": " + end.error().message);
  }
  start_pos_ = packStreamId(*end).value_or(0);
  events_.setTransport([this](const domain::Event& event, domain::EventBus::Published published) {
    publish(event, std::move(published));
  });
  return {};
}

void RedisBus::publish(const domain::Event& event, domain::EventBus::Published published) {
  append(std::string(kEvent), encodeEvent(event), std::move(published));
}

void RedisBus::publishSessionsEnded(const domain::SessionsEnded& ended) {
  append(std::string(kEnded), encodeSessionsEnded(ended), {});
}

void RedisBus::publishSessionMoved(const std::string& session_id) {
  append(std::string(kMoved), session_id + " " + node_, {});
}

void RedisBus::publishPresence(std::uint64_t user_id, int rank, const std::string& custom_status, bool foreground) {
  if (!writer_ || stopping_) return;
  const std::string user = std::to_string(user_id);
  const std::string custom = custom_status.substr(0, kMaxCustomStatusBytes);
  // The hash first: a node starting later reads it, then the stream from where it stood.
  if (rank > 0) {
    enqueue({"HSET", presenceKey(node_), user, std::to_string(rank) + (foreground ? "f " : " ") + custom}, {}, false);
  } else {
    enqueue({"HDEL", presenceKey(node_), user}, {}, false);
  }
  append(std::string(kPresence), encodePresence(PresenceEntry{node_, user_id, rank, custom, foreground}), {});
}

void RedisBus::append(std::string kind, std::string payload, domain::EventBus::Published published) {
  if (!writer_ || stopping_) return;
  const bool counted = kind != kAlive; // signs of life are not counted
  // Entries older than the retention go as later ones arrive (approximately: whole nodes).
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch() - bus_options_.retention)
                       .count();
  std::vector<std::string> command{
      "XADD", stream_key_, "MINID",         "~", std::to_string(std::max<std::int64_t>(now, 0)),
      "*",    "k",         std::move(kind), "p", std::move(payload)};
  enqueue(std::move(command), std::move(published), counted);
}

// Commands leave in the order they were enqueued (from any one thread).
void RedisBus::enqueue(std::vector<std::string> command, domain::EventBus::Published published, bool counted) {
  if (!writer_ || stopping_) return;
  asio::post(io_, [this, command = std::move(command), published = std::move(published), counted]() mutable {
    backlog_.push_back(
        std::make_shared<Outgoing>(Outgoing{std::move(command), std::move(published), false, false, counted}));
    if (backlog_.size() > bus_options_.max_backlog && in_flight_ < backlog_.size()) {
      // Redis has been away too long: the oldest unsent event goes.
      backlog_.erase(backlog_.begin() + static_cast<std::ptrdiff_t>(in_flight_));
      ++backlog_dropped_;
      spdlog::warn("event bus: backlog full ({} events); dropped the oldest unsent one", bus_options_.max_backlog);
    }
    backlog_size_ = backlog_.size();
    pump();
  });
}

// Bus thread. Sends the backlog's next batch unless one is out; appends leave strictly in order.
// After a failure the batch's unstored rest is sent again, in order, once Redis answers; an
// entry of that batch stored after the failed one is then appended twice (at least once, in
// order: readers see it again later, which clients treat like any repeat).
void RedisBus::pump() {
  if (in_flight_ != 0 || retry_scheduled_ || backlog_.empty() || stopping_) return;
  auto failed = std::make_shared<bool>(false);
  std::size_t bytes = 0;
  while (in_flight_ < backlog_.size() && in_flight_ < kMaxBatch && bytes < kMaxBatchBytes) {
    const auto& outgoing = backlog_[in_flight_];
    bytes += outgoing->command.back().size();
    ++in_flight_;
    writer_->send(outgoing->command, [this, entry = outgoing, failed](core::Result<redis::Reply> reply) {
      --in_flight_;
      if (reply) {
        entry->stored = true;
        entry->done = true;
      } else if (reply.error().code != core::ErrorCode::kServiceUnavailable) {
        // Redis refused this entry (out of memory...): it cannot go, the rest can.
        entry->done = true;
        ++rejected_;
        spdlog::warn("event bus: Redis refused an event: {}", reply.error().message);
      } else {
        *failed = true;
        if (!append_failing_) {
          append_failing_ = true;
          spdlog::warn("event bus: cannot append ({}); events wait in memory until Redis is back",
                       reply.error().message);
        }
      }
      if (in_flight_ != 0) return;
      // The batch is answered: what is done leaves the front, in order.
      while (!backlog_.empty() && backlog_.front()->done) {
        const auto front = backlog_.front();
        backlog_.pop_front();
        if (!front->stored) continue;
        if (front->counted) ++published_;
        if (front->published) front->published();
      }
      backlog_size_ = backlog_.size();
      if (stopping_) return;
      if (!*failed) {
        if (append_failing_) {
          append_failing_ = false;
          spdlog::info("event bus: appending again");
        }
        pump();
        return;
      }
      for (auto& rest : backlog_)
        rest->done = false;
      retry_scheduled_ = true;
      asio::co_spawn(
          io_,
          [this]() -> asio::awaitable<void> {
            asio::steady_timer timer(io_, kRetryPause);
            co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
            retry_scheduled_ = false;
            pump();
          },
          asio::detached);
    });
  }
}

// Bus thread: reads the stream from last_id_ on, forever; a lost connection is retried (the
// client reconnects), and reading goes on from the same place, so nothing is missed.
asio::awaitable<void> RedisBus::readLoop() {
  asio::steady_timer pause(io_);
  bool failing = false;
  while (!stopping_) {
    std::vector<std::string> command{
        "XREAD",     "COUNT", std::to_string(kReadCount), "BLOCK", std::to_string(kReadBlockMs), "STREAMS",
        stream_key_, last_id_};
    auto reply = co_await reader_->command(std::move(command));
    if (stopping_) co_return;
    if (!reply) {
      ++read_failures_;
      reading_since_ = std::chrono::steady_clock::now(); // nodes are not judged on a gap of our own
      if (!failing) {
        failing = true;
        spdlog::warn("event bus: reading the stream failed ({}); retrying", reply.error().message);
      }
      pause.expires_after(kRetryPause);
      co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
      continue;
    }
    if (failing) {
      failing = false;
      spdlog::info("event bus: reading the stream again from {}", last_id_);
    }
    // [[key, [[id, [field, value, ...]], ...]]] or null after the block times out.
    if (reply->type != redis::Reply::Type::kArray) continue;
    for (const auto& stream : reply->elements) {
      if (stream.elements.size() != 2) continue;
      for (const auto& entry : stream.elements[1].elements) {
        if (entry.elements.size() != 2) continue;
        const auto& id = entry.elements[0].text;
        last_id_ = id;
        const auto [kind, payload] = kindAndPayload(entry.elements[1]);
        received(id, kind, payload);
      }
    }
  }
}

void RedisBus::received(std::string_view id, std::string_view kind, std::string_view payload) {
  const auto rejected = [&](const std::string& why) {
    ++bad_payloads_;
    if (!bad_payload_logged_) {
      bad_payload_logged_ = true;
      spdlog::warn("event bus: dropped stream entry {} ({}): {} (further ones are only counted, in "
                   "hearth_bus_events_dropped_total)",
                   id, why, excerpt(payload));
    } else {
      spdlog::debug("event bus: dropped stream entry {} ({})", id, why);
    }
  };
  const auto pos = packStreamId(id);
  if (!pos) return rejected("not a stream id");
  if (kind == kEvent) {
    auto event = decodeEvent(payload);
    if (!event) return rejected(event.error().message);
    ++received_;
    event->stream_pos = *pos;
    events_.deliverLocal(*event);
  } else if (kind == kEnded) {
    auto ended = decodeSessionsEnded(payload);
    if (!ended) return rejected(ended.error().message);
    ++received_;
    if (on_sessions_ended_) on_sessions_ended_(*ended);
  } else if (kind == kMoved) {
    const auto space = payload.find(' ');
    if (space == std::string_view::npos || !isPlainWord(payload.substr(0, space)) ||
        !isPlainWord(payload.substr(space + 1))) {
      return rejected("bad session move");
    }
    ++received_;
    if (on_session_moved_)
      on_session_moved_(std::string(payload.substr(0, space)), std::string(payload.substr(space + 1)));
  } else if (kind == kPresence) {
    auto entry = decodePresence(payload);
    if (!entry) return rejected(entry.error().message);
    ++received_;
    heardFrom(entry->node);
    if (on_presence_) on_presence_(entry->node, entry->user_id, entry->rank, entry->custom_status, entry->foreground);
  } else if (kind == kAlive) {
    if (!isPlainWord(payload)) return rejected("bad node");
    heardFrom(payload);
  } else if (kind == kGone) {
    if (!isPlainWord(payload)) return rejected("bad node");
    ++received_;
    if (const auto found = last_heard_.find(payload); found != last_heard_.end()) last_heard_.erase(found);
    // Our own goodbye, read back while closing, is not another node taking us for gone (that
    // would publish our presence again, after the goodbye).
    if (payload == node_ && leaving_) return;
    if (on_node_gone_) on_node_gone_(std::string(payload));
  } else {
    rejected("unknown kind");
  }
}

void RedisBus::heardFrom(std::string_view node) {
  if (node == node_) return;
  const auto now = std::chrono::steady_clock::now();
  if (const auto found = last_heard_.find(node); found != last_heard_.end()) {
    found->second = now;
  } else {
    last_heard_.emplace(std::string(node), now);
  }
}

asio::awaitable<core::Result<void>> RedisBus::readPresenceSnapshot() {
  std::vector<std::string> members{"SMEMBERS", bus_options_.prefix + "nodes"};
  auto nodes = co_await reader_->command(std::move(members));
  if (!nodes) co_return std::unexpected(nodes.error());
  const auto now = std::chrono::steady_clock::now();
  for (const auto& entry : nodes->elements) {
    const std::string& node = entry.text;
    if (node == node_ || !isPlainWord(node)) continue;
    std::vector<std::string> command{"HGETALL", presenceKey(node)};
    auto fields = co_await reader_->command(std::move(command));
    if (!fields) co_return std::unexpected(fields.error());
    // A node listed is judged like any other: gone if it says nothing for node_timeout.
    last_heard_.insert_or_assign(node, now);
    // Each field is a user id, its value "<rank>[f] <custom status>".
    for (std::size_t index = 0; index + 1 < fields->elements.size(); index += 2) {
      auto held = decodePresence(node + " " + fields->elements[index].text + " " + fields->elements[index + 1].text);
      if (!held) continue;
      if (on_presence_) on_presence_(held->node, held->user_id, held->rank, held->custom_status, held->foreground);
    }
  }
  co_return core::Result<void>{};
}

asio::awaitable<void> RedisBus::liveLoop() {
  while (!stopping_) {
    enqueue({"SADD", bus_options_.prefix + "nodes", node_}, {}, false);
    append(std::string(kAlive), node_, {});
    const auto now = std::chrono::steady_clock::now();
    if (now - reading_since_ >= bus_options_.node_timeout) {
      for (auto entry = last_heard_.begin(); entry != last_heard_.end();) {
        if (now - entry->second < bus_options_.node_timeout) {
          ++entry;
          continue;
        }
        const std::string gone = entry->first;
        entry = last_heard_.erase(entry);
        spdlog::warn("event bus: node {} said nothing for {} ms: taken for gone (its users' presence there ends)", gone,
                     bus_options_.node_timeout.count());
        append(std::string(kGone), gone, {});
        enqueue({"DEL", presenceKey(gone)}, {}, false);
        enqueue({"SREM", bus_options_.prefix + "nodes", gone}, {}, false);
      }
    }
    live_timer_.expires_after(bus_options_.node_heartbeat);
    co_await live_timer_.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

void RedisBus::putRecord(const std::string& key, std::map<std::string, std::string> fields,
                         std::chrono::milliseconds ttl) {
  if (!writer_ || stopping_) return;
  const std::string name = bus_options_.prefix + "gws:" + key;
  // One transaction: never a half-written record.
  std::vector<std::string> hset{"HSET", name};
  for (auto& [field, value] : fields) {
    hset.push_back(field);
    hset.push_back(std::move(value));
  }
  asio::post(io_, [this, name, hset = std::move(hset), ttl]() mutable {
    writer_->send({"MULTI"});
    writer_->send({"DEL", name});
    writer_->send(std::move(hset));
    writer_->send({"PEXPIRE", name, std::to_string(ttl.count())});
    writer_->send({"EXEC"});
  });
}

void RedisBus::dropRecord(const std::string& key) {
  if (!writer_ || stopping_) return;
  std::vector<std::string> command{"DEL", bus_options_.prefix + "gws:" + key};
  asio::post(io_, [this, command = std::move(command)]() mutable { writer_->send(std::move(command)); });
}

asio::awaitable<core::Result<std::map<std::string, std::string>>> RedisBus::record(std::string key) {
  if (!writer_ || stopping_) co_return core::fail(core::ErrorCode::kServiceUnavailable, "the event bus is closed");
  std::vector<std::string> command{"HGETALL", bus_options_.prefix + "gws:" + key};
  auto reply = co_await writer_->command(std::move(command));
  if (!reply) co_return std::unexpected(reply.error());
  std::map<std::string, std::string> out;
  for (std::size_t index = 0; index + 1 < reply->elements.size(); index += 2)
    out[reply->elements[index].text] = reply->elements[index + 1].text;
  co_return out;
}

asio::awaitable<core::Result<std::vector<domain::Event>>>
RedisBus::eventsAfter(std::uint64_t after, std::size_t max, std::vector<std::uint64_t>* presence_users) {
  if (!writer_ || stopping_) co_return core::fail(core::ErrorCode::kServiceUnavailable, "the event bus is closed");
  std::vector<domain::Event> out;
  std::unordered_set<std::uint64_t> presence_seen;
  std::string from = "(" + streamIdText(after);
  for (;;) {
    std::vector<std::string> command{"XRANGE", stream_key_, from, "+", "COUNT", std::to_string(kRangeCount)};
    auto reply = co_await writer_->command(std::move(command));
    if (!reply) co_return std::unexpected(reply.error());
    for (const auto& entry : reply->elements) {
      if (entry.elements.size() != 2) continue;
      const auto pos = packStreamId(entry.elements[0].text);
      const auto [kind, payload] = kindAndPayload(entry.elements[1]);
      if (!pos) continue;
      if (kind == kPresence && presence_users != nullptr) {
        const auto presence = decodePresence(payload);
        if (presence && presence_seen.insert(presence->user_id).second) presence_users->push_back(presence->user_id);
        continue;
      }
      if (kind != kEvent) continue;
      auto event = decodeEvent(payload);
      if (!event) continue; // counted when the reader met it
      event->stream_pos = *pos;
      if (out.size() == max) co_return core::fail(core::ErrorCode::kGeneral, "too many events to replay");
      out.push_back(std::move(*event));
    }
    if (reply->elements.size() < kRangeCount) break;
    from = "(" + reply->elements.back().elements[0].text;
  }
  co_return out;
}

void RedisBus::close() {
  if (closed_) return;
  closed_ = true;
  if (!started_) return;
  events_.setTransport(nullptr);
  leaving_ = true;
  if (writer_->connected()) {
    // Goodbye, so the other nodes end this node's presence at once (best effort: a node that
    // dies says nothing, and is taken for gone after node_timeout).
    // It is enqueued like any entry, behind every one already waiting: a presence entry of ours
    // appended after the goodbye would bring our users back on the other nodes until
    // node_timeout. The I/O threads are joined, so nothing of ours is enqueued after it.
    auto said = std::make_shared<std::promise<void>>();
    auto said_future = said->get_future();
    enqueue({"DEL", presenceKey(node_)}, {}, false);
    enqueue({"SREM", bus_options_.prefix + "nodes", node_}, {}, false);
    enqueue(
        {"XADD", stream_key_, "*", "k", std::string(kGone), "p", node_}, [said] { said->set_value(); }, false);
    said_future.wait_for(std::chrono::seconds(1));
  }
  stopping_ = true;
  asio::post(io_, [this] { live_timer_.cancel(); });
  writer_->close();
  reader_->close();
  work_.reset();
  // Closed connections end their coroutines, and the thread runs out of work; if something
  // lingers, stop it.
  if (thread_done_.wait_for(std::chrono::seconds(3)) != std::future_status::ready) io_.stop();
  thread_.join();
}

std::string RedisBus::metricsText() const {
  const bool up = writer_ && reader_ && writer_->connected() && reader_->connected();
  return fmt::format(
      "# HELP hearth_bus_events_published_total Entries (events, ended and moved sessions) this node appended to "
      "the Redis stream.\n"
      "# TYPE hearth_bus_events_published_total counter\n"
      "hearth_bus_events_published_total {}\n"
      "# HELP hearth_bus_events_received_total Entries read from the Redis stream and delivered.\n"
      "# TYPE hearth_bus_events_received_total counter\n"
      "hearth_bus_events_received_total {}\n"
      "# HELP hearth_bus_backlog Entries waiting to be appended (Redis slow or away).\n"
      "# TYPE hearth_bus_backlog gauge\n"
      "hearth_bus_backlog {}\n"
      "# HELP hearth_bus_events_dropped_total Entries lost: backlog full, refused by Redis, or not understood.\n"
      "# TYPE hearth_bus_events_dropped_total counter\n"
      "hearth_bus_events_dropped_total{{reason=\"backlog_full\"}} {}\n"
      "hearth_bus_events_dropped_total{{reason=\"refused\"}} {}\n"
      "hearth_bus_events_dropped_total{{reason=\"bad_payload\"}} {}\n"
      "# HELP hearth_bus_read_failures_total Stream reads that failed (each is retried from the same place).\n"
      "# TYPE hearth_bus_read_failures_total counter\n"
      "hearth_bus_read_failures_total {}\n"
      "# HELP hearth_bus_redis_up Whether both connections to Redis are up.\n"
      "# TYPE hearth_bus_redis_up gauge\n"
      "hearth_bus_redis_up {}\n",
      published_.load(), received_.load(), backlog_size_.load(), backlog_dropped_.load(), rejected_.load(),
      bad_payloads_.load(), read_failures_.load(), up ? 1 : 0);
}

} // namespace hearth::bus
