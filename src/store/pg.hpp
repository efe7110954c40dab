#pragma once
// PostgreSQL access: an asynchronous libpq connection pool on Asio. No thread per query: each
// connection's socket is watched by the io_context it belongs to. One PgPool per io_context
// (hearthd runs one io_context per core), so a pool is used from one thread only.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "core/error.hpp"

struct pg_result;

namespace hearth::store {

//! Text-format parameters; std::nullopt is SQL NULL. Build them before a co_await expression:
//! g++ 12 rejects a braced list inside one.
using Params = std::vector<std::optional<std::string>>;

//! A PostgreSQL array literal of ids (`{1,2,3}`), for a `$n::bigint[]` parameter.
std::string idArray(std::span<const std::uint64_t> ids);

//! One statement of a pipeline.
struct Statement {
  std::string sql;
  Params params;
};

//! The rows of one finished statement. Values are in PostgreSQL's text format.
class PgResult {
public:
  PgResult() = default;
  explicit PgResult(pg_result* result) noexcept;
  int rows() const noexcept;
  int columns() const noexcept;
  bool isNull(int row, int column) const noexcept;
  //! The value as text; empty for NULL. Valid while this PgResult lives.
  std::string_view text(int row, int column) const noexcept;
  //! The value parsed as an integer; nullopt for NULL or not a number.
  std::optional<std::int64_t> integer(int row, int column) const noexcept;
  //! Rows changed by INSERT/UPDATE/DELETE.
  std::int64_t affectedRows() const noexcept;

private:
  struct Deleter {
    void operator()(pg_result* result) const noexcept;
  };
  std::unique_ptr<pg_result, Deleter> result_;
};

//! Pool settings.
struct PgPoolConfig {
  std::string conninfo; //!< libpq connection string or URL
  std::size_t max_connections = 4; //!< per pool (so per io_context thread)
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds acquire_timeout{5000}; //!< waiting for a free connection
  std::chrono::milliseconds query_timeout{30000}; //!< a query running longer is cancelled
};

//! Pool gauges for /metrics.
struct PgPoolStats {
  std::size_t open = 0; //!< connections established
  std::size_t in_use = 0; //!< leased right now
  std::size_t waiting = 0; //!< coroutines waiting for a connection
  std::uint64_t queries = 0;
  std::uint64_t errors = 0;
};

class PgPool;
class PgConnection;

//! A connection borrowed from the pool; returned when destroyed. Use it for several statements
//! that must run on one connection (transactions: "BEGIN" ... "COMMIT").
class PgLease {
public:
  PgLease(PgLease&&) noexcept;
  PgLease& operator=(PgLease&&) noexcept;
  ~PgLease();
  //! Runs one statement (prepared once per connection and cached by its SQL text).
  boost::asio::awaitable<core::Result<PgResult>> query(std::string_view sql, Params params = {});
  //! Runs statements in libpq pipeline mode: one round trip for all. Without BEGIN the batch is
  //! one implicit transaction, all or nothing: on the first failure earlier statements roll
  //! back, the rest are skipped, and the error is returned.
  boost::asio::awaitable<core::Result<std::vector<PgResult>>> pipeline(std::vector<Statement> statements);

private:
  friend class PgPool;
  PgLease(PgPool* pool, std::unique_ptr<PgConnection> connection) noexcept;
  PgPool* pool_ = nullptr;
  std::unique_ptr<PgConnection> connection_;
};

class PgPool {
public:
  PgPool(boost::asio::any_io_executor executor, PgPoolConfig config);
  ~PgPool();
  PgPool(const PgPool&) = delete;
  PgPool& operator=(const PgPool&) = delete;

  //! Who is served first when every connection is taken: work that others wait on (event
  //! delivery, whose queue holds every later event) goes ahead of requests already waiting, so
  //! a flood of requests cannot starve it.
  enum class Priority : std::uint8_t { kNormal, kUrgent };
  //! Borrows a connection, opening one if below max_connections, else waiting up to
  //! acquire_timeout. Fails with kServiceUnavailable if the database cannot be reached.
  boost::asio::awaitable<core::Result<PgLease>> acquire(Priority priority = Priority::kNormal);
  //! acquire() + query() + release.
  boost::asio::awaitable<core::Result<PgResult>> query(std::string_view sql, Params params = {},
                                                       Priority priority = Priority::kNormal);
  //! acquire() + pipeline() + release.
  boost::asio::awaitable<core::Result<std::vector<PgResult>>> pipeline(std::vector<Statement> statements,
                                                                       Priority priority = Priority::kNormal);
  //! Closes idle connections and fails waiters; leased connections close when returned.
  void close();
  PgPoolStats stats() const noexcept;

private:
  friend class PgLease;
  void release(std::unique_ptr<PgConnection> connection) noexcept;
  struct State;
  std::unique_ptr<State> state_;
};

} // namespace hearth::store
