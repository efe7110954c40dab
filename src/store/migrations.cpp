#include "store/migrations.hpp"

#include <algorithm>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include <libpq-fe.h>

namespace hearth::store {

namespace {

using core::ErrorCode;

// Any constant works as long as every Hearth node uses the same one ("Hearth" in ASCII).
constexpr std::int64_t kMigrationLockKey = 0x486561727468;

struct ConnDeleter {
  void operator()(PGconn* conn) const noexcept { PQfinish(conn); }
};
struct ResultDeleter {
  void operator()(PGresult* result) const noexcept { PQclear(result); }
};
using ConnPtr = std::unique_ptr<PGconn, ConnDeleter>;
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

std::string trimmed(const char* text) {
  std::string out = text != nullptr ? text : "";
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) {
    out.pop_back();
  }
  return out;
}

std::string describeError(PGconn* conn, const PGresult* result) {
  if (result == nullptr) {
    return trimmed(PQerrorMessage(conn));
  }
  const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
  const char* primary = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
  std::string message = primary != nullptr ? std::string(primary) : trimmed(PQresultErrorMessage(result));
  return state != nullptr ? "[" + std::string(state) + "] " + message : message;
}

//! Runs `sql` (possibly several statements); the error names `what` failed.
core::Result<ResultPtr> exec(PGconn* conn, const std::string& sql, std::string_view what) {
  ResultPtr result(PQexec(conn, sql.c_str()));
  const ExecStatusType status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && status != PGRES_EMPTY_QUERY) {
    return core::fail(ErrorCode::kDatabase, std::string(what) + " failed: " + describeError(conn, result.get()));
  }
  return result;
}

core::Result<void> record(PGconn* conn, const Migration& migration) {
  const std::string version = std::to_string(migration.version);
  const char* values[] = {version.c_str(), migration.name.c_str()};
  ResultPtr result(PQexecParams(conn, "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", 2, nullptr,
                                values, nullptr, nullptr, 0));
  if (!result || PQresultStatus(result.get()) != PGRES_COMMAND_OK) {
    return core::fail(ErrorCode::kDatabase,
                      "recording migration " + migration.name + " failed: " + describeError(conn, result.get()));
  }
  return {};
}

// Everything after BEGIN: on failure the caller rolls back, so nothing is half-applied.
core::Result<MigrationReport> applyPending(PGconn* conn, const std::vector<Migration>& migrations) {
  // Taken before CREATE TABLE IF NOT EXISTS, which is not safe against a concurrent creator.
  if (auto locked = exec(conn, "SELECT pg_advisory_xact_lock(" + std::to_string(kMigrationLockKey) + ")",
                         "taking the migration lock");
      !locked) {
    return std::unexpected(std::move(locked.error()));
  }
  if (auto created = exec(conn,
                          "CREATE TABLE IF NOT EXISTS schema_migrations ("
                          "version BIGINT PRIMARY KEY, name TEXT NOT NULL, "
                          "applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
                          "creating schema_migrations");
      !created) {
    return std::unexpected(std::move(created.error()));
  }
  auto recorded = exec(conn, "SELECT version FROM schema_migrations ORDER BY version", "reading schema_migrations");
  if (!recorded) {
    return std::unexpected(std::move(recorded.error()));
  }
  std::set<std::int64_t> applied_versions;
  for (int row = 0; row < PQntuples(recorded->get()); ++row) {
    applied_versions.insert(std::stoll(PQgetvalue(recorded->get(), row, 0)));
  }

  MigrationReport report;
  report.from_version = applied_versions.empty() ? 0 : *applied_versions.rbegin();
  const std::int64_t newest_known = migrations.empty() ? 0 : migrations.back().version;
  if (report.from_version > newest_known) {
    return core::fail(ErrorCode::kDatabase, "database schema is at version " + std::to_string(report.from_version) +
                                                " but this binary knows migrations only up to version " +
                                                std::to_string(newest_known) +
                                                "; refusing to run an older binary against a newer schema");
  }

  report.to_version = report.from_version;
  for (const Migration& migration : migrations) {
    if (applied_versions.contains(migration.version)) {
      continue;
    }
    if (auto ran = exec(conn, migration.sql, "migration " + migration.name); !ran) {
      return std::unexpected(std::move(ran.error()));
    }
    // A COMMIT or ROLLBACK inside a file would end our transaction and break all-or-nothing.
    if (PQtransactionStatus(conn) != PQTRANS_INTRANS) {
      return core::fail(ErrorCode::kDatabase, "migration " + migration.name +
                                                  " ended the migration transaction; remove BEGIN/COMMIT from it");
    }
    if (auto stored = record(conn, migration); !stored) {
      return std::unexpected(std::move(stored.error()));
    }
    report.to_version = std::max(report.to_version, migration.version);
    report.applied.push_back(migration.name);
  }
  return report;
}

} // namespace

core::Result<MigrationReport> migrate(const std::string& conninfo, const std::vector<Migration>& migrations) {
  for (std::size_t migration_idx = 1; migration_idx < migrations.size(); ++migration_idx) {
    if (migrations[migration_idx].version <= migrations[migration_idx - 1].version) {
      return core::fail(ErrorCode::kDatabase,
                        "migration versions must be strictly increasing: " + migrations[migration_idx - 1].name +
                            " is followed by " + migrations[migration_idx].name);
    }
  }

  ConnPtr conn(PQconnectdb(conninfo.c_str()));
  if (!conn || PQstatus(conn.get()) != CONNECTION_OK) {
    return core::fail(ErrorCode::kServiceUnavailable,
                      "cannot connect to PostgreSQL: " +
                          (conn ? trimmed(PQerrorMessage(conn.get())) : "out of memory"));
  }
  // The default processor prints notices ("already exists, skipping") to stderr at every start.
  PQsetNoticeProcessor(
      conn.get(), [](void*, const char*) {}, nullptr);

  if (auto begun = exec(conn.get(), "BEGIN", "BEGIN"); !begun) {
    return std::unexpected(std::move(begun.error()));
  }
  auto report = applyPending(conn.get(), migrations);
  if (!report) {
    // Best effort: closing the connection rolls back too.
    PQclear(PQexec(conn.get(), "ROLLBACK"));
    return report;
  }
  if (auto committed = exec(conn.get(), "COMMIT", "COMMIT"); !committed) {
    return std::unexpected(std::move(committed.error()));
  }
  return report;
}

} // namespace hearth::store
