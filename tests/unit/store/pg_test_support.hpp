#pragma once
// Test support for store/: a throw-away database per test on the cluster named by HEARTH_TEST_PG,
// blocking libpq helpers to inspect it from outside the pool, and a runner for coroutines.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include "store/pg.hpp"

namespace hearth::store::test_support {

namespace asio = boost::asio;

//! The maintenance conninfo from HEARTH_TEST_PG, or nullopt (the caller fails the test).
inline std::optional<std::string> adminConninfo() {
  const char* value = std::getenv("HEARTH_TEST_PG");
  if (value == nullptr || *value == '\0') {
    return std::nullopt;
  }
  return std::string(value);
}

inline constexpr const char* kMissingConninfo =
    "HEARTH_TEST_PG is not set. Start the test cluster and export its conninfo:\n"
    "  HEARTH_PG_DIR=$PWD/var/test-pg HEARTH_DB=postgres scripts/db.sh start\n"
    "  export HEARTH_TEST_PG=\"$(HEARTH_PG_DIR=$PWD/var/test-pg HEARTH_DB=postgres scripts/db.sh url)\"";

//! Runs one statement on a fresh blocking connection. Returns the first column of the first row
//! (empty if none), or nullopt with the error added to the test's failures.
inline std::optional<std::string> execBlocking(const std::string& conninfo, const std::string& sql) {
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(conninfo.c_str()), &PQfinish);
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    ADD_FAILURE() << "cannot connect to " << conninfo << ": " << PQerrorMessage(conn.get());
    return std::nullopt;
  }
  std::unique_ptr<PGresult, decltype(&PQclear)> result(PQexec(conn.get(), sql.c_str()), &PQclear);
  const ExecStatusType status = PQresultStatus(result.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    ADD_FAILURE() << sql << " failed: " << PQresultErrorMessage(result.get());
    return std::nullopt;
  }
  if (status == PGRES_TUPLES_OK && PQntuples(result.get()) > 0 && PQnfields(result.get()) > 0) {
    return std::string(PQgetvalue(result.get(), 0, 0));
  }
  return std::string();
}

//! Params built outside a co_await expression: g++ 12 rejects a braced list inside one
//! ("array used as initializer"), so `co_await db.query(sql, {"1"})` does not compile.
template <typename... Values> Params args(Values&&... values) { return Params{std::forward<Values>(values)...}; }

//! Adds a failure naming the error and returns false when `result` holds one. Usable inside
//! coroutines, where ASSERT_* (which `return`s) is not.
template <typename T> bool ok(const core::Result<T>& result) {
  if (!result) {
    ADD_FAILURE() << "unexpected error " << static_cast<int>(result.error().code) << ": " << result.error().message;
    return false;
  }
  return true;
}

//! A fixture giving each test its own database, dropped at the end.
class PgTest : public ::testing::Test {
protected:
  void SetUp() override {
    const std::optional<std::string> admin = adminConninfo();
    ASSERT_TRUE(admin.has_value()) << kMissingConninfo;
    admin_ = *admin;
    std::random_device random;
    std::uniform_int_distribution<std::uint64_t> hex;
    char name[32];
    std::snprintf(name, sizeof name, "hearth_t_%016llx", static_cast<unsigned long long>(hex(random)));
    db_name_ = name;
    ASSERT_TRUE(execBlocking(admin_, "CREATE DATABASE " + db_name_).has_value());
    created_ = true;
    // conninfo is keyword=value; a later keyword wins, so this retargets the same server.
    conninfo_ = admin_ + " dbname=" + db_name_;
  }

  void TearDown() override {
    if (created_) {
      execBlocking(admin_, "DROP DATABASE IF EXISTS " + db_name_ + " WITH (FORCE)");
    }
  }

  //! Runs `sql` against this test's database from outside the pool.
  std::optional<std::string> exec(const std::string& sql) { return execBlocking(conninfo_, sql); }

  std::string admin_;
  std::string db_name_;
  std::string conninfo_;
  bool created_ = false;
};

//! Runs the io_context until `done()` holds; throws if that takes longer than `limit`, so a
//! hung coroutine fails its test instead of hanging the suite.
inline void runUntil(asio::io_context& io, const std::function<bool()>& done,
                     std::chrono::milliseconds limit = std::chrono::seconds(30)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) {
      throw std::runtime_error("coroutine did not finish in time");
    }
    if (io.stopped()) {
      io.restart();
    }
    io.run_one_for(std::chrono::milliseconds(20));
  }
}

//! Spawns `make()` (a callable returning an awaitable) and returns the future of its result,
//! wrapped in std::optional because co_spawn needs a default-constructible result and
//! core::Result<PgLease> is not.
template <typename Make> auto spawn(asio::io_context& io, Make make) {
  using Value = typename decltype(make())::value_type;
  if constexpr (std::is_void_v<Value>) {
    return asio::co_spawn(io, std::move(make), asio::use_future);
  } else {
    return asio::co_spawn(
        io, [make = std::move(make)]() mutable -> asio::awaitable<std::optional<Value>> { co_return co_await make(); },
        asio::use_future);
  }
}

template <typename Future> bool isReady(const Future& future) {
  return future.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
}

//! Runs `make()` to completion on `io` and returns its result.
template <typename Make>
auto run(asio::io_context& io, Make make, std::chrono::milliseconds limit = std::chrono::seconds(30)) {
  auto future = spawn(io, std::move(make));
  runUntil(
      io, [&] { return isReady(future); }, limit);
  if constexpr (std::is_void_v<decltype(future.get())>) {
    future.get();
  } else {
    return std::move(*future.get());
  }
}

//! A PgTest with an io_context and a pool on the test's database.
class PgPoolTest : public PgTest {
protected:
  void TearDown() override {
    pool_.reset();
    PgTest::TearDown();
  }

  //! Settings for this test's database; tests shorten what they exercise.
  PgPoolConfig config() const {
    PgPoolConfig config;
    config.conninfo = conninfo_;
    config.max_connections = 4;
    config.connect_timeout = std::chrono::seconds(5);
    config.acquire_timeout = std::chrono::seconds(5);
    config.query_timeout = std::chrono::seconds(10);
    return config;
  }

  PgPool& makePool(PgPoolConfig config) {
    pool_ = std::make_unique<PgPool>(io_.get_executor(), std::move(config));
    return *pool_;
  }

  PgPool& pool() {
    if (!pool_) {
      makePool(config());
    }
    return *pool_;
  }

  template <typename Make> auto run(Make make) { return test_support::run(io_, std::move(make)); }

  asio::io_context io_; // declared before pool_: the pool must go first
  std::unique_ptr<PgPool> pool_;
};

} // namespace hearth::store::test_support
