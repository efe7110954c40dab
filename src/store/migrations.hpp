#pragma once
// Schema migrations: numbered .sql files in src/store/migrations/, compiled into the binary.
// Applied at start-up, all pending ones in one transaction, each recorded in schema_migrations.
#include <cstdint>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace hearth::store {

struct Migration {
  std::int64_t version;
  std::string name; //!< file name without .sql, e.g. "0001_initial"
  std::string sql;
};

//! The migrations built into this binary, ordered by version.
const std::vector<Migration>& embeddedMigrations();

struct MigrationReport {
  std::int64_t from_version = 0; //!< schema version before
  std::int64_t to_version = 0; //!< schema version after
  std::vector<std::string> applied;
};

//! Connects (blocking; start-up only), takes an advisory lock so concurrent nodes migrate once,
//! and applies what is pending in one transaction. Fails with kDatabase, without touching the
//! schema, if the database has a version newer than the newest of `migrations` (an older
//! binary must not run against a newer schema), or if versions are not strictly increasing.
core::Result<MigrationReport> migrate(const std::string& conninfo, const std::vector<Migration>& migrations);

} // namespace hearth::store
