#include "store/pg.hpp"

#include <algorithm>
#include <charconv>
#include <deque>
#include <functional>
#include <string>
#include <system_error>
#include <unordered_map>
#include <utility>

#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <libpq-fe.h>
#include <poll.h>
#include <spdlog/spdlog.h>

namespace hearth::store {

namespace asio = boost::asio;
using core::ErrorCode;
using SteadyTime = std::chrono::steady_clock::time_point;

namespace {

// SQLSTATE query_canceled: what the server itself reports for statement_timeout.
constexpr std::string_view kQueryCanceledState = "57014";

std::string trimmed(const char* text) {
  std::string out = text != nullptr ? text : "";
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ' || out.back() == '\r')) {
    out.pop_back();
  }
  return out;
}

//! "[SQLSTATE] primary message", or libpq's own text when the error never reached the server.
std::string describeResultError(const PGresult* result) {
  const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
  const char* primary = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
  std::string message = primary != nullptr ? std::string(primary) : trimmed(PQresultErrorMessage(result));
  if (state == nullptr) {
    return message;
  }
  return "[" + std::string(state) + "] " + message;
}

std::string millis(std::chrono::milliseconds duration) { return std::to_string(duration.count()) + " ms"; }

// Server notices ("relation already exists, skipping") are rarely news: debug level.
void logNotice(void* /*arg*/, const char* message) { spdlog::debug("postgres: {}", trimmed(message)); }

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const noexcept { return std::hash<std::string_view>{}(text); }
};

//! One statement to run; points into the caller's data, which outlives the run.
struct StatementRef {
  std::string_view sql;
  const Params* params;
};

} // namespace

//! Outlives the pool when leases or suspended coroutines do, so they can tell it is gone
//! instead of touching freed memory.
struct PoolLink {
  bool alive = true;
  std::uint64_t queries = 0;
  std::uint64_t errors = 0;
};

//! One libpq connection in non-blocking mode, its socket watched by the pool's io_context.
class PgConnection {
public:
  PgConnection(const asio::any_io_executor& executor, PGconn* conn, std::chrono::milliseconds query_timeout,
               std::shared_ptr<PoolLink> link)
      : conn_(conn), socket_(executor), timer_(executor), query_timeout_(query_timeout), link_(std::move(link)) {}

  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  ~PgConnection() {
    // libpq owns the fd and closes it in PQfinish; Asio must only forget it.
    if (socket_.is_open()) {
      socket_.release();
    }
    if (conn_ != nullptr) {
      PQfinish(conn_);
    }
  }

  //! Opens a connection with PQconnectStart/PQconnectPoll, giving up at connect_timeout.
  static asio::awaitable<core::Result<std::unique_ptr<PgConnection>>>
  connect(asio::any_io_executor executor, std::string conninfo, std::chrono::milliseconds connect_timeout,
          std::chrono::milliseconds query_timeout, std::shared_ptr<PoolLink> link) {
    auto connection =
        std::make_unique<PgConnection>(executor, PQconnectStart(conninfo.c_str()), query_timeout, std::move(link));
    PGconn* conn = connection->conn_;
    if (conn == nullptr) {
      co_return core::fail(ErrorCode::kServiceUnavailable, "cannot connect to PostgreSQL: out of memory");
    }
    const SteadyTime deadline = std::chrono::steady_clock::now() + connect_timeout;
    // libpq's documented start state: behave as if PQconnectPoll had asked for writability.
    PostgresPollingStatusType polling = PQstatus(conn) == CONNECTION_BAD ? PGRES_POLLING_FAILED : PGRES_POLLING_WRITING;
    while (polling != PGRES_POLLING_OK) {
      if (polling == PGRES_POLLING_FAILED) {
        co_return core::fail(ErrorCode::kServiceUnavailable,
                             "cannot connect to PostgreSQL: " + trimmed(PQerrorMessage(conn)));
      }
      // libpq may close the socket and open another one between polls (next host, SSL or
      // GSS fallback), possibly under the same fd number, so re-register it every time.
      if (!connection->bindSocket()) {
        co_return core::fail(ErrorCode::kServiceUnavailable, "cannot connect to PostgreSQL: no usable socket");
      }
      const Wake wake =
          co_await connection->waitSocket(polling == PGRES_POLLING_READING ? Want::kRead : Want::kWrite, deadline);
      if (wake == Wake::kTimedOut) {
        co_return core::fail(ErrorCode::kServiceUnavailable,
                             "cannot connect to PostgreSQL: no answer within " + millis(connect_timeout));
      }
      if (wake == Wake::kFailed) {
        co_return core::fail(ErrorCode::kServiceUnavailable, "cannot connect to PostgreSQL: socket wait failed");
      }
      polling = PQconnectPoll(conn);
    }
    if (PQsetnonblocking(conn, 1) != 0 || !connection->bindSocket()) {
      co_return core::fail(ErrorCode::kServiceUnavailable,
                           "cannot connect to PostgreSQL: " + trimmed(PQerrorMessage(conn)));
    }
    // The default processor writes notices ("relation already exists, skipping") to stderr.
    PQsetNoticeProcessor(conn, logNotice, nullptr);
    co_return connection;
  }

  //! True if the connection can serve another lease: healthy and outside any transaction.
  bool reusable() const noexcept {
    return !broken_ && PQstatus(conn_) == CONNECTION_OK && PQtransactionStatus(conn_) == PQTRANS_IDLE &&
           PQpipelineStatus(conn_) == PQ_PIPELINE_OFF;
  }

  //! Checks, without blocking, that the server has not closed the connection while it sat idle
  //! (restart, pg_terminate_backend, idle_session_timeout), so a dead one is never leased.
  bool stillAlive() noexcept {
    if (!reusable()) {
      return false;
    }
    // The server's farewell is an ErrorResponse followed by EOF; libpq reads the message as a
    // notice and would notice the EOF only on the next read, so ask the kernel directly.
    pollfd probe{PQsocket(conn_), POLLIN | POLLRDHUP, 0};
    if (::poll(&probe, 1, 0) < 0) {
      return false;
    }
    if ((probe.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL)) != 0) {
      return false;
    }
    if ((probe.revents & POLLIN) != 0 && PQconsumeInput(conn_) != 1) {
      return false;
    }
    return PQstatus(conn_) == CONNECTION_OK;
  }

  PoolLink& link() noexcept { return *link_; }
  bool poolAlive() const noexcept { return link_->alive; }

  //! Runs the statements as one pipeline: prepares (once per connection) what is not cached,
  //! executes each, then one Sync. Returns each statement's result or the first error.
  asio::awaitable<core::Result<std::vector<PgResult>>> run(std::vector<StatementRef> statements) {
    if (broken_ || PQstatus(conn_) != CONNECTION_OK) {
      co_return core::fail(ErrorCode::kServiceUnavailable, "connection to PostgreSQL lost");
    }
    const SteadyTime deadline = std::chrono::steady_clock::now() + query_timeout_;
    if (PQenterPipelineMode(conn_) != 1) {
      co_return connectionFailure("cannot enter pipeline mode");
    }

    // Results arrive in send order, one per step; Sync adds a final PGRES_PIPELINE_SYNC.
    struct Step {
      bool prepare;
      std::size_t statement_idx;
    };
    std::vector<Step> steps;
    steps.reserve(statements.size() * 2);
    std::vector<std::string> names(statements.size());
    std::vector<const char*> values;
    for (std::size_t statement_idx = 0; statement_idx < statements.size(); ++statement_idx) {
      const StatementRef& statement = statements[statement_idx];
      std::string& name = names[statement_idx];
      if (auto cached = prepared_.find(statement.sql); cached != prepared_.end()) {
        name = cached->second;
      } else if (auto earlier = std::find_if(statements.begin(), statements.begin() + statement_idx,
                                             [&](const StatementRef& other) { return other.sql == statement.sql; });
                 earlier != statements.begin() + statement_idx) {
        name = names[static_cast<std::size_t>(earlier - statements.begin())];
      } else {
        name = "s" + std::to_string(++statement_counter_);
        const std::string sql(statement.sql);
        // Zero parameter types: the server infers them, and every value is sent as text.
        if (PQsendPrepare(conn_, name.c_str(), sql.c_str(), 0, nullptr) != 1) {
          co_return connectionFailure("cannot send statement");
        }
        steps.push_back({true, statement_idx});
      }
      values.clear();
      for (const std::optional<std::string>& param : *statement.params) {
        values.push_back(param ? param->c_str() : nullptr);
      }
      if (PQsendQueryPrepared(conn_, name.c_str(), static_cast<int>(values.size()), values.data(), nullptr, nullptr,
                              0) != 1) {
        co_return connectionFailure("cannot send statement");
      }
      steps.push_back({false, statement_idx});
    }
    if (PQpipelineSync(conn_) != 1) {
      co_return connectionFailure("cannot send statement");
    }

    while (true) {
      const int flushed = PQflush(conn_);
      if (flushed == 0) {
        break;
      }
      if (flushed < 0) {
        co_return connectionFailure("cannot send statement");
      }
      // libpq asks to read while we wait to write: the server may be blocked on sending us
      // results of the statements it already has, and would never drain its input otherwise.
      const Wake wake = co_await waitSocket(Want::kReadOrWrite, deadline);
      if (wake == Wake::kTimedOut) {
        co_return timedOut();
      }
      if (wake == Wake::kFailed || (wake == Wake::kReadable && PQconsumeInput(conn_) != 1)) {
        co_return connectionFailure("connection to PostgreSQL lost");
      }
    }

    std::vector<PgResult> results(statements.size());
    std::optional<core::Error> first_error;
    std::size_t step_idx = 0;
    bool synced = false;
    bool previous_was_null = false;
    while (!synced) {
      while (!synced && PQisBusy(conn_) == 0) {
        PGresult* raw = PQgetResult(conn_);
        if (raw == nullptr) {
          // NULL ends each step's results. Two in a row mean libpq has nothing queued, which
          // would spin forever: our bookkeeping and libpq's disagree.
          if (previous_was_null) {
            co_return connectionFailure("pipeline lost its synchronisation point");
          }
          previous_was_null = true;
          continue;
        }
        previous_was_null = false;
        PgResult result(raw);
        const ExecStatusType status = PQresultStatus(raw);
        if (status == PGRES_PIPELINE_SYNC) {
          synced = true;
          break;
        }
        if (step_idx >= steps.size()) {
          co_return connectionFailure("unexpected result in pipeline");
        }
        const Step step = steps[step_idx++];
        if (status == PGRES_FATAL_ERROR || status == PGRES_BAD_RESPONSE || status == PGRES_NONFATAL_ERROR) {
          if (!first_error) {
            first_error =
                core::Error{PQstatus(conn_) == CONNECTION_OK ? ErrorCode::kDatabase : ErrorCode::kServiceUnavailable,
                            describeResultError(raw)};
          }
        } else if (status == PGRES_PIPELINE_ABORTED) {
          // Skipped because an earlier statement failed; that failure is the one reported.
        } else if (status == PGRES_COPY_IN || status == PGRES_COPY_OUT || status == PGRES_COPY_BOTH) {
          co_return connectionFailure("COPY is not supported through the pool");
        } else if (step.prepare) {
          prepared_.emplace(std::string(statements[step.statement_idx].sql), names[step.statement_idx]);
        } else {
          results[step.statement_idx] = std::move(result);
        }
      }
      if (synced) {
        break;
      }
      const Wake wake = co_await waitSocket(Want::kRead, deadline);
      if (wake == Wake::kTimedOut) {
        co_return timedOut();
      }
      if (wake == Wake::kFailed || PQconsumeInput(conn_) != 1) {
        co_return connectionFailure("connection to PostgreSQL lost");
      }
    }
    if (PQexitPipelineMode(conn_) != 1) {
      co_return connectionFailure("cannot leave pipeline mode");
    }
    if (first_error) {
      co_return std::unexpected(std::move(*first_error));
    }
    co_return results;
  }

private:
  enum class Want { kRead, kWrite, kReadOrWrite };
  enum class Wake { kReadable, kWritable, kTimedOut, kFailed };

  bool bindSocket() {
    if (socket_.is_open()) {
      socket_.release();
    }
    const int fd = PQsocket(conn_);
    if (fd < 0) {
      return false;
    }
    boost::system::error_code ec;
    socket_.assign(fd, ec);
    return !ec;
  }

  // Races the socket against the deadline. A parallel group completes only after every
  // operation in it has, so no handler can outlive this connection.
  asio::awaitable<Wake> waitSocket(Want want, SteadyTime deadline) {
    using asio::experimental::make_parallel_group;
    using asio::experimental::wait_for_one;
    using Descriptor = asio::posix::stream_descriptor;
    timer_.expires_at(deadline);
    if (want == Want::kReadOrWrite) {
      auto [order, read_ec, write_ec, timer_ec] =
          co_await make_parallel_group(socket_.async_wait(Descriptor::wait_read, asio::deferred),
                                       socket_.async_wait(Descriptor::wait_write, asio::deferred),
                                       timer_.async_wait(asio::deferred))
              .async_wait(wait_for_one(), asio::use_awaitable);
      switch (order[0]) {
      case 0: co_return read_ec ? Wake::kFailed : Wake::kReadable;
      case 1: co_return write_ec ? Wake::kFailed : Wake::kWritable;
      default: co_return timer_ec ? Wake::kFailed : Wake::kTimedOut;
      }
    }
    const auto wait_type = want == Want::kRead ? Descriptor::wait_read : Descriptor::wait_write;
    auto [order, socket_ec, timer_ec] =
        co_await make_parallel_group(socket_.async_wait(wait_type, asio::deferred), timer_.async_wait(asio::deferred))
            .async_wait(wait_for_one(), asio::use_awaitable);
    if (order[0] == 0) {
      co_return socket_ec ? Wake::kFailed : (want == Want::kRead ? Wake::kReadable : Wake::kWritable);
    }
    co_return timer_ec ? Wake::kFailed : Wake::kTimedOut;
  }

  std::unexpected<core::Error> connectionFailure(std::string_view what) {
    broken_ = true;
    std::string detail = trimmed(PQerrorMessage(conn_));
    return core::fail(ErrorCode::kServiceUnavailable,
                      detail.empty() ? std::string(what) : std::string(what) + ": " + detail);
  }

  // The server keeps running a statement whose client went away, so it is cancelled
  // explicitly. PQcancel blocks, but only for one local round trip to the postmaster.
  std::unexpected<core::Error> timedOut() {
    broken_ = true;
    if (PGcancel* cancel = PQgetCancel(conn_); cancel != nullptr) {
      char error[256];
      PQcancel(cancel, error, sizeof error);
      PQfreeCancel(cancel);
    }
    return core::fail(ErrorCode::kDatabase, "[" + std::string(kQueryCanceledState) +
                                                "] query cancelled: no result within " + millis(query_timeout_));
  }

  // owned
  PGconn* conn_;
  asio::posix::stream_descriptor socket_;
  asio::steady_timer timer_;
  //! SQL text -> server-side statement name ("s1", "s2", ...).
  std::unordered_map<std::string, std::string, StringHash, std::equal_to<>> prepared_;
  std::uint64_t statement_counter_ = 0;
  //! Set on any connection-level failure or timeout: the pool must not reuse it.
  bool broken_ = false;
  // given
  std::chrono::milliseconds query_timeout_;
  std::shared_ptr<PoolLink> link_;
};

// ---------------------------------------------------------------------------------------------
// PgResult

PgResult::PgResult(pg_result* result) noexcept : result_(result) {}

void PgResult::Deleter::operator()(pg_result* result) const noexcept { PQclear(result); }

int PgResult::rows() const noexcept { return result_ ? PQntuples(result_.get()) : 0; }

int PgResult::columns() const noexcept { return result_ ? PQnfields(result_.get()) : 0; }

bool PgResult::isNull(int row, int column) const noexcept {
  return !result_ || PQgetisnull(result_.get(), row, column) != 0;
}

std::string_view PgResult::text(int row, int column) const noexcept {
  if (!result_ || row < 0 || row >= rows() || column < 0 || column >= columns()) {
    return {};
  }
  return {PQgetvalue(result_.get(), row, column), static_cast<std::size_t>(PQgetlength(result_.get(), row, column))};
}

std::optional<std::int64_t> PgResult::integer(int row, int column) const noexcept {
  if (isNull(row, column)) {
    return std::nullopt;
  }
  const std::string_view value = text(row, column);
  std::int64_t parsed = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), parsed);
  if (ec != std::errc() || end != value.data() + value.size() || value.empty()) {
    return std::nullopt;
  }
  return parsed;
}

std::int64_t PgResult::affectedRows() const noexcept {
  if (!result_) {
    return 0;
  }
  const std::string_view value = PQcmdTuples(result_.get());
  std::int64_t parsed = 0;
  std::from_chars(value.data(), value.data() + value.size(), parsed);
  return parsed;
}

// ---------------------------------------------------------------------------------------------
// PgPool state

namespace {

//! A coroutine parked in acquire(). Lives in that coroutine's frame; release() and close()
//! fill in the outcome and cancel the timer to wake it.
struct Waiter {
  explicit Waiter(const asio::any_io_executor& executor) : timer(executor) {}
  Waiter(const Waiter&) = delete;
  Waiter& operator=(const Waiter&) = delete;
  // A frame destroyed while parked (io_context torn down) must not stay in the queue.
  ~Waiter() {
    if (queue != nullptr) {
      std::erase(*queue, this);
    }
  }

  void wake() {
    queue = nullptr;
    timer.cancel();
  }

  asio::steady_timer timer;
  std::unique_ptr<PgConnection> connection; //!< handed over by release()
  bool may_open = false; //!< a slot was freed and reserved for this waiter
  bool pool_closed = false;
  std::deque<Waiter*>* queue = nullptr; //!< non-null while queued
};

} // namespace

struct PgPool::State {
  State(asio::any_io_executor executor_in, PgPoolConfig config_in)
      : executor(std::move(executor_in)), config(std::move(config_in)) {}

  std::size_t total() const noexcept { return idle.size() + leased + opening; }

  //! The next waiter to serve: urgent ones first, each queue oldest first; null when none.
  Waiter* nextWaiter() {
    auto& queue = !urgent_waiters.empty() ? urgent_waiters : waiters;
    if (queue.empty()) return nullptr;
    Waiter* waiter = queue.front();
    queue.pop_front();
    return waiter;
  }

  //! Lets the next waiters open connections in slots that were freed.
  void grantSlots() {
    while (!closed && total() < config.max_connections) {
      Waiter* waiter = nextWaiter();
      if (waiter == nullptr) break;
      waiter->may_open = true;
      ++opening;
      waiter->wake();
    }
  }

  // given
  asio::any_io_executor executor;
  PgPoolConfig config;
  // owned
  std::shared_ptr<PoolLink> link = std::make_shared<PoolLink>();
  //! Most recently returned last; reused from the back so warm connections stay warm.
  std::vector<std::unique_ptr<PgConnection>> idle;
  std::deque<Waiter*> waiters;
  std::deque<Waiter*> urgent_waiters; //!< served before `waiters` (Priority::kUrgent)
  std::size_t leased = 0;
  std::size_t opening = 0; //!< connects in progress, counted against max_connections
  bool closed = false;
};

namespace {

std::unexpected<core::Error> poolClosed() {
  return core::fail(ErrorCode::kServiceUnavailable, "PostgreSQL pool is closed");
}

} // namespace

std::string idArray(std::span<const std::uint64_t> ids) {
  std::string out = "{";
  for (const auto id : ids) {
    if (out.size() > 1) out += ',';
    out += std::to_string(id);
  }
  out += '}';
  return out;
}

// ---------------------------------------------------------------------------------------------
// PgLease

PgLease::PgLease(PgPool* pool, std::unique_ptr<PgConnection> connection) noexcept
    : pool_(pool), connection_(std::move(connection)) {}

PgLease::PgLease(PgLease&& other) noexcept
    : pool_(std::exchange(other.pool_, nullptr)), connection_(std::move(other.connection_)) {}

PgLease& PgLease::operator=(PgLease&& other) noexcept {
  if (this != &other) {
    PgLease returned(std::move(*this));
    pool_ = std::exchange(other.pool_, nullptr);
    connection_ = std::move(other.connection_);
  }
  return *this;
}

PgLease::~PgLease() {
  if (connection_ && connection_->poolAlive() && pool_ != nullptr) {
    pool_->release(std::move(connection_));
  }
}

asio::awaitable<core::Result<PgResult>> PgLease::query(std::string_view sql, Params params) {
  if (!connection_) {
    co_return core::fail(ErrorCode::kGeneral, "query on an empty PgLease");
  }
  PoolLink& link = connection_->link();
  // Built apart from the co_await: g++ 12 rejects an initializer list inside one.
  std::vector<StatementRef> refs;
  refs.push_back({sql, &params});
  auto results = co_await connection_->run(std::move(refs));
  ++link.queries;
  if (!results) {
    ++link.errors;
    co_return std::unexpected(std::move(results.error()));
  }
  co_return std::move(results->front());
}

asio::awaitable<core::Result<std::vector<PgResult>>> PgLease::pipeline(std::vector<Statement> statements) {
  if (!connection_) {
    co_return core::fail(ErrorCode::kGeneral, "pipeline on an empty PgLease");
  }
  if (statements.empty()) {
    co_return std::vector<PgResult>{};
  }
  std::vector<StatementRef> refs;
  refs.reserve(statements.size());
  for (const Statement& statement : statements) {
    refs.push_back({statement.sql, &statement.params});
  }
  PoolLink& link = connection_->link();
  auto results = co_await connection_->run(std::move(refs));
  link.queries += statements.size();
  if (!results) {
    ++link.errors;
  }
  co_return results;
}

// ---------------------------------------------------------------------------------------------
// PgPool

PgPool::PgPool(asio::any_io_executor executor, PgPoolConfig config)
    : state_(std::make_unique<State>(std::move(executor), std::move(config))) {}

PgPool::~PgPool() {
  close();
  state_->link->alive = false;
}

asio::awaitable<core::Result<PgLease>> PgPool::acquire(Priority priority) {
  State& state = *state_;
  // After any suspension `state` is only touched if the pool still exists.
  const std::shared_ptr<PoolLink> link = state.link;
  if (state.closed) {
    co_return poolClosed();
  }
  while (!state.idle.empty()) {
    std::unique_ptr<PgConnection> connection = std::move(state.idle.back());
    state.idle.pop_back();
    if (connection->stillAlive()) {
      ++state.leased;
      co_return PgLease(this, std::move(connection));
    }
  }

  if (state.total() < state.config.max_connections) {
    ++state.opening;
  } else {
    Waiter waiter(state.executor);
    waiter.timer.expires_after(state.config.acquire_timeout);
    waiter.queue = priority == Priority::kUrgent ? &state.urgent_waiters : &state.waiters;
    waiter.queue->push_back(&waiter);
    const std::chrono::milliseconds acquire_timeout = state.config.acquire_timeout;
    boost::system::error_code ec;
    co_await waiter.timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (!link->alive || waiter.pool_closed) {
      co_return poolClosed();
    }
    if (waiter.connection) {
      co_return PgLease(this, std::move(waiter.connection));
    }
    if (!waiter.may_open) {
      co_return core::fail(ErrorCode::kServiceUnavailable,
                           "no PostgreSQL connection free within " + millis(acquire_timeout));
    }
  }

  // A slot is reserved in `opening`; every path below gives it back.
  if (state.closed) {
    --state.opening;
    co_return poolClosed();
  }
  auto connection = co_await PgConnection::connect(state.executor, state.config.conninfo, state.config.connect_timeout,
                                                   state.config.query_timeout, link);
  if (!link->alive) {
    co_return poolClosed();
  }
  --state.opening;
  if (!connection) {
    state.grantSlots();
    co_return std::unexpected(std::move(connection.error()));
  }
  if (state.closed) {
    co_return poolClosed();
  }
  ++state.leased;
  co_return PgLease(this, std::move(*connection));
}

asio::awaitable<core::Result<PgResult>> PgPool::query(std::string_view sql, Params params, Priority priority) {
  auto lease = co_await acquire(priority);
  if (!lease) {
    co_return std::unexpected(std::move(lease.error()));
  }
  co_return co_await lease->query(sql, std::move(params));
}

asio::awaitable<core::Result<std::vector<PgResult>>> PgPool::pipeline(std::vector<Statement> statements,
                                                                      Priority priority) {
  if (statements.empty()) {
    co_return std::vector<PgResult>{};
  }
  auto lease = co_await acquire(priority);
  if (!lease) {
    co_return std::unexpected(std::move(lease.error()));
  }
  co_return co_await lease->pipeline(std::move(statements));
}

void PgPool::close() {
  State& state = *state_;
  state.closed = true;
  state.idle.clear();
  for (auto* queue : {&state.urgent_waiters, &state.waiters}) {
    std::deque<Waiter*> waiters = std::exchange(*queue, {});
    for (Waiter* waiter : waiters) {
      waiter->pool_closed = true;
      waiter->wake();
    }
  }
}

PgPoolStats PgPool::stats() const noexcept {
  const State& state = *state_;
  PgPoolStats stats;
  stats.open = state.idle.size() + state.leased;
  stats.in_use = state.leased;
  stats.waiting = state.waiters.size() + state.urgent_waiters.size();
  stats.queries = state.link->queries;
  stats.errors = state.link->errors;
  return stats;
}

void PgPool::release(std::unique_ptr<PgConnection> connection) noexcept {
  State& state = *state_;
  --state.leased;
  // A connection left inside a transaction (a forgotten COMMIT, a coroutine destroyed
  // mid-query) is closed: the server rolls the transaction back, and nobody inherits it.
  if (state.closed || !connection->reusable()) {
    connection.reset();
    state.grantSlots();
    return;
  }
  if (Waiter* waiter = state.nextWaiter(); waiter != nullptr) {
    waiter->connection = std::move(connection);
    ++state.leased;
    waiter->wake();
    return;
  }
  state.idle.push_back(std::move(connection));
}

} // namespace hearth::store
