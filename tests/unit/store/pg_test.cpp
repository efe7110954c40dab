// Statements through the pool and a lease: results, parameters, prepared statements, errors,
// transactions, pipelines, timeouts and connections the server drops.
#include "store/pg.hpp"

#include <chrono>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "unit/store/pg_test_support.hpp"

namespace hearth::store {
namespace {

namespace asio = boost::asio;
using core::ErrorCode;
using test_support::args;
using test_support::ok;
using QueryResult = core::Result<PgResult>;

class PgQueryTest : public test_support::PgPoolTest {
protected:
  std::int64_t countRows(const std::string& table) {
    const std::optional<std::string> count = exec("SELECT count(*) FROM " + table);
    return count ? std::stoll(*count) : -1;
  }
};

TEST_F(PgQueryTest, ConnectsAndRunsASimpleQuery) {
  const QueryResult result =
      run([&]() -> asio::awaitable<QueryResult> { co_return co_await pool().query("SELECT 1 + 1 AS two, 'hearth'"); });

  ASSERT_TRUE(ok(result));
  EXPECT_EQ(result->rows(), 1);
  EXPECT_EQ(result->columns(), 2);
  EXPECT_EQ(result->integer(0, 0), 2);
  EXPECT_EQ(result->text(0, 1), "hearth");
  EXPECT_FALSE(result->isNull(0, 1));
  const PgPoolStats stats = pool().stats();
  EXPECT_EQ(stats.open, 1u);
  EXPECT_EQ(stats.in_use, 0u);
  EXPECT_EQ(stats.queries, 1u);
  EXPECT_EQ(stats.errors, 0u);
}

TEST_F(PgQueryTest, ParametersCarryNullUnicodeAndQuotesVerbatim) {
  const std::string unicode = "héllo wörld — 日本語 🔥";
  const std::string hostile = "O'Brien\"; DROP TABLE users; --";
  const QueryResult result = run([&]() -> asio::awaitable<QueryResult> {
    co_return co_await pool().query(
        "SELECT $1::text, $2::text, $2::text IS NULL, char_length($1::text), $3::bigint * 2, $4::text",
        args(unicode, std::nullopt, "21", hostile));
  });

  ASSERT_TRUE(ok(result));
  EXPECT_EQ(result->text(0, 0), unicode);
  EXPECT_TRUE(result->isNull(0, 1));
  EXPECT_EQ(result->text(0, 1), "");
  EXPECT_EQ(result->integer(0, 1), std::nullopt);
  EXPECT_EQ(result->text(0, 2), "t");
  EXPECT_EQ(result->integer(0, 3), 19) << "the server must see UTF-8 characters, not bytes";
  EXPECT_EQ(result->integer(0, 4), 42);
  EXPECT_EQ(result->text(0, 5), hostile);
}

TEST_F(PgQueryTest, PreparesEachStatementOncePerConnection) {
  const std::string add_one = "SELECT $1::int + 1";
  run([&]() -> asio::awaitable<void> {
    auto lease = co_await pool().acquire();
    if (!ok(lease)) {
      co_return;
    }
    const QueryResult first = co_await lease->query(add_one, args("1"));
    const QueryResult second = co_await lease->query(add_one, args("41"));
    const QueryResult other = co_await lease->query("SELECT $1::text || '!'", args("hi"));
    const QueryResult prepared =
        co_await lease->query("SELECT count(*) FROM pg_prepared_statements WHERE statement = $1", args(add_one));
    if (ok(first) && ok(second) && ok(other) && ok(prepared)) {
      EXPECT_EQ(first->integer(0, 0), 2);
      EXPECT_EQ(second->integer(0, 0), 42);
      EXPECT_EQ(other->text(0, 0), "hi!");
      EXPECT_EQ(prepared->integer(0, 0), 1) << "the same SQL must reuse its prepared statement";
    }
  });
}

TEST_F(PgQueryTest, ErrorsCarrySqlstateAndLeaveTheConnectionUsable) {
  run([&]() -> asio::awaitable<void> {
    auto lease = co_await pool().acquire();
    if (!ok(lease)) {
      co_return;
    }
    const QueryResult missing = co_await lease->query("SELECT * FROM no_such_table");
    EXPECT_FALSE(missing);
    if (!missing) {
      EXPECT_EQ(missing.error().code, ErrorCode::kDatabase);
      EXPECT_EQ(missing.error().message.rfind("[42P01] ", 0), 0u) << missing.error().message;
      EXPECT_NE(missing.error().message.find("no_such_table"), std::string::npos);
    }
    const QueryResult after = co_await lease->query("SELECT 7");
    if (ok(after)) {
      EXPECT_EQ(after->integer(0, 0), 7);
    }

    const QueryResult by_zero = co_await lease->query("SELECT 10 / $1::int", args("0"));
    EXPECT_FALSE(by_zero);
    if (!by_zero) {
      EXPECT_EQ(by_zero.error().message.rfind("[22012] ", 0), 0u) << by_zero.error().message;
    }
    // The statement stays prepared after failing at run time.
    const QueryResult by_five = co_await lease->query("SELECT 10 / $1::int", args("5"));
    if (ok(by_five)) {
      EXPECT_EQ(by_five->integer(0, 0), 2);
    }

    const QueryResult syntax = co_await lease->query("SELEC 1");
    EXPECT_FALSE(syntax);
    if (!syntax) {
      EXPECT_EQ(syntax.error().message.rfind("[42601] ", 0), 0u) << syntax.error().message;
    }
    const QueryResult wrong_arity = co_await lease->query("SELECT $1::int", args());
    EXPECT_FALSE(wrong_arity);
  });

  const PgPoolStats stats = pool().stats();
  EXPECT_EQ(stats.errors, 4u);
  EXPECT_EQ(stats.open, 1u) << "a statement error must not cost the connection";
}

TEST_F(PgQueryTest, ReportsRowsAndAffectedRows) {
  ASSERT_TRUE(exec("CREATE TABLE items (id INT PRIMARY KEY, name TEXT)"));
  run([&]() -> asio::awaitable<void> {
    PgPool& db = pool();
    const QueryResult inserted = co_await db.query("INSERT INTO items VALUES (1, 'a'), (2, 'b'), (3, 'c')");
    const QueryResult updated = co_await db.query("UPDATE items SET name = 'x' WHERE id >= $1", args("2"));
    const QueryResult deleted = co_await db.query("DELETE FROM items WHERE id = 99");
    const QueryResult selected = co_await db.query("SELECT id, name FROM items ORDER BY id");
    const QueryResult duplicate = co_await db.query("INSERT INTO items VALUES (1, 'again')");
    if (ok(inserted) && ok(updated) && ok(deleted) && ok(selected)) {
      EXPECT_EQ(inserted->affectedRows(), 3);
      EXPECT_EQ(updated->affectedRows(), 2);
      EXPECT_EQ(deleted->affectedRows(), 0);
      EXPECT_EQ(selected->rows(), 3);
      EXPECT_EQ(selected->columns(), 2);
      EXPECT_EQ(selected->integer(2, 0), 3);
      EXPECT_EQ(selected->text(2, 1), "x");
      EXPECT_EQ(selected->integer(2, 1), std::nullopt) << "text is not a number";
      EXPECT_EQ(selected->text(3, 0), "") << "out of range reads as empty";
    }
    EXPECT_FALSE(duplicate);
    if (!duplicate) {
      EXPECT_EQ(duplicate.error().message.rfind("[23505] ", 0), 0u) << duplicate.error().message;
    }
  });
}

TEST_F(PgQueryTest, RolledBackTransactionLeavesNothingAndCommittedOneStays) {
  ASSERT_TRUE(exec("CREATE TABLE items (id INT PRIMARY KEY)"));
  run([&]() -> asio::awaitable<void> {
    auto lease = co_await pool().acquire();
    if (!ok(lease)) {
      co_return;
    }
    EXPECT_TRUE(ok(co_await lease->query("BEGIN")));
    EXPECT_TRUE(ok(co_await lease->query("INSERT INTO items VALUES ($1)", args("1"))));
    EXPECT_TRUE(ok(co_await lease->query("ROLLBACK")));
    EXPECT_EQ(countRows("items"), 0);

    EXPECT_TRUE(ok(co_await lease->query("BEGIN")));
    EXPECT_TRUE(ok(co_await lease->query("INSERT INTO items VALUES ($1)", args("2"))));
    EXPECT_EQ(countRows("items"), 0) << "uncommitted rows must not be visible outside";
    EXPECT_TRUE(ok(co_await lease->query("COMMIT")));
    EXPECT_EQ(countRows("items"), 1);
  });
}

TEST_F(PgQueryTest, LeaseReturnedInsideATransactionIsNotReused) {
  ASSERT_TRUE(exec("CREATE TABLE items (id INT PRIMARY KEY)"));
  const QueryResult count = run([&]() -> asio::awaitable<QueryResult> {
    {
      auto lease = co_await pool().acquire();
      if (!ok(lease)) {
        co_return core::fail(ErrorCode::kGeneral, "no lease");
      }
      EXPECT_TRUE(ok(co_await lease->query("BEGIN")));
      EXPECT_TRUE(ok(co_await lease->query("INSERT INTO items VALUES (1)")));
    } // forgotten COMMIT
    EXPECT_EQ(pool().stats().open, 0u) << "the connection inside a transaction must be closed";
    co_return co_await pool().query("SELECT count(*) FROM items");
  });
  ASSERT_TRUE(ok(count));
  EXPECT_EQ(count->integer(0, 0), 0) << "the next user must not inherit the open transaction";
}

TEST_F(PgQueryTest, PipelineReturnsEachResultInOrder) {
  ASSERT_TRUE(exec("CREATE TABLE items (id INT)"));
  const std::vector<Statement> batch = {
      {"INSERT INTO items VALUES ($1)", {"1"}}, {"INSERT INTO items VALUES ($1)", {"2"}},
      {"SELECT $1::text", {"third"}},           {"SELECT count(*) FROM items", {}},
      {"UPDATE items SET id = id * 10", {}},
  };
  using BatchResult = core::Result<std::vector<PgResult>>;
  // Twice on one connection: first with every statement prepared in the batch, then all cached.
  const auto [first, second] = run([&]() -> asio::awaitable<std::pair<BatchResult, BatchResult>> {
    auto lease = co_await pool().acquire();
    if (!ok(lease)) {
      co_return std::pair<BatchResult, BatchResult>{core::fail(ErrorCode::kGeneral, "no lease"),
                                                    core::fail(ErrorCode::kGeneral, "no lease")};
    }
    BatchResult one = co_await lease->pipeline(batch);
    BatchResult two = co_await lease->pipeline(batch);
    co_return std::pair<BatchResult, BatchResult>{std::move(one), std::move(two)};
  });

  ASSERT_TRUE(ok(first));
  ASSERT_EQ(first->size(), batch.size());
  EXPECT_EQ((*first)[0].affectedRows(), 1);
  EXPECT_EQ((*first)[1].affectedRows(), 1);
  EXPECT_EQ((*first)[2].text(0, 0), "third");
  EXPECT_EQ((*first)[3].integer(0, 0), 2);
  EXPECT_EQ((*first)[4].affectedRows(), 2);
  ASSERT_TRUE(ok(second));
  ASSERT_EQ(second->size(), batch.size());
  EXPECT_EQ((*second)[3].integer(0, 0), 4);
  EXPECT_EQ((*second)[4].affectedRows(), 4);
  EXPECT_EQ(exec("SELECT string_agg(id::text, ',' ORDER BY id) FROM items"), "10,20,100,200");
}

TEST_F(PgQueryTest, PipelineLargerThanTheSocketBuffersCompletes) {
  // Megabytes each way: the server blocks sending results until we read while still writing.
  const std::string payload(64 * 1024, 'p');
  std::vector<Statement> batch;
  for (int statement_idx = 0; statement_idx < 300; ++statement_idx) {
    batch.push_back({"SELECT $1::text || $2::text", {payload, std::to_string(statement_idx)}});
  }
  const auto results = run([&]() -> asio::awaitable<core::Result<std::vector<PgResult>>> {
    co_return co_await pool().pipeline(std::move(batch));
  });

  ASSERT_TRUE(ok(results));
  ASSERT_EQ(results->size(), 300u);
  EXPECT_EQ((*results)[0].text(0, 0), payload + "0");
  EXPECT_EQ((*results)[299].text(0, 0), payload + "299");
}

TEST_F(PgQueryTest, PipelineStopsAtTheFirstFailureAndRollsBackTheBatch) {
  ASSERT_TRUE(exec("CREATE TABLE items (id INT)"));
  run([&]() -> asio::awaitable<void> {
    auto lease = co_await pool().acquire();
    if (!ok(lease)) {
      co_return;
    }
    // Built apart from the co_await: g++ 12 rejects an initializer list inside one.
    std::vector<Statement> failed_batch = {
        {"INSERT INTO items VALUES ($1)", {"1"}},
        {"SELECT 1 / $1::int", {"0"}},
        {"INSERT INTO items VALUES ($1)", {"2"}},
    };
    const auto failed = co_await lease->pipeline(std::move(failed_batch));
    EXPECT_FALSE(failed);
    if (!failed) {
      EXPECT_EQ(failed.error().code, ErrorCode::kDatabase);
      EXPECT_EQ(failed.error().message.rfind("[22012] ", 0), 0u) << failed.error().message;
    }
    // A pipeline without BEGIN is one implicit transaction: the first insert is undone too.
    EXPECT_EQ(countRows("items"), 0);

    std::vector<Statement> bad_sql_batch = {
        {"INSERT INTO items VALUES ($1)", {"3"}},
        {"SELEC nonsense", {}},
        {"INSERT INTO items VALUES ($1)", {"4"}},
    };
    const auto bad_sql = co_await lease->pipeline(std::move(bad_sql_batch));
    EXPECT_FALSE(bad_sql);
    if (!bad_sql) {
      EXPECT_EQ(bad_sql.error().message.rfind("[42601] ", 0), 0u) << bad_sql.error().message;
    }
    EXPECT_EQ(countRows("items"), 0);

    // The connection and its statements prepared inside failed batches still work.
    EXPECT_TRUE(ok(co_await lease->query("INSERT INTO items VALUES ($1)", args("5"))));
    EXPECT_TRUE(ok(co_await lease->query("SELECT 1 / $1::int", args("1"))));
    EXPECT_EQ(countRows("items"), 1);
  });
  EXPECT_EQ(pool().stats().open, 1u);
}

TEST_F(PgQueryTest, PipelineWithExplicitTransactionCommitsOrIsDiscardedWhole) {
  ASSERT_TRUE(exec("CREATE TABLE items (id INT)"));
  run([&]() -> asio::awaitable<void> {
    PgPool& db = pool();
    std::vector<Statement> committed_batch = {
        {"BEGIN", {}},
        {"INSERT INTO items VALUES ($1)", {"1"}},
        {"INSERT INTO items VALUES ($1)", {"2"}},
        {"COMMIT", {}},
    };
    const auto committed = co_await db.pipeline(std::move(committed_batch));
    EXPECT_TRUE(ok(committed));
    std::vector<Statement> failed_batch = {
        {"BEGIN", {}},
        {"INSERT INTO items VALUES ($1)", {"3"}},
        {"INSERT INTO items VALUES ($1)", {"not a number"}},
        {"COMMIT", {}},
    };
    const auto failed = co_await db.pipeline(std::move(failed_batch));
    EXPECT_FALSE(failed);
    if (!failed) {
      EXPECT_EQ(failed.error().message.rfind("[22P02] ", 0), 0u) << failed.error().message;
    }
    // COMMIT was skipped, so that session sits in an aborted transaction: it must not come back.
    EXPECT_EQ(db.stats().open, 0u);
    const QueryResult count = co_await db.query("SELECT count(*) FROM items");
    if (ok(count)) {
      EXPECT_EQ(count->integer(0, 0), 2);
    }
  });
}

TEST_F(PgQueryTest, QueryTimeoutCancelsTheStatementAndDiscardsTheConnection) {
  PgPoolConfig config = this->config();
  config.query_timeout = std::chrono::milliseconds(300);
  PgPool& db = makePool(config);
  const auto started = std::chrono::steady_clock::now();
  const QueryResult slow =
      run([&]() -> asio::awaitable<QueryResult> { co_return co_await db.query("SELECT pg_sleep(30)"); });
  const auto elapsed = std::chrono::steady_clock::now() - started;

  ASSERT_FALSE(slow);
  EXPECT_EQ(slow.error().code, ErrorCode::kDatabase);
  EXPECT_NE(slow.error().message.find("57014"), std::string::npos) << slow.error().message;
  EXPECT_GE(elapsed, std::chrono::milliseconds(290));
  EXPECT_LT(elapsed, std::chrono::seconds(5));
  EXPECT_EQ(db.stats().open, 0u);

  // The server must stop working on it, not just the client stop waiting.
  const std::string still_running = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                    "AND pid <> pg_backend_pid() AND query = 'SELECT pg_sleep(30)'";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (exec(still_running) != "0" && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(exec(still_running), "0");

  const QueryResult after = run([&]() -> asio::awaitable<QueryResult> { co_return co_await db.query("SELECT 1"); });
  EXPECT_TRUE(ok(after));
}

TEST_F(PgQueryTest, ConnectionDroppedByTheServerFailsAndIsDiscarded) {
  run([&]() -> asio::awaitable<void> {
    auto lease = co_await pool().acquire();
    if (!ok(lease)) {
      co_return;
    }
    const QueryResult pid = co_await lease->query("SELECT pg_backend_pid()");
    if (!ok(pid)) {
      co_return;
    }
    EXPECT_EQ(exec("SELECT pg_terminate_backend(" + std::string(pid->text(0, 0)) + ", 5000)"), "t");
    const QueryResult after = co_await lease->query("SELECT 1");
    EXPECT_FALSE(after);
    if (!after) {
      EXPECT_EQ(after.error().code, ErrorCode::kServiceUnavailable) << after.error().message;
    }
  });
  EXPECT_EQ(pool().stats().open, 0u);
  const QueryResult fresh = run([&]() -> asio::awaitable<QueryResult> { co_return co_await pool().query("SELECT 1"); });
  EXPECT_TRUE(ok(fresh));
}

TEST_F(PgQueryTest, IdleConnectionDroppedByTheServerIsReplacedUnnoticed) {
  const QueryResult pid =
      run([&]() -> asio::awaitable<QueryResult> { co_return co_await pool().query("SELECT pg_backend_pid()"); });
  ASSERT_TRUE(ok(pid));
  ASSERT_EQ(pool().stats().open, 1u);
  ASSERT_EQ(exec("SELECT pg_terminate_backend(" + std::string(pid->text(0, 0)) + ", 5000)"), "t");

  const QueryResult next =
      run([&]() -> asio::awaitable<QueryResult> { co_return co_await pool().query("SELECT pg_backend_pid()"); });
  ASSERT_TRUE(ok(next));
  EXPECT_NE(next->text(0, 0), pid->text(0, 0));
  EXPECT_EQ(pool().stats().open, 1u);
}

} // namespace
} // namespace hearth::store
