// Schema migrations: order, bookkeeping, idempotence, refusal of newer schemas, all-or-nothing.
#include "store/migrations.hpp"

#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "unit/store/pg_test_support.hpp"

namespace hearth::store {
namespace {

using core::ErrorCode;
using test_support::ok;

// 0002 depends on 0001, so running them out of order would fail.
const std::vector<Migration> kTwo = {
    {1, "0001_widgets", "CREATE TABLE widgets (id BIGINT PRIMARY KEY, name TEXT NOT NULL);"},
    {2, "0002_widget_seed",
     "INSERT INTO widgets VALUES (1, 'first');\n"
     "CREATE TABLE gadgets (widget_id BIGINT NOT NULL REFERENCES widgets (id));\n"
     "INSERT INTO gadgets VALUES (1);"},
};

class MigrationsTest : public test_support::PgTest {
protected:
  std::string recorded() {
    return exec("SELECT coalesce(string_agg(version || ':' || name, ',' ORDER BY version), '') "
                "FROM schema_migrations")
        .value_or("<error>");
  }
  bool tableExists(const std::string& table) { return exec("SELECT to_regclass('" + table + "') IS NOT NULL") == "t"; }
};

TEST_F(MigrationsTest, AppliesPendingMigrationsInOrderAndRecordsThem) {
  const core::Result<MigrationReport> report = migrate(conninfo_, kTwo);

  ASSERT_TRUE(ok(report));
  EXPECT_EQ(report->from_version, 0);
  EXPECT_EQ(report->to_version, 2);
  EXPECT_EQ(report->applied, (std::vector<std::string>{"0001_widgets", "0002_widget_seed"}));
  EXPECT_EQ(recorded(), "1:0001_widgets,2:0002_widget_seed");
  EXPECT_EQ(exec("SELECT count(*) FROM gadgets JOIN widgets ON widgets.id = gadgets.widget_id"), "1");
  EXPECT_EQ(exec("SELECT count(*) FROM schema_migrations WHERE applied_at <= now()"), "2");
}

TEST_F(MigrationsTest, SecondRunAppliesNothingAndALaterOneOnlyTheNewFile) {
  ASSERT_TRUE(ok(migrate(conninfo_, kTwo)));

  const core::Result<MigrationReport> again = migrate(conninfo_, kTwo);
  ASSERT_TRUE(ok(again));
  EXPECT_EQ(again->from_version, 2);
  EXPECT_EQ(again->to_version, 2);
  EXPECT_TRUE(again->applied.empty());
  EXPECT_EQ(exec("SELECT count(*) FROM widgets"), "1") << "a migration ran twice";

  std::vector<Migration> three = kTwo;
  three.push_back({3, "0003_widget_color", "ALTER TABLE widgets ADD COLUMN color TEXT;"});
  const core::Result<MigrationReport> upgraded = migrate(conninfo_, three);
  ASSERT_TRUE(ok(upgraded));
  EXPECT_EQ(upgraded->from_version, 2);
  EXPECT_EQ(upgraded->to_version, 3);
  EXPECT_EQ(upgraded->applied, (std::vector<std::string>{"0003_widget_color"}));
  EXPECT_EQ(recorded(), "1:0001_widgets,2:0002_widget_seed,3:0003_widget_color");
}

TEST_F(MigrationsTest, RefusesADatabaseNewerThanTheBinaryAndChangesNothing) {
  ASSERT_TRUE(ok(migrate(conninfo_, kTwo)));

  // An older binary that knows 0001 only, plus an unapplied 0000 it would otherwise run.
  const std::vector<Migration> older = {
      {0, "0000_sneaky", "CREATE TABLE sneaky (id INT);"},
      kTwo[0],
  };
  const core::Result<MigrationReport> refused = migrate(conninfo_, older);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kDatabase);
  EXPECT_NE(refused.error().message.find("version 2"), std::string::npos) << refused.error().message;
  EXPECT_NE(refused.error().message.find("version 1"), std::string::npos) << refused.error().message;
  EXPECT_EQ(recorded(), "1:0001_widgets,2:0002_widget_seed");
  EXPECT_FALSE(tableExists("sneaky"));
}

TEST_F(MigrationsTest, RollsBackEverythingWhenALaterMigrationFails) {
  const std::vector<Migration> broken = {
      {1, "0001_first", "CREATE TABLE first_table (id INT);"},
      {2, "0002_broken", "CREATE TABLE second_table (id INT);\nSELECT * FROM no_such_table;"},
  };
  const core::Result<MigrationReport> failed = migrate(conninfo_, broken);

  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, ErrorCode::kDatabase);
  EXPECT_NE(failed.error().message.find("0002_broken"), std::string::npos) << failed.error().message;
  EXPECT_NE(failed.error().message.find("[42P01]"), std::string::npos) << failed.error().message;
  EXPECT_FALSE(tableExists("first_table"));
  EXPECT_FALSE(tableExists("second_table"));
  EXPECT_FALSE(tableExists("schema_migrations"));

  // Fixed, the same set applies cleanly from scratch.
  std::vector<Migration> fixed = broken;
  fixed[1].sql = "CREATE TABLE second_table (id INT);";
  const core::Result<MigrationReport> report = migrate(conninfo_, fixed);
  ASSERT_TRUE(ok(report));
  EXPECT_EQ(report->applied.size(), 2u);
}

TEST_F(MigrationsTest, RefusesAMigrationThatEndsTheTransaction) {
  const std::vector<Migration> committing = {
      {1, "0001_commits", "CREATE TABLE early (id INT); COMMIT;"},
  };
  const core::Result<MigrationReport> refused = migrate(conninfo_, committing);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("0001_commits"), std::string::npos) << refused.error().message;
  EXPECT_EQ(exec("SELECT count(*) FROM schema_migrations"), "0");
}

TEST_F(MigrationsTest, RejectsVersionsThatDoNotStrictlyIncrease) {
  const std::vector<Migration> unordered = {kTwo[1], kTwo[0]};
  const core::Result<MigrationReport> out_of_order = migrate(conninfo_, unordered);
  ASSERT_FALSE(out_of_order);
  EXPECT_EQ(out_of_order.error().code, ErrorCode::kDatabase);

  const std::vector<Migration> duplicated = {kTwo[0], {1, "0001_again", "SELECT 1;"}};
  const core::Result<MigrationReport> duplicate = migrate(conninfo_, duplicated);
  ASSERT_FALSE(duplicate);
  EXPECT_NE(duplicate.error().message.find("0001_again"), std::string::npos) << duplicate.error().message;
  EXPECT_FALSE(tableExists("schema_migrations")) << "validation must happen before touching the database";
}

TEST_F(MigrationsTest, UnreachableDatabaseIsServiceUnavailable) {
  const core::Result<MigrationReport> report =
      migrate("host=/nonexistent/hearth-test port=5432 dbname=hearth user=hearth connect_timeout=2", kTwo);
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().code, ErrorCode::kServiceUnavailable);
}

TEST_F(MigrationsTest, ConcurrentNodesMigrateOnce) {
  core::Result<MigrationReport> first;
  core::Result<MigrationReport> second;
  std::thread one([&] { first = migrate(conninfo_, kTwo); });
  std::thread two([&] { second = migrate(conninfo_, kTwo); });
  one.join();
  two.join();

  ASSERT_TRUE(ok(first));
  ASSERT_TRUE(ok(second));
  EXPECT_EQ(first->applied.size() + second->applied.size(), 2u);
  EXPECT_EQ(recorded(), "1:0001_widgets,2:0002_widget_seed");
}

TEST_F(MigrationsTest, EmbeddedMigrationsApplyToAnEmptyDatabase) {
  const std::vector<Migration>& embedded = embeddedMigrations();
  ASSERT_FALSE(embedded.empty());
  const core::Result<MigrationReport> report = migrate(conninfo_, embedded);
  ASSERT_TRUE(ok(report));
  EXPECT_EQ(report->to_version, embedded.back().version);
  EXPECT_EQ(report->applied.size(), embedded.size());
}

} // namespace
} // namespace hearth::store
