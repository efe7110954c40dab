#pragma once
// The event bus across nodes (hearthd --redis), on one Redis Stream, `<prefix>stream`: domain
// events (and ended or moved gateway sessions) are appended with XADD, and every node, the
// publishing one too, reads the stream in order (XREAD) and runs its own handlers
// (EventBus::deliverLocal). The stream keeps the last `retention` of events, so:
//  - a node that loses Redis for a while reads on from where it stopped: nothing is missed;
//  - a gateway session can RESUME on another node, which replays the stream from the session's
//    checkpoint (docs/gateway.md, "Several nodes"); session records live in Redis too.
// Publishing never blocks: events wait in an in-memory backlog (bounded) while Redis is away and
// are appended in order once it is back; `published` callbacks say when an event is stored.
//
// The bus has a thread of its own for its two Redis connections (one appends and answers
// lookups, one blocks in XREAD); callbacks and handlers run there.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "core/error.hpp"
#include "domain/accounts.hpp"
#include "domain/events.hpp"
#include "redis/client.hpp"

namespace hearth::bus {

//! A stream entry id `ms-seq` packed in 64 bits (ms << 20 | seq), so positions compare as
//! integers; nullopt for text that is not an id or does not fit (seq ≥ 2^20, ms ≥ 2^44).
std::optional<std::uint64_t> packStreamId(std::string_view id);
//! The inverse of packStreamId.
std::string streamIdText(std::uint64_t pos);

struct RedisBusOptions {
  std::string prefix = "hearth:"; //!< keys are <prefix>stream, <prefix>gws:<id>: deployments can share a Redis
  std::chrono::milliseconds retention{std::chrono::minutes(10)}; //!< how long the stream keeps events
  std::size_t max_backlog = 100000; //!< events waiting for Redis; beyond, the oldest are dropped
  //! How often a node appends a sign of life, and how long one unheard of counts as gone (its
  //! users' presence there ends).
  std::chrono::milliseconds node_heartbeat{std::chrono::seconds(5)};
  std::chrono::milliseconds node_timeout{std::chrono::seconds(20)};
};

class RedisBus {
public:
  RedisBus(redis::RedisOptions options, domain::EventBus& events, RedisBusOptions bus_options = {});
  ~RedisBus();
  RedisBus(const RedisBus&) = delete;
  RedisBus& operator=(const RedisBus&) = delete;

  //! Sessions ended on any node (this one too). Set before start(); runs on the bus thread.
  void onSessionsEnded(std::function<void(const domain::SessionsEnded&)> handler);
  //! A gateway session resumed on node `node` (a RedisBus::node()); set before start().
  void onSessionMoved(std::function<void(const std::string& session_id, const std::string& node)> handler);

  //! A node's summary of a user's presence there (rank 0: no session), this node's too: from
  //! the stream, and at start() for every entry other nodes hold. Set before start().
  void onPresence(std::function<void(const std::string& node, std::uint64_t user_id, int rank,
                                     const std::string& custom, bool foreground)>
                      handler);
  //! A node went away (no sign of life for `node_timeout`, or shut down). When `node` is this
  //! one, the others took it for gone: it must publish its presence again. Set before start().
  void onNodeGone(std::function<void(const std::string& node)> handler);

  //! Starts the bus thread, connects, finds the end of the stream (reading starts there) and
  //! becomes `events`' transport. Fails (kServiceUnavailable) if Redis has not answered within
  //! `timeout`.
  core::Result<void> start(std::chrono::milliseconds timeout);
  //! Appends the event to the stream; returns at once, `published` runs once it is stored. Any thread.
  void publish(const domain::Event& event, domain::EventBus::Published published = {});
  void publishSessionsEnded(const domain::SessionsEnded& ended);
  void publishSessionMoved(const std::string& session_id);
  //! This node's summary of a user's presence (kept in <prefix>presence:<node> for nodes that
  //! start later, and appended to the stream).
  void publishPresence(std::uint64_t user_id, int rank, const std::string& custom_status, bool foreground = false);
  //! Stops being the transport, closes the connections and joins the thread. Idempotent.
  void close();

  //! This node's name on the bus (unique per process).
  const std::string& node() const { return node_; }
  //! The stream position reading started from (the last entry when start() ran).
  std::uint64_t startPosition() const { return start_pos_; }

  //! A small record kept in Redis (a hash under <prefix>gws:<key>), replaced whole, expiring
  //! after `ttl`. Fire and forget; any thread.
  void putRecord(const std::string& key, std::map<std::string, std::string> fields, std::chrono::milliseconds ttl);
  void dropRecord(const std::string& key);
  //! The record, or an empty map when there is none (expired, dropped, never put).
  boost::asio::awaitable<core::Result<std::map<std::string, std::string>>> record(std::string key);
  //! The events after stream position `after`, in order, at most `max` (kGeneral "too many"
  //! past that); each with its stream_pos. Entries that are not events are skipped; the users
  //! whose presence entries are among them go to `presence_users` (if given; once each).
  boost::asio::awaitable<core::Result<std::vector<domain::Event>>>
  eventsAfter(std::uint64_t after, std::size_t max, std::vector<std::uint64_t>* presence_users = nullptr);

  //! Prometheus text: published, received and dropped events, backlog, connection.
  std::string metricsText() const;
  //! Where Redis is (no credentials), for logs.
  std::string where() const { return options_.endpoint.display(); }

private:
  struct Outgoing {
    std::vector<std::string> command;
    domain::EventBus::Published published;
    bool done = false; //!< answered: stored, or refused for good
    bool stored = false;
    bool counted = true; //!< an entry the metrics count (not a sign of life or a key update)
  };
  void append(std::string kind, std::string payload, domain::EventBus::Published published);
  void enqueue(std::vector<std::string> command, domain::EventBus::Published published, bool counted = true);
  //! Reads every node's presence entries (start()); bus thread.
  boost::asio::awaitable<core::Result<void>> readPresenceSnapshot();
  //! Appends this node's signs of life and declares silent nodes gone; bus thread.
  boost::asio::awaitable<void> liveLoop();
  void heardFrom(std::string_view node);
  std::string presenceKey(const std::string& node) const;
  void pump();
  boost::asio::awaitable<void> readLoop();
  void received(std::string_view id, std::string_view kind, std::string_view payload);

  redis::RedisOptions options_;
  domain::EventBus& events_;
  RedisBusOptions bus_options_;
  std::string stream_key_;
  std::string node_;
  std::function<void(const domain::SessionsEnded&)> on_sessions_ended_;
  std::function<void(const std::string&, const std::string&)> on_session_moved_;
  std::function<void(const std::string&, std::uint64_t, int, const std::string&, bool)> on_presence_;
  std::function<void(const std::string&)> on_node_gone_;

  boost::asio::io_context io_{1};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::unique_ptr<redis::RedisClient> writer_;
  std::unique_ptr<redis::RedisClient> reader_;
  boost::asio::steady_timer live_timer_{io_}; //!< liveLoop's pause; close() cancels it
  std::thread thread_;
  std::future<void> thread_done_;
  bool started_ = false;
  bool closed_ = false;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> leaving_{false}; //!< close() said goodbye: our own `g`, read back, is no news
  std::uint64_t start_pos_ = 0;

  // Bus thread only.
  std::deque<std::shared_ptr<Outgoing>> backlog_; //!< in order; the first `in_flight_` are sent and unanswered
  std::size_t in_flight_ = 0;
  bool retry_scheduled_ = false;
  bool append_failing_ = false;
  bool bad_payload_logged_ = false;
  std::string last_id_; //!< the last stream entry read
  //! Other nodes, and when this node last read a sign of their life.
  std::map<std::string, std::chrono::steady_clock::time_point, std::less<>> last_heard_;
  //! Since when the reader has read without failing (nodes are judged only after node_timeout of it).
  std::chrono::steady_clock::time_point reading_since_;

  std::atomic<std::uint64_t> published_{0};
  std::atomic<std::uint64_t> received_{0};
  std::atomic<std::uint64_t> backlog_size_{0};
  std::atomic<std::uint64_t> backlog_dropped_{0};
  std::atomic<std::uint64_t> rejected_{0};
  std::atomic<std::uint64_t> bad_payloads_{0};
  std::atomic<std::uint64_t> read_failures_{0};
};

} // namespace hearth::bus
