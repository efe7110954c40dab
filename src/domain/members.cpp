#include "domain/members.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <iterator>
#include <stdexcept>

#include <fmt/format.h>
#include <sodium.h>
#include <spdlog/spdlog.h>

#include "core/snowflake.hpp"
#include "domain/internal.hpp"
#include "store/pg.hpp"

namespace hearth::domain {

namespace asio = boost::asio;
using core::ErrorCode;
using detail::fieldError;
using detail::i32;
using detail::id;
using detail::jsonString;
using detail::missingPermissions;
using detail::u64;

namespace {

constexpr std::int64_t kDayMillis = 24LL * 3600 * 1000;
constexpr int kInviteCodeLength = 8;
constexpr std::string_view kInviteAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

// The member columns read by memberFromRow; FROM members m JOIN users u ON u.id = m.user_id.
// A timeout in the past is no timeout: it reads as null.
constexpr std::string_view kMemberSelect =
    "SELECT u.id, u.username, coalesce(u.display_name, ''), coalesce(u.avatar, ''), coalesce(m.nick, ''), "
    "to_json(m.joined_at)#>>'{}', CASE WHEN m.communication_disabled_until > now() THEN "
    "to_json(m.communication_disabled_until)#>>'{}' ELSE '' END, m.mute, m.deaf, "
    "coalesce((SELECT string_agg(r.role_id::text, ',' ORDER BY r.role_id) FROM member_roles r "
    "WHERE r.guild_id = m.guild_id AND r.user_id = m.user_id), '') "
    "FROM members m JOIN users u ON u.id = m.user_id ";

// Live invites only: an expired or used-up invite does not exist for anyone.
constexpr std::string_view kInviteSelect =
    "SELECT i.code, g.id, g.name, coalesce(g.icon, ''), coalesce(g.description, ''), g.owner_id, c.id, c.name, "
    "c.type, coalesce(u.id, 0), coalesce(u.username, ''), coalesce(u.display_name, ''), coalesce(u.avatar, ''), "
    "i.max_age, i.max_uses, i.uses, to_json(i.created_at)#>>'{}', coalesce(to_json(i.expires_at)#>>'{}', '') "
    "FROM invites i JOIN guilds g ON g.id = i.guild_id JOIN channels c ON c.id = i.channel_id "
    "LEFT JOIN users u ON u.id = i.inviter_id AND u.deleted_at IS NULL "
    "WHERE (i.expires_at IS NULL OR i.expires_at > now()) AND (i.max_uses = 0 OR i.uses < i.max_uses) AND ";

std::unexpected<core::Error> unknownMember() { return core::fail(ErrorCode::kUnknownMember, "Unknown Member"); }
std::unexpected<core::Error> unknownInvite() { return core::fail(ErrorCode::kUnknownInvite, "Unknown Invite"); }
std::unexpected<core::Error> unknownBan() { return core::fail(ErrorCode::kUnknownBan, "Unknown Ban"); }
std::unexpected<core::Error> belowOnly() {
  return core::fail(ErrorCode::kMissingPermissions, "You can only act on members whose highest role is below yours");
}

// A nullable string as an audit value: absent when empty.
std::string jsonOrAbsent(std::string_view text) { return text.empty() ? std::string() : jsonString(text); }
const char* jsonBool(bool value) { return value ? "true" : "false"; }

std::vector<std::uint64_t> idList(std::string_view text) {
  std::vector<std::uint64_t> out;
  while (!text.empty()) {
    const auto comma = text.find(',');
    if (auto parsed = core::parseSnowflake(text.substr(0, comma))) out.push_back(*parsed);
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
  }
  return out;
}

UserSummary userFromRow(const store::PgResult& rows, int row, int first_column) {
  return {u64(rows, row, first_column), std::string(rows.text(row, first_column + 1)),
          std::string(rows.text(row, first_column + 2)), std::string(rows.text(row, first_column + 3))};
}

Member memberFromRow(const store::PgResult& rows, int row) {
  Member member;
  member.user = userFromRow(rows, row, 0);
  member.nick = rows.text(row, 4);
  member.joined_at = rows.text(row, 5);
  member.communication_disabled_until = rows.text(row, 6);
  member.mute = rows.text(row, 7) == "t";
  member.deaf = rows.text(row, 8) == "t";
  member.roles = idList(rows.text(row, 9));
  return member;
}

Invite inviteFromRow(const store::PgResult& rows, int row) {
  Invite invite;
  invite.code = rows.text(row, 0);
  invite.guild = {u64(rows, row, 1),
                  std::string(rows.text(row, 2)),
                  std::string(rows.text(row, 3)),
                  std::string(rows.text(row, 4)),
                  u64(rows, row, 5),
                  std::string()};
  invite.channel = {u64(rows, row, 6), std::string(rows.text(row, 7)), i32(rows, row, 8)};
  if (u64(rows, row, 9) != 0) invite.inviter = userFromRow(rows, row, 9);
  invite.max_age = i32(rows, row, 13);
  invite.max_uses = i32(rows, row, 14);
  invite.uses = i32(rows, row, 15);
  invite.created_at = rows.text(row, 16);
  invite.expires_at = rows.text(row, 17);
  return invite;
}

// The actor ranks above the target: nobody above the owner, the owner above everyone else,
// otherwise strictly by highest role position.
bool outranks(const GuildContext& context, std::uint64_t target, const std::vector<std::uint64_t>& target_roles) {
  if (target == context.guild.owner_id) return false;
  if (context.isOwner()) return true;
  return context.highestPositionOf(target_roles) < context.highestPosition();
}

// Whether a member with these roles is an administrator (the owner counts as one).
bool isAdministrator(const GuildContext& context, std::uint64_t target, const std::vector<std::uint64_t>& roles) {
  GuildContext as_target = context;
  as_target.user_id = target;
  as_target.member_roles = roles;
  as_target.timed_out = false;
  return (as_target.base() & perm::kAdministrator) != 0;
}

// Kick, ban and timeout: never oneself, never the owner, only members ranked below.
std::optional<core::Error> checkModeration(const GuildContext& context, std::uint64_t target,
                                           const std::vector<std::uint64_t>& target_roles, std::string_view action) {
  if (target == context.user_id) {
    return core::Error{ErrorCode::kMissingPermissions, fmt::format("You can't {} yourself", action)};
  }
  if (target == context.guild.owner_id) {
    return core::Error{ErrorCode::kMissingPermissions, fmt::format("You can't {} the server owner", action)};
  }
  if (!outranks(context, target, target_roles)) return belowOnly().error();
  return std::nullopt;
}

std::string inviteCode() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  std::string code;
  for (int char_idx = 0; char_idx < kInviteCodeLength; ++char_idx) {
    code += kInviteAlphabet[randombytes_uniform(static_cast<std::uint32_t>(kInviteAlphabet.size()))];
  }
  return code;
}

bool plausibleInviteCode(std::string_view code) {
  return !code.empty() && code.size() <= 32 &&
         std::all_of(code.begin(), code.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; });
}

std::vector<Change> inviteChanges(const Invite& invite, bool created) {
  const auto value = [&](std::string key, std::string json) {
    return created ? Change{std::move(key), {}, std::move(json)} : Change{std::move(key), std::move(json), {}};
  };
  std::vector<Change> changes;
  changes.push_back(value("code", jsonString(invite.code)));
  changes.push_back(value("channel_id", jsonString(id(invite.channel.id))));
  if (invite.inviter) changes.push_back(value("inviter_id", jsonString(id(invite.inviter->id))));
  changes.push_back(value("uses", std::to_string(invite.uses)));
  changes.push_back(value("max_uses", std::to_string(invite.max_uses)));
  changes.push_back(value("max_age", std::to_string(invite.max_age)));
  changes.push_back(value("temporary", "false"));
  return changes;
}

// `[{"id": "...", "name": "..."}]` for the $add / $remove keys of MEMBER_ROLE_UPDATE.
std::string rolesChangeJson(const GuildContext& context, const std::vector<std::uint64_t>& role_ids) {
  std::string out = "[";
  for (const auto role_id : role_ids) {
    if (out.size() > 1) out += ",";
    const Role* role = context.role(role_id);
    out += "{\"id\":" + jsonString(id(role_id)) + ",\"name\":" + jsonString(role != nullptr ? role->name : "") + "}";
  }
  return out + "]";
}

std::string trimmed(std::string text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())) != 0)
    text.erase(text.begin());
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())) != 0)
    text.pop_back();
  return text;
}

} // namespace

std::optional<std::int64_t> parseIsoTimestamp(std::string_view text) noexcept {
  const auto number = [&](std::size_t pos, std::size_t count, int& out) {
    if (pos + count > text.size()) return false;
    out = 0;
    for (std::size_t digit_idx = pos; digit_idx < pos + count; ++digit_idx) {
      if (std::isdigit(static_cast<unsigned char>(text[digit_idx])) == 0) return false;
      out = out * 10 + (text[digit_idx] - '0');
    }
    return true;
  };
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!number(0, 4, year) || text.size() < 19 || text[4] != '-' || !number(5, 2, month) || text[7] != '-' ||
      !number(8, 2, day) || (text[10] != 'T' && text[10] != 't' && text[10] != ' ') || !number(11, 2, hour) ||
      text[13] != ':' || !number(14, 2, minute) || text[16] != ':' || !number(17, 2, second)) {
    return std::nullopt;
  }
  using namespace std::chrono;
  const year_month_day date{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                            std::chrono::day{static_cast<unsigned>(day)}};
  if (!date.ok() || hour > 23 || minute > 59 || second > 59) return std::nullopt;
  std::size_t pos = 19;
  std::int64_t millis = 0;
  if (pos < text.size() && text[pos] == '.') {
    const std::size_t start = ++pos;
    int scale = 100;
    while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos])) != 0) {
      millis += (text[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return std::nullopt;
  }
  int offset_minutes = 0;
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    const int sign = text[pos] == '-' ? -1 : 1;
    int offset_hours = 0, offset_mins = 0;
    if (!number(pos + 1, 2, offset_hours)) return std::nullopt;
    pos += 3;
    if (pos < text.size() && text[pos] == ':') ++pos;
    if (!number(pos, 2, offset_mins) || offset_hours > 23 || offset_mins > 59) return std::nullopt;
    pos += 2;
    offset_minutes = sign * (offset_hours * 60 + offset_mins);
  } else {
    return std::nullopt; // a timestamp without a zone is ambiguous
  }
  if (pos != text.size()) return std::nullopt;
  const std::int64_t days = sys_days(date).time_since_epoch().count();
  const std::int64_t seconds = days * 86400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
  return seconds * 1000 + millis;
}

asio::awaitable<core::Result<std::vector<Member>>> Members::list(store::PgPool& pool, const GuildContext& context,
                                                                 int limit, std::uint64_t after) {
  store::Params params{id(context.guild.id), id(after), std::to_string(std::clamp(limit, 1, kMaxListLimit))};
  const std::string sql =
      std::string(kMemberSelect) + "WHERE m.guild_id = $1 AND m.user_id > $2 ORDER BY m.user_id LIMIT $3";
  auto found = co_await pool.query(sql, std::move(params));
  if (!found) co_return std::unexpected(found.error());
  std::vector<Member> members;
  for (int row = 0; row < found->rows(); ++row)
    members.push_back(memberFromRow(*found, row));
  co_return members;
}

asio::awaitable<core::Result<std::vector<Member>>> Members::search(store::PgPool& pool, std::uint64_t guild_id,
                                                                   std::string query, int limit) {
  // LIKE's own characters in the query are literal.
  std::string pattern;
  for (const char c : query) {
    if (c == '%' || c == '_' || c == '\\') pattern += '\\';
    pattern += c;
  }
  pattern += '%';
  store::Params params{id(guild_id), std::move(pattern), std::to_string(std::clamp(limit, 1, kMaxListLimit))};
  const std::string sql = std::string(kMemberSelect) +
                          "WHERE m.guild_id = $1 AND (u.username ILIKE $2 OR u.display_name ILIKE $2 OR m.nick ILIKE "
                          "$2) ORDER BY u.username LIMIT $3";
  auto found = co_await pool.query(sql, std::move(params));
  if (!found) co_return std::unexpected(found.error());
  std::vector<Member> members;
  for (int row = 0; row < found->rows(); ++row)
    members.push_back(memberFromRow(*found, row));
  co_return members;
}

asio::awaitable<core::Result<std::vector<Member>>> Members::some(store::PgPool& pool, std::uint64_t guild_id,
                                                                 const std::vector<std::uint64_t>& user_ids) {
  std::string list = "{";
  for (const auto user : user_ids) {
    if (list.size() > 1) list += ',';
    list += std::to_string(user);
  }
  list += '}';
  store::Params params{id(guild_id), std::move(list)};
  const std::string sql = std::string(kMemberSelect) + "WHERE m.guild_id = $1 AND m.user_id = ANY($2::bigint[])";
  auto found = co_await pool.query(sql, std::move(params));
  if (!found) co_return std::unexpected(found.error());
  std::vector<Member> members;
  for (int row = 0; row < found->rows(); ++row)
    members.push_back(memberFromRow(*found, row));
  co_return members;
}

asio::awaitable<core::Result<Member>> Members::get(store::PgPool& pool, std::uint64_t guild_id, std::uint64_t user_id) {
  store::Params params{id(guild_id), id(user_id)};
  const std::string sql = std::string(kMemberSelect) + "WHERE m.guild_id = $1 AND m.user_id = $2";
  auto found = co_await pool.query(sql, std::move(params));
  if (!found) co_return std::unexpected(found.error());
  if (found->rows() == 0) co_return unknownMember();
  co_return memberFromRow(*found, 0);
}

asio::awaitable<core::Result<Member>> Members::modify(store::PgPool& pool, const GuildContext& context,
                                                      std::uint64_t user_id, MemberInput input, std::string reason) {
  const std::string g = id(context.guild.id);
  const std::string u = id(user_id);
  std::vector<store::Statement> loads;
  loads.push_back({std::string(kMemberSelect) + "WHERE m.guild_id = $1 AND m.user_id = $2", {g, u}});
  // The database's clock, the same one that decides whether a timeout is running.
  loads.push_back({"SELECT (extract(epoch FROM now()) * 1000)::bigint", {}});
  auto loaded = co_await pool.pipeline(std::move(loads));
  if (!loaded) co_return std::unexpected(loaded.error());
  if ((*loaded)[0].rows() == 0) co_return unknownMember();
  const Member before = memberFromRow((*loaded)[0], 0);
  const std::int64_t now_ms = (*loaded)[1].integer(0, 0).value_or(0);

  // The values first: a malformed body is a 400 whatever the actor may do.
  std::vector<core::FieldError> errors;
  std::optional<std::string> nick;
  if (input.nick) {
    nick = trimmed(*input.nick);
    if (detail::codePoints(*nick) > static_cast<std::size_t>(kMaxNickLength) ||
        nick->find_first_of("\r\n") != std::string::npos) {
      errors.push_back({"nick", "BASE_TYPE_BAD_LENGTH", "Must be 32 or fewer in length."});
    }
  }
  std::optional<std::vector<std::uint64_t>> roles;
  if (input.roles) {
    roles = *input.roles;
    std::sort(roles->begin(), roles->end());
    roles->erase(std::unique(roles->begin(), roles->end()), roles->end());
    for (const auto role_id : *roles) {
      if (role_id == context.guild.id) {
        errors.push_back({"roles", "ROLE_EVERYONE", "The @everyone role can't be assigned."});
        break;
      }
      if (context.role(role_id) == nullptr) {
        errors.push_back({"roles", "UNKNOWN_ROLE", fmt::format("Role {} is not a role of this server.", role_id)});
        break;
      }
    }
  }
  std::optional<std::int64_t> timeout_ms; // 0 lifts the timeout
  if (input.communication_disabled_until) {
    if (input.communication_disabled_until->empty()) {
      timeout_ms = 0;
    } else if (auto parsed = parseIsoTimestamp(*input.communication_disabled_until)) {
      // A minute of grace for the client's clock and the trip here.
      if (*parsed > now_ms + kMaxTimeoutDays * kDayMillis + 60'000) {
        errors.push_back(
            {"communication_disabled_until", "COMMUNICATION_DISABLED_TOO_LONG", "A timeout can last at most 28 days."});
      } else {
        timeout_ms = *parsed <= now_ms ? 0 : *parsed;
      }
    } else {
      errors.push_back({"communication_disabled_until", "DATE_INVALID", "Must be an ISO 8601 timestamp."});
    }
  }
  if (!errors.empty()) co_return detail::formError(std::move(errors));

  // Then the permissions, for the fields that actually change.
  const Permissions mine = context.base();
  const bool self = user_id == context.user_id;
  const bool above = self || outranks(context, user_id, before.roles);
  std::vector<store::Statement> statements;
  std::vector<Change> changes;
  if (nick && *nick != before.nick) {
    const Permissions needed = self ? (perm::kChangeNickname | perm::kManageNicknames) : perm::kManageNicknames;
    if ((mine & needed) == 0) co_return missingPermissions();
    if (!above) co_return belowOnly();
    changes.push_back({"nick", jsonOrAbsent(before.nick), jsonOrAbsent(*nick)});
    statements.push_back({"UPDATE members SET nick = $3 WHERE guild_id = $1 AND user_id = $2",
                          {g, u, nick->empty() ? std::nullopt : std::optional(*nick)}});
  }
  std::vector<std::uint64_t> added;
  std::vector<std::uint64_t> removed;
  if (roles) {
    std::vector<std::uint64_t> old_roles = before.roles;
    std::sort(old_roles.begin(), old_roles.end());
    std::set_difference(roles->begin(), roles->end(), old_roles.begin(), old_roles.end(), std::back_inserter(added));
    std::set_difference(old_roles.begin(), old_roles.end(), roles->begin(), roles->end(), std::back_inserter(removed));
    if (!added.empty() || !removed.empty()) {
      if ((mine & perm::kManageRoles) == 0) co_return missingPermissions();
      if (!above) co_return belowOnly();
      for (const auto role_id : added) {
        const Role* role = context.role(role_id);
        if (!context.isOwner() && role->position >= context.highestPosition()) {
          co_return core::fail(ErrorCode::kMissingPermissions, "You can only assign roles below your highest role");
        }
        statements.push_back({"INSERT INTO member_roles (guild_id, user_id, role_id) VALUES ($1, $2, $3) "
                              "ON CONFLICT DO NOTHING",
                              {g, u, id(role_id)}});
      }
      for (const auto role_id : removed) {
        const Role* role = context.role(role_id);
        if (!context.isOwner() && role != nullptr && role->position >= context.highestPosition()) {
          co_return core::fail(ErrorCode::kMissingPermissions, "You can only remove roles below your highest role");
        }
        statements.push_back(
            {"DELETE FROM member_roles WHERE guild_id = $1 AND user_id = $2 AND role_id = $3", {g, u, id(role_id)}});
      }
    }
  }
  const auto flag = [&](std::optional<bool> wanted, bool current, Permissions needed,
                        const char* column) -> std::optional<core::Error> {
    if (!wanted || *wanted == current) return std::nullopt;
    if ((mine & needed) == 0) return missingPermissions().error();
    if (!above) return belowOnly().error();
    changes.push_back({column, jsonBool(current), jsonBool(*wanted)});
    statements.push_back({fmt::format("UPDATE members SET {} = $3 WHERE guild_id = $1 AND user_id = $2", column),
                          {g, u, jsonBool(*wanted)}});
    return std::nullopt;
  };
  if (auto refused = flag(input.mute, before.mute, perm::kMuteMembers, "mute")) co_return std::unexpected(*refused);
  if (auto refused = flag(input.deaf, before.deaf, perm::kDeafenMembers, "deaf")) co_return std::unexpected(*refused);
  if (timeout_ms && !(*timeout_ms == 0 && before.communication_disabled_until.empty())) {
    if ((mine & perm::kModerateMembers) == 0) co_return missingPermissions();
    if (auto refused = checkModeration(context, user_id, before.roles, "time out")) co_return std::unexpected(*refused);
    if (*timeout_ms != 0 && isAdministrator(context, user_id, before.roles)) {
      co_return core::fail(ErrorCode::kMissingPermissions, "Administrators can't be timed out");
    }
    changes.push_back({"communication_disabled_until", jsonOrAbsent(before.communication_disabled_until),
                       *timeout_ms == 0 ? std::string() : jsonString(*input.communication_disabled_until)});
    statements.push_back({"UPDATE members SET communication_disabled_until = to_timestamp($3::bigint / 1000.0) "
                          "WHERE guild_id = $1 AND user_id = $2",
                          {g, u, *timeout_ms == 0 ? std::nullopt : std::optional(std::to_string(*timeout_ms))}});
  }
  if (statements.empty()) co_return before;
  auto written = co_await pool.pipeline(std::move(statements));
  if (!written) co_return std::unexpected(written.error());
  if (!changes.empty()) {
    auto logged =
        co_await guilds_.audit(pool, context.guild.id, context.user_id, user_id, audit::kMemberUpdate, reason, changes);
    if (!logged) spdlog::warn("audit log for server {}: {}", context.guild.id, logged.error().message);
  }
  if (!added.empty() || !removed.empty()) {
    std::vector<Change> role_changes;
    if (!added.empty()) role_changes.push_back({"$add", {}, rolesChangeJson(context, added)});
    if (!removed.empty()) role_changes.push_back({"$remove", {}, rolesChangeJson(context, removed)});
    auto logged = co_await guilds_.audit(pool, context.guild.id, context.user_id, user_id, audit::kMemberRoleUpdate,
                                         reason, role_changes);
    if (!logged) spdlog::warn("audit log for server {}: {}", context.guild.id, logged.error().message);
  }
  co_return co_await get(pool, context.guild.id, user_id);
}

asio::awaitable<core::Result<std::optional<Member>>> Members::setRole(store::PgPool& pool, const GuildContext& context,
                                                                      std::uint64_t user_id, std::uint64_t role_id,
                                                                      bool add, std::string reason) {
  const Role* role = context.role(role_id);
  if (role == nullptr || role_id == context.guild.id) {
    co_return core::fail(ErrorCode::kUnknownRole, "Unknown Role");
  }
  auto target = co_await get(pool, context.guild.id, user_id);
  if (!target) co_return std::unexpected(target.error());
  if ((context.base() & perm::kManageRoles) == 0) co_return missingPermissions();
  if (user_id != context.user_id && !outranks(context, user_id, target->roles)) co_return belowOnly();
  if (!context.isOwner() && role->position >= context.highestPosition()) {
    co_return core::fail(ErrorCode::kMissingPermissions, "You can only manage roles below your highest role");
  }
  const bool has = std::find(target->roles.begin(), target->roles.end(), role_id) != target->roles.end();
  if (has == add) co_return std::optional<Member>{};
  store::Params params{id(context.guild.id), id(user_id), id(role_id)};
  const char* sql = add ? "INSERT INTO member_roles (guild_id, user_id, role_id) VALUES ($1, $2, $3) "
                          "ON CONFLICT DO NOTHING"
                        : "DELETE FROM member_roles WHERE guild_id = $1 AND user_id = $2 AND role_id = $3";
  auto written = co_await pool.query(sql, std::move(params));
  if (!written) co_return std::unexpected(written.error());
  const std::vector<std::uint64_t> one{role_id};
  std::vector<Change> changes;
  changes.push_back({add ? "$add" : "$remove", {}, rolesChangeJson(context, one)});
  auto logged = co_await guilds_.audit(pool, context.guild.id, context.user_id, user_id, audit::kMemberRoleUpdate,
                                       reason, changes);
  if (!logged) spdlog::warn("audit log for server {}: {}", context.guild.id, logged.error().message);
  auto member = co_await get(pool, context.guild.id, user_id);
  if (!member) co_return std::unexpected(member.error());
  co_return std::optional<Member>(std::move(*member));
}

asio::awaitable<core::Result<UserSummary>> Members::kick(store::PgPool& pool, const GuildContext& context,
                                                         std::uint64_t user_id, std::string reason) {
  auto target = co_await get(pool, context.guild.id, user_id);
  if (!target) co_return std::unexpected(target.error());
  if ((context.base() & perm::kKickMembers) == 0) co_return missingPermissions();
  if (auto refused = checkModeration(context, user_id, target->roles, "kick")) co_return std::unexpected(*refused);
  store::Params params{id(context.guild.id), id(user_id)};
  auto deleted = co_await pool.query("DELETE FROM members WHERE guild_id = $1 AND user_id = $2", std::move(params));
  if (!deleted) co_return std::unexpected(deleted.error());
  if (deleted->affectedRows() == 0) co_return unknownMember(); // left or was removed meanwhile
  const std::vector<Change> none;
  auto logged =
      co_await guilds_.audit(pool, context.guild.id, context.user_id, user_id, audit::kMemberKick, reason, none);
  if (!logged) spdlog::warn("audit log for server {}: {}", context.guild.id, logged.error().message);
  co_return target->user;
}

asio::awaitable<core::Result<Members::Banned>> Members::ban(store::PgPool& pool, const GuildContext& context,
                                                            std::uint64_t user_id, int delete_message_seconds,
                                                            std::string reason) {
  if (delete_message_seconds < 0 || delete_message_seconds > kMaxDeleteMessageSeconds) {
    co_return fieldError("delete_message_seconds", "NUMBER_TYPE_MAX", "Must be between 0 and 604800.");
  }
  if ((context.base() & perm::kBanMembers) == 0) co_return missingPermissions();
  std::vector<store::Statement> loads;
  loads.push_back({"SELECT id, username, coalesce(display_name, ''), coalesce(avatar, '') FROM users "
                   "WHERE id = $1 AND deleted_at IS NULL",
                   {id(user_id)}});
  loads.push_back({"SELECT coalesce((SELECT string_agg(role_id::text, ',') FROM member_roles "
                   "WHERE guild_id = $1 AND user_id = $2), ''), "
                   "EXISTS (SELECT 1 FROM members WHERE guild_id = $1 AND user_id = $2)",
                   {id(context.guild.id), id(user_id)}});
  auto loaded = co_await pool.pipeline(std::move(loads));
  if (!loaded) co_return std::unexpected(loaded.error());
  if ((*loaded)[0].rows() == 0) co_return core::fail(ErrorCode::kUnknownUser, "Unknown User");
  Banned banned;
  banned.user = userFromRow((*loaded)[0], 0, 0);
  banned.was_member = (*loaded)[1].text(0, 1) == "t";
  const std::vector<std::uint64_t> target_roles = idList((*loaded)[1].text(0, 0));
  if (auto refused = checkModeration(context, user_id, target_roles, "ban")) co_return std::unexpected(*refused);
  std::vector<store::Statement> statements;
  statements.push_back({"INSERT INTO bans (guild_id, user_id, reason, moderator_id) VALUES ($1, $2, $3, $4) "
                        "ON CONFLICT (guild_id, user_id) DO NOTHING",
                        {id(context.guild.id), id(user_id), reason.empty() ? std::nullopt : std::optional(reason),
                         id(context.user_id)}});
  statements.push_back(
      {"DELETE FROM members WHERE guild_id = $1 AND user_id = $2", {id(context.guild.id), id(user_id)}});
  // The banned user's messages of the last delete_message_seconds go with them.
  statements.push_back({detail::deleteMessagesSql("DELETE FROM messages WHERE guild_id = $1 AND author_id = $2 AND "
                                                  "created_at > now() - make_interval(secs => $3::int) "
                                                  "RETURNING id, channel_id"),
                        {id(context.guild.id), id(user_id), std::to_string(delete_message_seconds)}});
  auto written = co_await pool.pipeline(std::move(statements));
  if (!written) co_return std::unexpected(written.error());
  banned.was_member = (*written)[1].affectedRows() > 0;
  banned.deleted_messages = static_cast<std::size_t>((*written)[2].rows());
  if ((*written)[0].affectedRows() > 0) {
    // The audit entry records how far back messages were deleted.
    std::vector<Change> changes;
    if (delete_message_seconds > 0) {
      changes.push_back({"delete_message_seconds", {}, std::to_string(delete_message_seconds)});
    }
    auto logged =
        co_await guilds_.audit(pool, context.guild.id, context.user_id, user_id, audit::kMemberBanAdd, reason, changes);
    if (!logged) spdlog::warn("audit log for server {}: {}", context.guild.id, logged.error().message);
  }
  co_return banned;
}

asio::awaitable<core::Result<UserSummary>> Members::unban(store::PgPool& pool, const GuildContext& context,
                                                          std::uint64_t user_id, std::string reason) {
  if ((context.base() & perm::kBanMembers) == 0) co_return missingPermissions();
  store::Params params{id(context.guild.id), id(user_id)};
  auto deleted = co_await pool.query(
      "WITH gone AS (DELETE FROM bans WHERE guild_id = $1 AND user_id = $2 RETURNING user_id) "
      "SELECT u.id, u.username, coalesce(u.display_name, ''), coalesce(u.avatar, '') FROM gone JOIN users u "
      "ON u.id = gone.user_id",
      std::move(params));
  if (!deleted) co_return std::unexpected(deleted.error());
  if (deleted->rows() == 0) co_return unknownBan();
  const std::vector<Change> none;
  auto logged =
      co_await guilds_.audit(pool, context.guild.id, context.user_id, user_id, audit::kMemberBanRemove, reason, none);
  if (!logged) spdlog::warn("audit log for server {}: {}", context.guild.id, logged.error().message);
  co_return userFromRow(*deleted, 0, 0);
}

asio::awaitable<core::Result<std::vector<Ban>>> Members::bans(store::PgPool& pool, const GuildContext& context,
                                                              int limit, std::uint64_t before, std::uint64_t after) {
  if ((context.base() & perm::kBanMembers) == 0) co_return missingPermissions();
  // Only `before`: the bans just below it (read backwards, then put in order).
  const bool backwards = before != 0 && after == 0;
  store::Params params{id(context.guild.id), before == 0 ? std::nullopt : std::optional(id(before)), id(after),
                       std::to_string(std::clamp(limit, 1, kMaxListLimit))};
  const std::string sql = fmt::format(
      "SELECT u.id, u.username, coalesce(u.display_name, ''), coalesce(u.avatar, ''), coalesce(b.reason, '') "
      "FROM bans b JOIN users u ON u.id = b.user_id WHERE b.guild_id = $1 AND ($2::bigint IS NULL OR "
      "b.user_id < $2::bigint) AND b.user_id > $3 ORDER BY b.user_id {} LIMIT $4",
      backwards ? "DESC" : "ASC");
  auto found = co_await pool.query(sql, std::move(params));
  if (!found) co_return std::unexpected(found.error());
  std::vector<Ban> bans;
  for (int row = 0; row < found->rows(); ++row)
    bans.push_back({userFromRow(*found, row, 0), std::string(found->text(row, 4))});
  if (backwards) std::reverse(bans.begin(), bans.end());
  co_return bans;
}

asio::awaitable<core::Result<Ban>> Members::getBan(store::PgPool& pool, const GuildContext& context,
                                                   std::uint64_t user_id) {
  if ((context.base() & perm::kBanMembers) == 0) co_return missingPermissions();
  store::Params params{id(context.guild.id), id(user_id)};
  auto found = co_await pool.query(
      "SELECT u.id, u.username, coalesce(u.display_name, ''), coalesce(u.avatar, ''), coalesce(b.reason, '') "
      "FROM bans b JOIN users u ON u.id = b.user_id WHERE b.guild_id = $1 AND b.user_id = $2",
      std::move(params));
  if (!found) co_return std::unexpected(found.error());
  if (found->rows() == 0) co_return unknownBan();
  co_return Ban{userFromRow(*found, 0, 0), std::string(found->text(0, 4))};
}

asio::awaitable<core::Result<std::vector<Invite>>> Members::invitesWhere(store::PgPool& pool, std::string_view where,
                                                                         std::string key) {
  store::Params params{std::move(key)};
  const std::string sql = std::string(kInviteSelect) + std::string(where) + " ORDER BY i.created_at, i.code";
  auto found = co_await pool.query(sql, std::move(params));
  if (!found) co_return std::unexpected(found.error());
  std::vector<Invite> invites;
  for (int row = 0; row < found->rows(); ++row)
    invites.push_back(inviteFromRow(*found, row));
  co_return invites;
}

asio::awaitable<core::Result<Members::Created>> Members::createInvite(store::PgPool& pool, const GuildContext& context,
                                                                      const Channel& channel, InviteInput input,
                                                                      std::string reason) {
  std::vector<core::FieldError> errors;
  if (input.max_age < 0 || input.max_age > kMaxInviteAge) {
    errors.push_back({"max_age", "NUMBER_TYPE_MAX", "Must be between 0 and 604800 seconds."});
  }
  if (input.max_uses < 0 || input.max_uses > kMaxInviteUses) {
    errors.push_back({"max_uses", "NUMBER_TYPE_MAX", "Must be between 0 and 100."});
  }
  if (!errors.empty()) co_return detail::formError(std::move(errors));
  const Permissions here = context.in(channel);
  if ((here & perm::kViewChannel) == 0) co_return core::fail(ErrorCode::kUnknownChannel, "Unknown Channel");
  if ((here & perm::kCreateInstantInvite) == 0) co_return missingPermissions();
  if (channel.type == ChannelType::kCategory || isThread(channel.type)) {
    co_return fieldError("channel_id", "CHANNEL_TYPE_INVALID", "Invites lead to a text or voice channel.");
  }
  if (!input.unique) {
    // Discord hands out the same invite again for the same settings rather than pile up codes.
    store::Params params{id(channel.id), id(context.user_id), std::to_string(input.max_age),
                         std::to_string(input.max_uses)};
    auto similar = co_await pool.query(
        "SELECT code FROM invites WHERE channel_id = $1 AND inviter_id = $2 AND max_age = $3 AND max_uses = $4 "
        "AND uses = 0 AND (expires_at IS NULL OR expires_at > now() + interval '1 minute') ORDER BY created_at DESC "
        "LIMIT 1",
        std::move(params));
    if (!similar) co_return std::unexpected(similar.error());
    if (similar->rows() != 0) {
      std::string code(similar->text(0, 0));
      auto found = co_await invitesWhere(pool, "i.code = $1", std::move(code));
      if (!found) co_return std::unexpected(found.error());
      if (!found->empty()) co_return Created{std::move(found->front()), false};
    }
  }
  std::string code;
  for (int attempt = 0; attempt < 5 && code.empty(); ++attempt) {
    std::string candidate = inviteCode();
    store::Params params{candidate,           id(context.guild.id),          id(channel.id),
                         id(context.user_id), std::to_string(input.max_age), std::to_string(input.max_uses)};
    auto inserted = co_await pool.query(
        "INSERT INTO invites (code, guild_id, channel_id, inviter_id, max_age, max_uses, expires_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $5::int = 0 THEN NULL ELSE now() + make_interval(secs => $5::int) "
        "END) ON CONFLICT (code) DO NOTHING",
        std::move(params));
    if (!inserted) co_return std::unexpected(inserted.error());
    if (inserted->affectedRows() == 1) code = std::move(candidate);
  }
  if (code.empty()) co_return core::fail(ErrorCode::kGeneral, "Could not pick an invite code; try again");
  auto found = co_await invitesWhere(pool, "i.code = $1", code);
  if (!found) co_return std::unexpected(found.error());
  if (found->empty()) co_return unknownInvite();
  Invite invite = std::move(found->front());
  const std::vector<Change> changes = inviteChanges(invite, true);
  auto logged =
      co_await guilds_.audit(pool, context.guild.id, context.user_id, 0, audit::kInviteCreate, reason, changes);
  if (!logged) spdlog::warn("audit log for server {}: {}", context.guild.id, logged.error().message);
  co_return Created{std::move(invite), true};
}

asio::awaitable<core::Result<std::vector<Invite>>>
Members::channelInvites(store::PgPool& pool, const GuildContext& context, const Channel& channel) {
  if ((context.in(channel)&perm::kManageChannels) == 0) co_return missingPermissions();
  std::string key = id(channel.id);
  co_return co_await invitesWhere(pool, "i.channel_id = $1", std::move(key));
}

asio::awaitable<core::Result<std::vector<Invite>>> Members::guildInvites(store::PgPool& pool,
                                                                         const GuildContext& context) {
  if ((context.base() & perm::kManageGuild) == 0) co_return missingPermissions();
  std::string key = id(context.guild.id);
  co_return co_await invitesWhere(pool, "i.guild_id = $1", std::move(key));
}

asio::awaitable<core::Result<Invite>> Members::invite(store::PgPool& pool, std::string code, bool with_counts) {
  if (!plausibleInviteCode(code)) co_return unknownInvite();
  auto found = co_await invitesWhere(pool, "i.code = $1", std::move(code));
  if (!found) co_return std::unexpected(found.error());
  if (found->empty()) co_return unknownInvite();
  Invite invite = std::move(found->front());
  if (with_counts) {
    auto count = co_await guilds_.memberCount(pool, invite.guild.id);
    if (!count) co_return std::unexpected(count.error());
    invite.member_count = *count;
  }
  co_return invite;
}

asio::awaitable<core::Result<Invite>> Members::deleteInvite(store::PgPool& pool, std::uint64_t actor, std::string code,
                                                            std::string reason) {
  auto found = co_await invite(pool, std::move(code), false);
  if (!found) co_return std::unexpected(found.error());
  // Anyone may read an invite, so a refusal here reveals nothing: 403 rather than 404.
  auto context = co_await guilds_.context(pool, found->guild.id, actor);
  if (!context) {
    if (context.error().code == ErrorCode::kUnknownGuild) co_return missingPermissions();
    co_return std::unexpected(context.error());
  }
  bool allowed = (context->base() & perm::kManageGuild) != 0;
  if (!allowed) {
    auto channels = co_await guilds_.channels(pool, found->guild.id);
    if (!channels) co_return std::unexpected(channels.error());
    for (const auto& channel : *channels) {
      if (channel.id == found->channel.id) allowed = (context->in(channel)&perm::kManageChannels) != 0;
    }
  }
  if (!allowed) co_return missingPermissions();
  store::Params params{found->code};
  auto deleted = co_await pool.query("DELETE FROM invites WHERE code = $1", std::move(params));
  if (!deleted) co_return std::unexpected(deleted.error());
  if (deleted->affectedRows() == 0) co_return unknownInvite();
  const std::vector<Change> changes = inviteChanges(*found, false);
  auto logged = co_await guilds_.audit(pool, found->guild.id, actor, 0, audit::kInviteDelete, reason, changes);
  if (!logged) spdlog::warn("audit log for server {}: {}", found->guild.id, logged.error().message);
  co_return std::move(*found);
}

asio::awaitable<core::Result<Joined>> Members::join(store::PgPool& pool, std::uint64_t user_id, std::string code,
                                                    bool may_join) {
  auto found = co_await invite(pool, code, false);
  if (!found) co_return std::unexpected(found.error());
  const std::uint64_t guild_id = found->guild.id;
  store::Params check_params{id(guild_id), id(user_id)};
  auto standing = co_await pool.query("SELECT EXISTS (SELECT 1 FROM bans WHERE guild_id = $1 AND user_id = $2), "
                                      "EXISTS (SELECT 1 FROM members WHERE guild_id = $1 AND user_id = $2), "
                                      "(SELECT count(*) FROM members WHERE user_id = $2)",
                                      std::move(check_params));
  if (!standing) co_return std::unexpected(standing.error());
  if (standing->text(0, 0) == "t") co_return core::fail(ErrorCode::kBanned, "You are banned from this server");
  bool already_member = standing->text(0, 1) == "t";
  if (!already_member) {
    if (!may_join) co_return core::fail(ErrorCode::kMissingAccess, "Verify your email address to join servers");
    if (static_cast<std::size_t>(standing->integer(0, 2).value_or(0)) >= Guilds::kMaxGuildsPerUser) {
      co_return core::fail(ErrorCode::kMaxGuilds, "Maximum number of servers reached (100)");
    }
    // The use is claimed and the membership written in one transaction. The UPDATE's condition
    // is re-checked on the latest row version after a concurrent join commits, so racing joins
    // never count past max_uses; a join that loses the race finds the invite used up.
    auto lease = co_await pool.acquire();
    if (!lease) co_return std::unexpected(lease.error());
    store::Params no_params;
    auto begun = co_await lease->query("BEGIN", std::move(no_params));
    if (!begun) co_return std::unexpected(begun.error());
    store::Params use_params{code};
    auto used =
        co_await lease->query("UPDATE invites SET uses = uses + 1 WHERE code = $1 AND "
                              "(max_uses = 0 OR uses < max_uses) AND (expires_at IS NULL OR expires_at > now())",
                              std::move(use_params));
    if (!used) co_return std::unexpected(used.error());
    const bool claimed = used->affectedRows() == 1;
    bool inserted = false;
    if (claimed) {
      store::Params member_params{id(guild_id), id(user_id)};
      auto member = co_await lease->query("INSERT INTO members (guild_id, user_id) SELECT $1, $2 WHERE NOT EXISTS "
                                          "(SELECT 1 FROM bans WHERE guild_id = $1 AND user_id = $2) "
                                          "ON CONFLICT DO NOTHING",
                                          std::move(member_params));
      if (!member) co_return std::unexpected(member.error());
      inserted = member->affectedRows() == 1;
    }
    store::Params end_params;
    auto ended = co_await lease->query(inserted ? "COMMIT" : "ROLLBACK", std::move(end_params));
    if (!ended) co_return std::unexpected(ended.error());
    if (!claimed) co_return unknownInvite();
    if (!inserted) {
      // Banned or joined by another request of the same user in the meantime.
      store::Params again_params{id(guild_id), id(user_id)};
      auto again = co_await pool.query("SELECT EXISTS (SELECT 1 FROM members WHERE guild_id = $1 AND user_id = $2)",
                                       std::move(again_params));
      if (!again) co_return std::unexpected(again.error());
      if (again->text(0, 0) != "t") co_return core::fail(ErrorCode::kBanned, "You are banned from this server");
      already_member = true;
    } else {
      spdlog::info("user {} joined server {} with invite {}", user_id, guild_id, code);
    }
  }
  auto context = co_await guilds_.context(pool, guild_id, user_id);
  if (!context) co_return std::unexpected(context.error());
  auto member = co_await get(pool, guild_id, user_id);
  if (!member) co_return std::unexpected(member.error());
  co_return Joined{std::move(*context), std::move(*member), already_member};
}

} // namespace hearth::domain
