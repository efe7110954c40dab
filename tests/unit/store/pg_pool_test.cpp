// The pool's bookkeeping: limits, waiting, timeouts, unreachable servers, close and teardown.
#include "store/pg.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "unit/store/pg_test_support.hpp"

namespace hearth::store {
namespace {

namespace asio = boost::asio;
using core::ErrorCode;
using test_support::isReady;
using test_support::ok;
using test_support::runUntil;
using test_support::spawn;
using LeaseResult = core::Result<PgLease>;
using QueryResult = core::Result<PgResult>;
using Clock = std::chrono::steady_clock;

class PgPoolLimitsTest : public test_support::PgPoolTest {
protected:
  LeaseResult acquire() {
    return run([&]() -> asio::awaitable<LeaseResult> { co_return co_await pool().acquire(); });
  }
};

TEST_F(PgPoolLimitsTest, ReusesAReturnedConnection) {
  const auto backendPid = [&] {
    return run([&]() -> asio::awaitable<QueryResult> { co_return co_await pool().query("SELECT pg_backend_pid()"); });
  };
  const QueryResult first = backendPid();
  const QueryResult second = backendPid();
  ASSERT_TRUE(ok(first));
  ASSERT_TRUE(ok(second));
  EXPECT_EQ(first->text(0, 0), second->text(0, 0));
  EXPECT_EQ(pool().stats().open, 1u);
}

TEST_F(PgPoolLimitsTest, NeverOpensMoreThanMaxConnections) {
  PgPoolConfig config = this->config();
  config.max_connections = 2;
  PgPool& db = makePool(config);
  const auto started = Clock::now();
  std::vector<std::future<std::optional<QueryResult>>> queries;
  for (int query_idx = 0; query_idx < 3; ++query_idx) {
    queries.push_back(
        spawn(io_, [&]() -> asio::awaitable<QueryResult> { co_return co_await db.query("SELECT pg_sleep(0.2)"); }));
  }
  // Sampled after every handler, so no transient peak goes unseen.
  std::size_t max_open = 0;
  std::size_t max_waiting = 0;
  runUntil(io_, [&] {
    const PgPoolStats stats = db.stats();
    max_open = std::max(max_open, stats.open);
    max_waiting = std::max(max_waiting, stats.waiting);
    return std::all_of(queries.begin(), queries.end(), [](const auto& query) { return isReady(query); });
  });
  const auto elapsed = Clock::now() - started;

  for (auto& query : queries) {
    EXPECT_TRUE(ok(*query.get()));
  }
  EXPECT_LE(max_open, 2u);
  EXPECT_EQ(max_waiting, 1u) << "the third query must have waited for a connection";
  EXPECT_GE(elapsed, std::chrono::milliseconds(380)) << "the third query runs after one of the first two";
  const PgPoolStats stats = db.stats();
  EXPECT_EQ(stats.open, 2u);
  EXPECT_EQ(stats.in_use, 0u);
  EXPECT_EQ(stats.waiting, 0u);
  EXPECT_EQ(stats.queries, 3u);
}

TEST_F(PgPoolLimitsTest, AcquireTimesOutWhileEveryConnectionIsLeased) {
  PgPoolConfig config = this->config();
  config.max_connections = 1;
  config.acquire_timeout = std::chrono::milliseconds(150);
  makePool(config);
  LeaseResult held = acquire();
  ASSERT_TRUE(ok(held));

  const auto started = Clock::now();
  const LeaseResult starved = acquire();
  const auto elapsed = Clock::now() - started;
  ASSERT_FALSE(starved);
  EXPECT_EQ(starved.error().code, ErrorCode::kServiceUnavailable);
  EXPECT_GE(elapsed, std::chrono::milliseconds(140));
  EXPECT_LT(elapsed, std::chrono::seconds(3));
  EXPECT_EQ(pool().stats().waiting, 0u);

  held = core::fail(ErrorCode::kGeneral, "returned");
  EXPECT_TRUE(ok(acquire()));
}

// With one connection, held: `arrivals` wait in turn (name, priority); once it is returned,
// the order in which they were served. Each waiter must get the connection and run a query, and
// the pool must never open a second one.
std::vector<std::string> servedInTurn(asio::io_context& io, PgPool& db,
                                      const std::vector<std::pair<std::string, PgPool::Priority>>& arrivals) {
  LeaseResult held = test_support::run(io, [&]() -> asio::awaitable<LeaseResult> { co_return co_await db.acquire(); });
  EXPECT_TRUE(ok(held));
  std::vector<std::string> served;
  const auto waiter = [&](std::string name, PgPool::Priority priority) {
    return [&, name, priority]() -> asio::awaitable<bool> {
      auto lease = co_await db.acquire(priority);
      if (!ok(lease)) {
        co_return false;
      }
      served.push_back(name);
      co_return ok(co_await lease->query("SELECT 1"));
    };
  };
  std::vector<decltype(spawn(io, waiter("", PgPool::Priority::kNormal)))> all;
  for (const auto& [name, priority] : arrivals) {
    all.push_back(spawn(io, waiter(name, priority)));
    const std::size_t waiting = all.size();
    runUntil(io, [&] { return db.stats().waiting == waiting; });
  }
  held = core::fail(ErrorCode::kGeneral, "returned");
  runUntil(io, [&] { return std::all_of(all.begin(), all.end(), [](auto& f) { return isReady(f); }); });
  for (auto& future : all)
    EXPECT_TRUE(*future.get());
  EXPECT_EQ(db.stats().open, 1u);
  return served;
}

TEST_F(PgPoolLimitsTest, WaitersAreServedInArrivalOrder) {
  PgPoolConfig config = this->config();
  config.max_connections = 1;
  PgPool& db = makePool(config);
  EXPECT_EQ(servedInTurn(io_, db, {{"first", PgPool::Priority::kNormal}, {"second", PgPool::Priority::kNormal}}),
            (std::vector<std::string>{"first", "second"}));
}

TEST_F(PgPoolLimitsTest, UrgentWaitersGoAheadOfThoseAlreadyWaiting) {
  PgPoolConfig config = this->config();
  config.max_connections = 1;
  PgPool& db = makePool(config);
  // Two requests wait, then two urgent deliveries: the deliveries are served first, in their
  // own order, then the requests in theirs.
  EXPECT_EQ(servedInTurn(io_, db,
                         {{"request 1", PgPool::Priority::kNormal},
                          {"request 2", PgPool::Priority::kNormal},
                          {"delivery 1", PgPool::Priority::kUrgent},
                          {"delivery 2", PgPool::Priority::kUrgent}}),
            (std::vector<std::string>{"delivery 1", "delivery 2", "request 1", "request 2"}));
}

TEST_F(PgPoolLimitsTest, UnreachableServerFailsWithServiceUnavailable) {
  PgPoolConfig config = this->config();
  config.conninfo = "host=/nonexistent/hearth-test port=5432 dbname=hearth user=hearth";
  config.connect_timeout = std::chrono::seconds(2);
  makePool(config);
  const auto started = Clock::now();
  const LeaseResult lease = acquire();
  const auto elapsed = Clock::now() - started;

  ASSERT_FALSE(lease);
  EXPECT_EQ(lease.error().code, ErrorCode::kServiceUnavailable);
  EXPECT_NE(lease.error().message.find("cannot connect"), std::string::npos) << lease.error().message;
  EXPECT_LT(elapsed, std::chrono::seconds(2));
  EXPECT_EQ(pool().stats().open, 0u);
  // The failed connect gave its slot back.
  const LeaseResult again = acquire();
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kServiceUnavailable);
}

//! A unix socket that accepts connections into its backlog and never says a word.
class SilentServer {
public:
  SilentServer() {
    char pattern[] = "/tmp/hearth-silent-XXXXXX";
    if (mkdtemp(pattern) == nullptr) {
      return;
    }
    dir_ = pattern;
    const std::string path = dir_ + "/.s.PGSQL.5432";
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
    fd_ = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd_ >= 0 && bind(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0) {
      listening_ = listen(fd_, 8) == 0;
    }
  }
  SilentServer(const SilentServer&) = delete;
  SilentServer& operator=(const SilentServer&) = delete;
  ~SilentServer() {
    if (fd_ >= 0) {
      ::close(fd_);
    }
    if (!dir_.empty()) {
      std::filesystem::remove_all(dir_);
    }
  }
  bool listening() const { return listening_; }
  std::string conninfo() const { return "host=" + dir_ + " port=5432 dbname=hearth user=hearth"; }

private:
  std::string dir_;
  int fd_ = -1;
  bool listening_ = false;
};

TEST_F(PgPoolLimitsTest, ConnectTimesOutWhenTheServerNeverAnswers) {
  SilentServer silent;
  ASSERT_TRUE(silent.listening());
  PgPoolConfig config = this->config();
  config.conninfo = silent.conninfo();
  config.connect_timeout = std::chrono::milliseconds(200);
  makePool(config);
  const auto started = Clock::now();
  const LeaseResult lease = acquire();
  const auto elapsed = Clock::now() - started;

  ASSERT_FALSE(lease);
  EXPECT_EQ(lease.error().code, ErrorCode::kServiceUnavailable);
  EXPECT_NE(lease.error().message.find("no answer within 200 ms"), std::string::npos) << lease.error().message;
  EXPECT_GE(elapsed, std::chrono::milliseconds(190));
  EXPECT_LT(elapsed, std::chrono::seconds(3));
}

TEST_F(PgPoolLimitsTest, CloseFailsWaitersAndLaterAcquires) {
  PgPoolConfig config = this->config();
  config.max_connections = 1;
  config.acquire_timeout = std::chrono::seconds(20);
  PgPool& db = makePool(config);
  LeaseResult held = acquire();
  ASSERT_TRUE(ok(held));
  auto waiter = spawn(io_, [&]() -> asio::awaitable<LeaseResult> { co_return co_await db.acquire(); });
  runUntil(io_, [&] { return db.stats().waiting == 1; });

  const auto started = Clock::now();
  db.close();
  runUntil(io_, [&] { return isReady(waiter); });
  const LeaseResult waited = std::move(*waiter.get());
  ASSERT_FALSE(waited);
  EXPECT_EQ(waited.error().code, ErrorCode::kServiceUnavailable);
  EXPECT_LT(Clock::now() - started, std::chrono::seconds(2)) << "close() must not leave waiters to time out";

  const LeaseResult later = acquire();
  ASSERT_FALSE(later);
  EXPECT_EQ(later.error().code, ErrorCode::kServiceUnavailable);
  EXPECT_EQ(db.stats().open, 1u) << "the leased connection stays until returned";
  held = core::fail(ErrorCode::kGeneral, "returned");
  EXPECT_EQ(db.stats().open, 0u);
}

TEST_F(PgPoolLimitsTest, DestroyingThePoolWithALeaseAndAWaiterOutstandingIsSafe) {
  PgPoolConfig config = this->config();
  config.max_connections = 1;
  config.acquire_timeout = std::chrono::seconds(20);
  PgPool& db = makePool(config);
  LeaseResult held = acquire();
  ASSERT_TRUE(ok(held));
  ASSERT_TRUE(ok(run([&]() -> asio::awaitable<QueryResult> { co_return co_await held->query("SELECT 1"); })));
  auto waiter = spawn(io_, [&]() -> asio::awaitable<LeaseResult> { co_return co_await db.acquire(); });
  runUntil(io_, [&] { return db.stats().waiting == 1; });

  pool_.reset();
  runUntil(io_, [&] { return isReady(waiter); });
  const LeaseResult waited = std::move(*waiter.get());
  ASSERT_FALSE(waited);
  EXPECT_EQ(waited.error().code, ErrorCode::kServiceUnavailable);
  // Returning a lease to a pool that is gone must neither crash nor leak (ASan checks both).
  held = core::fail(ErrorCode::kGeneral, "returned");
}

} // namespace
} // namespace hearth::store
