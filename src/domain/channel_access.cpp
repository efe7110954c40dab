#include "domain/channel_access.hpp"

#include <charconv>
#include <string>
#include <string_view>

#include "domain/internal.hpp"

namespace hearth::domain {

using detail::i32;
using detail::id;
using detail::u64;

namespace {

// Columns 0-12 are kChannelColumns' (channelFromRow) with 0 for last_message_id. One row even
// when the channel doesn't exist, so the session's state is always known.
const char* const kSendAccessSql =
    "SELECT c.id, c.guild_id, c.type, c.name, coalesce(c.topic, ''), c.position, coalesce(c.parent_id, 0), "
    "c.rate_limit_per_user, coalesce(c.bitrate, 0), coalesce(c.user_limit, 0), c.nsfw, 0, "
    "coalesce(to_json(c.last_pin_timestamp)#>>'{}', ''), " // 0-12
    "s.live, c.id IS NOT NULL, c.guild_id IS NOT NULL AND c.thread_parent_id IS NULL, " // 13-15
    "g.id IS NOT NULL AND m.user_id IS NOT NULL, g.name, coalesce(g.icon, ''), coalesce(g.description, ''), "
    "g.owner_id, to_json(g.created_at)#>>'{}', coalesce(m.communication_disabled_until > now(), false), " // 16-22
    "coalesce((SELECT string_agg(concat_ws(',', o.target_id, o.type, o.allow, o.deny), ';') "
    "FROM permission_overwrites o WHERE o.channel_id = c.id), ''), " // 23
    "coalesce((SELECT string_agg(r.role_id::text, ',') FROM member_roles r "
    "WHERE r.guild_id = c.guild_id AND r.user_id = $2), '') " // 24
    "FROM (SELECT EXISTS (SELECT 1 FROM auth_sessions WHERE id = $3 AND revoked_at IS NULL "
    "AND expires_at > now()) AS live) s "
    "LEFT JOIN channels c ON c.id = $1 LEFT JOIN guilds g ON g.id = c.guild_id "
    "LEFT JOIN members m ON m.guild_id = c.guild_id AND m.user_id = $2";

// The same text as Guilds' roles statement over a channel's server, so both share one prepared
// statement per connection.
const char* const kRolesSql = "SELECT id, name, color, hoist, mentionable, permissions, position FROM roles "
                              "WHERE guild_id = (SELECT guild_id FROM channels WHERE id = $1) ORDER BY position, id";

std::int64_t parseInteger(std::string_view text) {
  std::int64_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

// Splits "a<separator>b<separator>c" (nothing for an empty text).
std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    const auto at = text.find(separator);
    out.push_back(text.substr(0, at));
    if (at == std::string_view::npos) break;
    text.remove_prefix(at + 1);
  }
  return out;
}

// "target,type,allow,deny;..." (string_agg of concat_ws).
std::vector<Overwrite> overwritesFromText(std::string_view text) {
  std::vector<Overwrite> out;
  for (const auto item : split(text, ';')) {
    const auto fields = split(item, ',');
    if (fields.size() != 4) continue;
    out.push_back({static_cast<std::uint64_t>(parseInteger(fields[0])),
                   parseInteger(fields[1]) == 1 ? OverwriteType::kMember : OverwriteType::kRole,
                   static_cast<Permissions>(parseInteger(fields[2])),
                   static_cast<Permissions>(parseInteger(fields[3]))});
  }
  return out;
}

} // namespace

std::vector<store::Statement> sendAccessStatements(std::uint64_t channel_id, std::uint64_t user_id,
                                                   std::uint64_t session_id) {
  std::vector<store::Statement> statements;
  statements.push_back({kSendAccessSql, {id(channel_id), id(user_id), id(session_id)}});
  statements.push_back({kRolesSql, {id(channel_id)}});
  return statements;
}

SendAccess sendAccessFrom(std::span<const store::PgResult> results, std::uint64_t user_id) {
  const store::PgResult& head = results[0];
  const store::PgResult& roles = results[1];
  SendAccess out;
  out.session_active = head.rows() == 1 && head.text(0, 13) == "t";
  if (!out.session_active) return out;
  if (head.text(0, 14) != "t") {
    out.found = core::fail(core::ErrorCode::kUnknownChannel, "Unknown Channel");
    return out;
  }
  if (head.text(0, 15) != "t") return out; // a DM or a thread
  Channel channel = channelFromRow(head, 0);
  channel.overwrites = overwritesFromText(head.text(0, 23));
  // Not a member: the channel doesn't exist for them.
  if (head.text(0, 16) != "t") {
    out.found = core::fail(core::ErrorCode::kUnknownChannel, "Unknown Channel");
    return out;
  }
  GuildContext context;
  context.user_id = user_id;
  context.guild = {
      channel.guild_id, std::string(head.text(0, 17)), std::string(head.text(0, 18)), std::string(head.text(0, 19)),
      u64(head, 0, 20), std::string(head.text(0, 21))};
  context.is_member = true;
  context.timed_out = head.text(0, 22) == "t";
  for (int row = 0; row < roles.rows(); ++row) {
    context.roles.push_back({u64(roles, row, 0), context.guild.id, std::string(roles.text(row, 1)), i32(roles, row, 2),
                             roles.text(row, 3) == "t", roles.text(row, 4) == "t",
                             static_cast<Permissions>(roles.integer(row, 5).value_or(0)), i32(roles, row, 6)});
  }
  for (const auto role : split(head.text(0, 24), ','))
    context.member_roles.push_back(static_cast<std::uint64_t>(parseInteger(role)));
  if ((context.in(channel)&perm::kViewChannel) == 0) {
    out.found = core::fail(core::ErrorCode::kUnknownChannel, "Unknown Channel");
    return out;
  }
  out.found = std::pair{std::move(context), std::move(channel)};
  return out;
}

} // namespace hearth::domain
