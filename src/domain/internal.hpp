#pragma once
// Helpers shared by the domain's translation units: field errors, reading result rows, SQL
// parameters, and JSON values for audit log changes.
#include <algorithm>
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "domain/accounts.hpp"
#include "domain/permissions.hpp"
#include "store/pg.hpp"

namespace hearth::domain {

//! What the security checks need of one account.
struct Accounts::Secrets {
  std::uint64_t user_id = 0;
  std::string username;
  std::string email;
  std::optional<std::string> password_hash;
  std::optional<std::string> totp_secret;
  std::optional<std::string> totp_pending_secret;
  std::optional<std::int64_t> totp_last_step;
};

} // namespace hearth::domain

namespace hearth::domain::detail {

inline std::unexpected<core::Error> formError(std::vector<core::FieldError> fields) {
  return std::unexpected(core::invalidFormBody(std::move(fields)));
}

inline std::unexpected<core::Error> missingPermissions() {
  return core::fail(core::ErrorCode::kMissingPermissions, "Missing Permissions");
}

//! Integer columns of a result row (0 for NULL).
inline std::uint64_t u64(const store::PgResult& rows, int row, int column) {
  return static_cast<std::uint64_t>(rows.integer(row, column).value_or(0));
}
inline int i32(const store::PgResult& rows, int row, int column) {
  return static_cast<int>(rows.integer(row, column).value_or(0));
}
//! An id or a permission bitfield as a text-format SQL parameter.
inline std::string id(std::uint64_t value) { return std::to_string(value); }
inline std::string bits(Permissions value) { return std::to_string(static_cast<std::int64_t>(value)); }

//! A JSON string literal, for audit log changes (the domain doesn't pull in a JSON library).
std::string jsonString(std::string_view text);

//! One field error, with its sentence also as the top-level message for clients that show only that.
inline std::unexpected<core::Error> fieldError(std::string field, std::string code, std::string message) {
  return std::unexpected(core::Error{
      core::ErrorCode::kInvalidFormBody, message, {core::FieldError{std::move(field), std::move(code), message}}});
}

//! How many UTF-8 code points: display names are limited in characters, not bytes.
inline std::size_t codePoints(std::string_view text) {
  return static_cast<std::size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

//! A statement deleting messages that keeps their channels' last_message_id (the newest message
//! ever sent, deleted or not: see kChannelColumns): `deleting` is a DELETE FROM messages ending
//! in RETURNING id, channel_id; each channel's column is raised to the highest id it deleted.
//! The statement answers the deleted ids.
inline std::string deleteMessagesSql(std::string_view deleting) {
  return "WITH gone AS (" + std::string(deleting) +
         "), raised AS (UPDATE channels c SET last_message_id = g.top "
         "FROM (SELECT channel_id, max(id) AS top FROM gone GROUP BY channel_id) g "
         "WHERE c.id = g.channel_id AND coalesce(c.last_message_id, 0) < g.top) "
         "SELECT id FROM gone";
}
//! Accounts::kSessionLifetime as an SQL interval.
inline std::string sessionInterval() { return std::to_string(Accounts::kSessionLifetime.count()) + " hours"; }

//! Email syntax as we accept it: something@something, no spaces, at most 254 bytes.
inline bool plausibleEmail(std::string_view email) {
  const auto at = email.find('@');
  return email.size() <= 254 && at != std::string_view::npos && at != 0 && at + 1 < email.size() &&
         email.find_first_of(" \t\r\n<>,;\"") == std::string_view::npos;
}

} // namespace hearth::domain::detail
