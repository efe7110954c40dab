#include "domain/guilds.hpp"

#include <algorithm>
#include <cctype>
#include <map>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/snowflake.hpp"
#include "domain/dms.hpp"
#include "domain/internal.hpp"
#include "domain/threads.hpp"
#include "store/pg.hpp"

namespace hearth::domain {

namespace asio = boost::asio;
using core::ErrorCode;
using detail::bits;
using detail::fieldError;
using detail::i32;
using detail::id;
using detail::jsonString;
using detail::missingPermissions;
using detail::u64;

// last_message_id: the newest message sent in the channel, deleted or not. Sends don't write the
// channel row (a row lock held through every send's commit would serialize a channel's sends):
// the newest stored message is read from messages (one probe of messages_channel), and the
// column keeps the highest id ever deleted (domain::kRaiseDeletedFloor), as Discord's field
// "may not point to an existing message". The probe orders by the index's own columns: written
// as max(id), PostgreSQL may walk the primary key backwards instead, which for a channel without
// messages reads the whole table (0.9 s at a million messages).
const char* const kChannelColumns =
    "id, guild_id, type, name, coalesce(topic, ''), position, coalesce(parent_id, 0), rate_limit_per_user, "
    "coalesce(bitrate, 0), coalesce(user_limit, 0), nsfw, "
    "greatest(coalesce(last_message_id, 0), "
    "coalesce((SELECT lm.id FROM messages lm WHERE lm.channel_id >= channels.id AND lm.channel_id <= channels.id "
    "ORDER BY lm.channel_id, lm.id DESC LIMIT 1), 0)), "
    "coalesce(to_json(last_pin_timestamp)#>>'{}', '')";

namespace {

// kChannelColumns with 0 for last_message_id (LastMessage::kSkip).
const char* const kChannelColumnsWithoutLastMessage =
    "id, guild_id, type, name, coalesce(topic, ''), position, coalesce(parent_id, 0), rate_limit_per_user, "
    "coalesce(bitrate, 0), coalesce(user_limit, 0), nsfw, 0, coalesce(to_json(last_pin_timestamp)#>>'{}', '')";

} // namespace

namespace {

constexpr int kDefaultBitrate = 64000;

std::unexpected<core::Error> unknownGuild() { return core::fail(ErrorCode::kUnknownGuild, "Unknown Guild"); }
std::unexpected<core::Error> unknownChannel() { return core::fail(ErrorCode::kUnknownChannel, "Unknown Channel"); }
std::unexpected<core::Error> unknownRole() { return core::fail(ErrorCode::kUnknownRole, "Unknown Role"); }

std::string changesJson(const std::vector<Change>& changes) {
  std::string out = "[";
  for (const auto& change : changes) {
    if (out.size() > 1) out += ",";
    out += "{\"key\":" + jsonString(change.key);
    if (!change.old_json.empty()) out += ",\"old_value\":" + change.old_json;
    if (!change.new_json.empty()) out += ",\"new_value\":" + change.new_json;
    out += "}";
  }
  return out + "]";
}

// Names: text channels are lower-case with dashes for spaces (as Discord does); other names keep
// their case. 1-100 characters; servers 2-100.
std::optional<core::FieldError> checkName(std::string& name, std::string_view field, std::size_t min) {
  while (!name.empty() && std::isspace(static_cast<unsigned char>(name.front())) != 0)
    name.erase(name.begin());
  while (!name.empty() && std::isspace(static_cast<unsigned char>(name.back())) != 0)
    name.pop_back();
  const std::size_t length = detail::codePoints(name);
  if (length < min || length > 100 || name.find_first_of("\r\n") != std::string::npos) {
    return core::FieldError{std::string(field), "BASE_TYPE_BAD_LENGTH",
                            fmt::format("Must be between {} and 100 characters.", min)};
  }
  return std::nullopt;
}

std::string textChannelName(std::string name) {
  std::string out;
  for (const char c : name) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isspace(byte) != 0) {
      if (!out.empty() && out.back() != '-') out += '-';
    } else {
      out += static_cast<char>(std::tolower(byte));
    }
  }
  return out;
}

std::vector<Overwrite> overwritesFrom(const store::PgResult& rows, int first_column, int row_begin, int row_end) {
  std::vector<Overwrite> out;
  for (int row = row_begin; row < row_end; ++row) {
    out.push_back({u64(rows, row, first_column),
                   rows.integer(row, first_column + 1).value_or(0) == 1 ? OverwriteType::kMember : OverwriteType::kRole,
                   static_cast<Permissions>(rows.integer(row, first_column + 2).value_or(0)),
                   static_cast<Permissions>(rows.integer(row, first_column + 3).value_or(0))});
  }
  return out;
}

ChannelKind kindOf(ChannelType type) {
  switch (type) {
  case ChannelType::kVoice: return ChannelKind::kVoice;
  case ChannelType::kCategory: return ChannelKind::kCategory;
  case ChannelType::kPublicThread: return ChannelKind::kPublicThread;
  case ChannelType::kPrivateThread: return ChannelKind::kPrivateThread;
  case ChannelType::kText:
  case ChannelType::kDm:
  case ChannelType::kGroupDm: break;
  }
  return ChannelKind::kText;
}

} // namespace

std::string detail::jsonString(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
    case '"': out += "\\\""; break;
    case '\\': out += "\\\\"; break;
    case '\n': out += "\\n"; break;
    case '\r': out += "\\r"; break;
    case '\t': out += "\\t"; break;
    default:
      if (static_cast<unsigned char>(c) < 0x20) {
        out += fmt::format("\\u{:04x}", static_cast<int>(c));
      } else {
        out += c;
      }
    }
  }
  return out + "\"";
}

Channel channelFromRow(const store::PgResult& rows, int row) {
  Channel channel;
  channel.id = u64(rows, row, 0);
  channel.guild_id = u64(rows, row, 1);
  channel.type = static_cast<ChannelType>(i32(rows, row, 2));
  channel.name = rows.text(row, 3);
  channel.topic = rows.text(row, 4);
  channel.position = i32(rows, row, 5);
  channel.parent_id = u64(rows, row, 6);
  channel.rate_limit_per_user = i32(rows, row, 7);
  channel.bitrate = i32(rows, row, 8);
  channel.user_limit = i32(rows, row, 9);
  channel.nsfw = rows.text(row, 10) == "t";
  channel.last_message_id = u64(rows, row, 11);
  channel.last_pin_timestamp = rows.text(row, 12);
  return channel;
}

PermissionSubject GuildContext::subject() const {
  PermissionSubject subject;
  subject.guild_id = guild.id;
  subject.owner_id = guild.owner_id;
  subject.user_id = user_id;
  subject.timed_out = timed_out;
  for (const auto& role : roles) {
    if (role.id == guild.id) {
      subject.everyone = role.permissions;
    } else if (std::find(member_roles.begin(), member_roles.end(), role.id) != member_roles.end()) {
      subject.roles.push_back({role.id, role.permissions});
    }
  }
  return subject;
}

Permissions GuildContext::base() const { return basePermissions(subject()); }

Permissions GuildContext::in(const Channel& channel) const {
  const Permissions bits = channelPermissions(subject(), channel.overwrites, kindOf(channel.type));
  return channel.thread ? threadPermissions(bits, channel.type, *channel.thread, user_id) : bits;
}

const Role* GuildContext::role(std::uint64_t role_id) const {
  const auto found = std::find_if(roles.begin(), roles.end(), [&](const Role& role) { return role.id == role_id; });
  return found == roles.end() ? nullptr : &*found;
}

int GuildContext::highestPositionOf(const std::vector<std::uint64_t>& role_ids) const {
  int highest = 0;
  for (const auto role_id : role_ids) {
    if (const Role* found = role(role_id)) highest = std::max(highest, found->position);
  }
  return highest;
}

int GuildContext::highestPosition() const {
  if (isOwner()) return std::numeric_limits<int>::max();
  return highestPositionOf(member_roles);
}

namespace {

// A member's standing in a server: three statements over `guild` (SQL: $1, or a subquery over
// $1) and the user $2 (`params`: those two), read back by contextFrom.
void addContextStatements(std::vector<store::Statement>& statements, const std::string& guild,
                          const store::Params& params) {
  statements.push_back({"SELECT g.id, g.name, coalesce(g.icon, ''), coalesce(g.description, ''), g.owner_id, "
                        "to_json(g.created_at)#>>'{}', m.user_id IS NOT NULL, "
                        "coalesce(m.communication_disabled_until > now(), false), g.default_message_notifications "
                        "FROM guilds g LEFT JOIN members m ON m.guild_id = g.id AND m.user_id = $2 WHERE g.id = " +
                            guild,
                        params});
  statements.push_back({"SELECT id, name, color, hoist, mentionable, permissions, position FROM roles "
                        "WHERE guild_id = " +
                            guild + " ORDER BY position, id",
                        {params.front()}});
  statements.push_back({"SELECT role_id FROM member_roles WHERE guild_id = " + guild + " AND user_id = $2", params});
}

// nullopt when the server doesn't exist or the user isn't a member.
std::optional<GuildContext> contextFrom(const store::PgResult& head, const store::PgResult& roles,
                                        const store::PgResult& member_roles, std::uint64_t user_id) {
  if (head.rows() == 0 || head.text(0, 6) != "t") return std::nullopt;
  GuildContext context;
  context.user_id = user_id;
  context.guild = {u64(head, 0, 0),
                   std::string(head.text(0, 1)),
                   std::string(head.text(0, 2)),
                   std::string(head.text(0, 3)),
                   u64(head, 0, 4),
                   std::string(head.text(0, 5)),
                   i32(head, 0, 8)};
  context.is_member = true;
  context.timed_out = head.text(0, 7) == "t";
  for (int row = 0; row < roles.rows(); ++row) {
    context.roles.push_back({u64(roles, row, 0), context.guild.id, std::string(roles.text(row, 1)), i32(roles, row, 2),
                             roles.text(row, 3) == "t", roles.text(row, 4) == "t",
                             static_cast<Permissions>(roles.integer(row, 5).value_or(0)), i32(roles, row, 6)});
  }
  for (int row = 0; row < member_roles.rows(); ++row)
    context.member_roles.push_back(u64(member_roles, row, 0));
  return context;
}

} // namespace

asio::awaitable<core::Result<GuildContext>> Guilds::context(store::PgPool& pool, std::uint64_t guild_id,
                                                            std::uint64_t user_id) {
  std::vector<store::Statement> statements;
  addContextStatements(statements, "$1", {id(guild_id), id(user_id)});
  auto results = co_await pool.pipeline(std::move(statements));
  if (!results) co_return std::unexpected(results.error());
  auto context = contextFrom((*results)[0], (*results)[1], (*results)[2], user_id);
  if (!context) co_return unknownGuild();
  co_return std::move(*context);
}

std::vector<store::Statement> visibleChannelStatements(std::uint64_t channel_id, std::uint64_t user_id,
                                                       LastMessage last_message) {
  // The channel, and the user's standing in its server (none for a DM), in one round trip.
  std::vector<store::Statement> statements;
  const char* const columns = last_message == LastMessage::kRead ? kChannelColumns : kChannelColumnsWithoutLastMessage;
  statements.push_back({std::string("SELECT ") + columns + " FROM channels WHERE id = $1", {id(channel_id)}});
  // A thread's permissions are its parent's: the parent's overwrites stand in for its own.
  statements.push_back({"SELECT target_id, type, allow, deny FROM permission_overwrites WHERE channel_id = "
                        "coalesce((SELECT thread_parent_id FROM channels WHERE id = $1), $1)",
                        {id(channel_id)}});
  statements.push_back(dmAccessStatement(channel_id, user_id));
  statements.push_back(threadStateStatement(channel_id));
  addContextStatements(statements, "(SELECT guild_id FROM channels WHERE id = $1)", {id(channel_id), id(user_id)});
  return statements;
}

core::Result<std::pair<GuildContext, Channel>> visibleChannelFrom(std::span<const store::PgResult> results,
                                                                  std::uint64_t user_id) {
  if (results[0].rows() == 0) return unknownChannel();
  Channel channel = channelFromRow(results[0], 0);
  channel.overwrites = overwritesFrom(results[1], 0, 0, results[1].rows());
  readThreadState(results[3], channel);
  if (channel.guild_id == 0) {
    const DmAccess access = dmAccessFrom(results[2]);
    if (!access.recipient) return unknownChannel();
    return std::pair{dmContext(user_id, access.may_send), std::move(channel)};
  }
  auto context = contextFrom(results[4], results[5], results[6], user_id);
  if (!context) return unknownChannel(); // not a member: the channel doesn't exist for them
  if ((context->in(channel)&perm::kViewChannel) == 0) return unknownChannel();
  return std::pair{std::move(*context), std::move(channel)};
}

asio::awaitable<core::Result<std::pair<GuildContext, Channel>>>
Guilds::visibleChannel(store::PgPool& pool, std::uint64_t channel_id, std::uint64_t user_id) {
  std::vector<store::Statement> statements = visibleChannelStatements(channel_id, user_id);
  auto results = co_await pool.pipeline(std::move(statements));
  if (!results) co_return std::unexpected(results.error());
  co_return visibleChannelFrom(*results, user_id);
}

asio::awaitable<core::Result<Guild>> Guilds::create(store::PgPool& pool, std::uint64_t owner_id, std::string name,
                                                    std::string icon_hash) {
  if (auto error = checkName(name, "name", 2)) co_return detail::formError({*error});
  store::Params count_params{id(owner_id)};
  auto count = co_await pool.query("SELECT count(*) FROM members WHERE user_id = $1", std::move(count_params));
  if (!count) co_return std::unexpected(count.error());
  if (static_cast<std::size_t>(count->integer(0, 0).value_or(0)) >= kMaxGuildsPerUser) {
    co_return core::fail(ErrorCode::kMaxGuilds, "Maximum number of servers reached (100)");
  }
  const std::uint64_t guild_id = ids_.next();
  const std::uint64_t text_category = ids_.next();
  const std::uint64_t general = ids_.next();
  const std::uint64_t voice_category = ids_.next();
  const std::uint64_t voice = ids_.next();
  const std::string g = id(guild_id);
  std::vector<store::Statement> statements;
  statements.push_back({"INSERT INTO guilds (id, name, icon, owner_id) VALUES ($1, $2, $3, $4)",
                        {g, name, icon_hash.empty() ? std::nullopt : std::optional(icon_hash), id(owner_id)}});
  statements.push_back({"INSERT INTO roles (id, guild_id, name, permissions, position) VALUES ($1, $1, '@everyone', "
                        "$2, 0)",
                        {g, bits(perm::defaultEveryone())}});
  const auto channel = [&](std::uint64_t channel_id, ChannelType type, const char* channel_name, int position,
                           std::uint64_t parent) {
    statements.push_back(
        {"INSERT INTO channels (id, guild_id, type, name, position, parent_id, bitrate) "
         "VALUES ($1, $2, $3, $4, $5, $6, $7)",
         {id(channel_id), g, std::to_string(static_cast<int>(type)), channel_name, std::to_string(position),
          parent == 0 ? std::nullopt : std::optional(id(parent)),
          type == ChannelType::kVoice ? std::optional(std::to_string(kDefaultBitrate)) : std::nullopt}});
  };
  channel(text_category, ChannelType::kCategory, "Text Channels", 0, 0);
  channel(general, ChannelType::kText, "general", 0, text_category);
  channel(voice_category, ChannelType::kCategory, "Voice Channels", 1, 0);
  channel(voice, ChannelType::kVoice, "General", 0, voice_category);
  statements.push_back({"INSERT INTO members (guild_id, user_id) VALUES ($1, $2)", {g, id(owner_id)}});
  auto written = co_await pool.pipeline(std::move(statements));
  if (!written) co_return std::unexpected(written.error());
  spdlog::info("server {} created by {}", guild_id, owner_id);
  auto context = co_await this->context(pool, guild_id, owner_id);
  if (!context) co_return std::unexpected(context.error());
  co_return context->guild;
}

asio::awaitable<core::Result<Changed<Guild>>> Guilds::update(store::PgPool& pool, const GuildContext& context,
                                                             GuildInput input, std::string icon_hash) {
  if ((context.base() & perm::kManageGuild) == 0) co_return missingPermissions();
  std::vector<core::FieldError> errors;
  if (input.name) {
    if (auto error = checkName(*input.name, "name", 2)) errors.push_back(*error);
  }
  if (input.description && detail::codePoints(*input.description) > 300) {
    errors.push_back({"description", "BASE_TYPE_MAX_LENGTH", "Must be 300 characters or fewer."});
  }
  if (input.default_message_notifications && *input.default_message_notifications != 0 &&
      *input.default_message_notifications != 1) {
    errors.push_back({"default_message_notifications", "BASE_TYPE_CHOICES", "Must be 0 or 1."});
  }
  if (!errors.empty()) co_return detail::formError(std::move(errors));
  const std::string g = id(context.guild.id);
  Changed<Guild> changed{context.guild, {}};
  std::vector<store::Statement> statements;
  if (input.default_message_notifications &&
      *input.default_message_notifications != context.guild.default_message_notifications) {
    changed.changes.push_back({"default_message_notifications",
                               std::to_string(context.guild.default_message_notifications),
                               std::to_string(*input.default_message_notifications)});
    changed.value.default_message_notifications = *input.default_message_notifications;
    statements.push_back({"UPDATE guilds SET default_message_notifications = $2 WHERE id = $1",
                          {g, std::to_string(*input.default_message_notifications)}});
  }
  if (input.name && *input.name != context.guild.name) {
    changed.changes.push_back({"name", jsonString(context.guild.name), jsonString(*input.name)});
    changed.value.name = *input.name;
    statements.push_back({"UPDATE guilds SET name = $2 WHERE id = $1", {g, *input.name}});
  }
  if (input.description && *input.description != context.guild.description) {
    changed.changes.push_back({"description", jsonString(context.guild.description), jsonString(*input.description)});
    changed.value.description = *input.description;
    statements.push_back({"UPDATE guilds SET description = $2 WHERE id = $1",
                          {g, input.description->empty() ? std::nullopt : input.description}});
  }
  if (input.icon_bytes && icon_hash != context.guild.icon) {
    changed.changes.push_back({"icon_hash", jsonString(context.guild.icon), jsonString(icon_hash)});
    changed.value.icon = icon_hash;
    statements.push_back({"UPDATE guilds SET icon = $2 WHERE id = $1",
                          {g, icon_hash.empty() ? std::nullopt : std::optional(icon_hash)}});
  }
  if (input.owner_id && *input.owner_id != context.guild.owner_id) {
    if (!context.isOwner())
      co_return core::fail(ErrorCode::kMissingPermissions, "Only the owner can transfer the server");
    store::Params params{g, id(*input.owner_id)};
    auto member = co_await pool.query("SELECT 1 FROM members WHERE guild_id = $1 AND user_id = $2", std::move(params));
    if (!member) co_return std::unexpected(member.error());
    if (member->rows() == 0) co_return fieldError("owner_id", "UNKNOWN_MEMBER", "The new owner must be a member.");
    changed.changes.push_back({"owner_id", jsonString(id(context.guild.owner_id)), jsonString(id(*input.owner_id))});
    changed.value.owner_id = *input.owner_id;
    statements.push_back({"UPDATE guilds SET owner_id = $2 WHERE id = $1", {g, id(*input.owner_id)}});
  }
  if (statements.empty()) co_return changed;
  auto written = co_await pool.pipeline(std::move(statements));
  if (!written) co_return std::unexpected(written.error());
  co_return changed;
}

asio::awaitable<core::Result<void>> Guilds::remove(store::PgPool& pool, const GuildContext& context) {
  if (!context.isOwner()) co_return core::fail(ErrorCode::kMissingPermissions, "Only the owner can delete the server");
  store::Params params{id(context.guild.id)};
  auto deleted = co_await pool.query("DELETE FROM guilds WHERE id = $1", std::move(params));
  if (!deleted) co_return std::unexpected(deleted.error());
  spdlog::info("server {} deleted by its owner {}", context.guild.id, context.user_id);
  co_return core::Result<void>{};
}

asio::awaitable<core::Result<void>> Guilds::leave(store::PgPool& pool, const GuildContext& context) {
  if (context.isOwner()) {
    co_return fieldError("owner", "OWNER_CANNOT_LEAVE", "Transfer ownership or delete the server before leaving it.");
  }
  store::Params params{id(context.guild.id), id(context.user_id)};
  auto deleted = co_await pool.query("DELETE FROM members WHERE guild_id = $1 AND user_id = $2", std::move(params));
  if (!deleted) co_return std::unexpected(deleted.error());
  co_return core::Result<void>{};
}

asio::awaitable<core::Result<std::vector<GuildSnapshot>>> Guilds::snapshotsOf(store::PgPool& pool,
                                                                              std::uint64_t user_id) {
  const std::string user = id(user_id);
  const std::string mine = "guild_id IN (SELECT guild_id FROM members WHERE user_id = $1)";
  std::vector<store::Statement> statements;
  statements.push_back(
      {"SELECT g.id, g.name, coalesce(g.icon, ''), coalesce(g.description, ''), g.owner_id, "
       "to_json(g.created_at)#>>'{}', coalesce(m.communication_disabled_until > now(), false), "
       "g.member_count, g.default_message_notifications "
       "FROM guilds g JOIN members m ON m.guild_id = g.id AND m.user_id = $1 ORDER BY m.joined_at, g.id",
       {user}});
  statements.push_back(
      {"SELECT guild_id, id, name, color, hoist, mentionable, permissions, position FROM roles WHERE " + mine +
           " ORDER BY position, id",
       {user}});
  statements.push_back({"SELECT guild_id, role_id FROM member_roles WHERE user_id = $1", {user}});
  statements.push_back({std::string("SELECT ") + kChannelColumns + " FROM channels WHERE " + mine +
                            " AND type NOT IN (11, 12) ORDER BY type = 4 DESC, position, id",
                        {user}});
  statements.push_back({"SELECT o.channel_id, o.target_id, o.type, o.allow, o.deny FROM permission_overwrites o "
                        "JOIN channels c ON c.id = o.channel_id WHERE c." +
                            mine,
                        {user}});
  auto results = co_await pool.pipeline(std::move(statements));
  if (!results) co_return std::unexpected(results.error());
  const auto& [heads, roles, member_roles, channels, overwrites] =
      std::tie((*results)[0], (*results)[1], (*results)[2], (*results)[3], (*results)[4]);
  std::vector<GuildSnapshot> snapshots;
  std::map<std::uint64_t, std::size_t> index;
  for (int row = 0; row < heads.rows(); ++row) {
    GuildSnapshot snapshot;
    auto& context = snapshot.context;
    context.user_id = user_id;
    context.is_member = true;
    context.guild = {u64(heads, row, 0),
                     std::string(heads.text(row, 1)),
                     std::string(heads.text(row, 2)),
                     std::string(heads.text(row, 3)),
                     u64(heads, row, 4),
                     std::string(heads.text(row, 5)),
                     i32(heads, row, 8)};
    context.timed_out = heads.text(row, 6) == "t";
    snapshot.member_count = static_cast<std::size_t>(heads.integer(row, 7).value_or(0));
    index[context.guild.id] = snapshots.size();
    snapshots.push_back(std::move(snapshot));
  }
  const auto of = [&](std::uint64_t guild_id) -> GuildSnapshot* {
    const auto found = index.find(guild_id);
    return found == index.end() ? nullptr : &snapshots[found->second];
  };
  for (int row = 0; row < roles.rows(); ++row) {
    if (auto* snapshot = of(u64(roles, row, 0))) {
      snapshot->context.roles.push_back({u64(roles, row, 1), u64(roles, row, 0), std::string(roles.text(row, 2)),
                                         i32(roles, row, 3), roles.text(row, 4) == "t", roles.text(row, 5) == "t",
                                         static_cast<Permissions>(roles.integer(row, 6).value_or(0)),
                                         i32(roles, row, 7)});
    }
  }
  for (int row = 0; row < member_roles.rows(); ++row) {
    if (auto* snapshot = of(u64(member_roles, row, 0)))
      snapshot->context.member_roles.push_back(u64(member_roles, row, 1));
  }
  std::map<std::uint64_t, Channel*> channel_index;
  for (int row = 0; row < channels.rows(); ++row) {
    Channel channel = channelFromRow(channels, row);
    if (auto* snapshot = of(channel.guild_id)) snapshot->channels.push_back(std::move(channel));
  }
  for (auto& snapshot : snapshots)
    for (auto& channel : snapshot.channels)
      channel_index[channel.id] = &channel;
  for (int row = 0; row < overwrites.rows(); ++row) {
    const auto found = channel_index.find(u64(overwrites, row, 0));
    if (found != channel_index.end())
      found->second->overwrites.push_back(overwritesFrom(overwrites, 1, row, row + 1).front());
  }
  co_return snapshots;
}

asio::awaitable<core::Result<std::size_t>> Guilds::memberCount(store::PgPool& pool, std::uint64_t guild_id) {
  store::Params params{id(guild_id)};
  auto found = co_await pool.query("SELECT member_count FROM guilds WHERE id = $1", std::move(params));
  if (!found) co_return std::unexpected(found.error());
  co_return static_cast<std::size_t>(found->integer(0, 0).value_or(0));
}

asio::awaitable<core::Result<std::vector<Channel>>> Guilds::channels(store::PgPool& pool, std::uint64_t guild_id) {
  std::vector<store::Statement> statements;
  statements.push_back({std::string("SELECT ") + kChannelColumns +
                            " FROM channels WHERE guild_id = $1 AND type NOT IN (11, 12) "
                            "ORDER BY type = 4 DESC, position, id",
                        {id(guild_id)}});
  statements.push_back({"SELECT o.channel_id, o.target_id, o.type, o.allow, o.deny FROM permission_overwrites o "
                        "JOIN channels c ON c.id = o.channel_id WHERE c.guild_id = $1 ORDER BY o.channel_id",
                        {id(guild_id)}});
  auto results = co_await pool.pipeline(std::move(statements));
  if (!results) co_return std::unexpected(results.error());
  std::vector<Channel> channels;
  std::map<std::uint64_t, std::size_t> index;
  for (int row = 0; row < (*results)[0].rows(); ++row) {
    channels.push_back(channelFromRow((*results)[0], row));
    index[channels.back().id] = channels.size() - 1;
  }
  const auto& overwrites = (*results)[1];
  for (int row = 0; row < overwrites.rows(); ++row) {
    const auto found = index.find(u64(overwrites, row, 0));
    if (found == index.end()) continue;
    auto one = overwritesFrom(overwrites, 1, row, row + 1);
    channels[found->second].overwrites.push_back(one.front());
  }
  co_return channels;
}

namespace {

// Checks and applies the fields of a channel input to `channel`; field errors collected.
void applyChannelInput(Channel& channel, ChannelInput& input, std::vector<core::FieldError>& errors) {
  if (input.type) {
    if (*input.type != 0 && *input.type != 2 && *input.type != 4) {
      errors.push_back({"type", "CHANNEL_TYPE_INVALID", "Use 0 (text), 2 (voice) or 4 (category)."});
    } else {
      channel.type = static_cast<ChannelType>(*input.type);
    }
  }
  if (input.name) {
    std::string name = channel.type == ChannelType::kText ? textChannelName(*input.name) : *input.name;
    if (auto error = checkName(name, "name", 1)) errors.push_back(*error);
    channel.name = name;
  }
  if (input.topic) {
    if (detail::codePoints(*input.topic) > 1024) {
      errors.push_back({"topic", "BASE_TYPE_MAX_LENGTH", "Must be 1024 characters or fewer."});
    }
    channel.topic = *input.topic;
  }
  if (input.position) channel.position = std::max(0, *input.position);
  if (input.rate_limit_per_user) {
    if (*input.rate_limit_per_user < 0 || *input.rate_limit_per_user > 21600) {
      errors.push_back({"rate_limit_per_user", "NUMBER_TYPE_MAX", "Must be between 0 and 21600 seconds."});
    }
    channel.rate_limit_per_user = *input.rate_limit_per_user;
  }
  if (input.bitrate) {
    if (*input.bitrate < 8000 || *input.bitrate > 96000) {
      errors.push_back({"bitrate", "NUMBER_TYPE_MAX", "Must be between 8000 and 96000."});
    }
    channel.bitrate = *input.bitrate;
  }
  if (input.user_limit) {
    if (*input.user_limit < 0 || *input.user_limit > 99) {
      errors.push_back({"user_limit", "NUMBER_TYPE_MAX", "Must be between 0 and 99."});
    }
    channel.user_limit = *input.user_limit;
  }
  if (input.nsfw) channel.nsfw = *input.nsfw;
}

// Whether the actor may write these overwrites: MANAGE_ROLES in the channel, and (unless
// administrator or owner) no bit they don't have there themselves; never server-only bits.
std::optional<core::Error> checkOverwrites(const GuildContext& context, const Channel& channel,
                                           const std::vector<Overwrite>& overwrites) {
  const Permissions mine = context.in(channel);
  const bool admin = context.isOwner() || (context.base() & perm::kAdministrator) != 0;
  if (!admin && (mine & perm::kManageRoles) == 0)
    return core::Error{ErrorCode::kMissingPermissions, "Missing Permissions"};
  for (const auto& overwrite : overwrites) {
    if (((overwrite.allow | overwrite.deny) & perm::serverOnly()) != 0) {
      return core::invalidFormBody(
          {{"permission_overwrites", "SERVER_ONLY_PERMISSION", "Server-wide permissions can't be set on a channel."}});
    }
    if (!admin && ((overwrite.allow | overwrite.deny) & ~mine) != 0) {
      return core::Error{ErrorCode::kMissingPermissions, "You can only set permissions you have yourself"};
    }
  }
  return std::nullopt;
}

void writeOverwrites(std::vector<store::Statement>& statements, std::uint64_t channel_id,
                     const std::vector<Overwrite>& overwrites) {
  statements.push_back({"DELETE FROM permission_overwrites WHERE channel_id = $1", {id(channel_id)}});
  for (const auto& overwrite : overwrites) {
    statements.push_back({"INSERT INTO permission_overwrites (channel_id, target_id, type, allow, deny) "
                          "VALUES ($1, $2, $3, $4, $5)",
                          {id(channel_id), id(overwrite.id), std::to_string(static_cast<int>(overwrite.type)),
                           bits(overwrite.allow), bits(overwrite.deny)}});
  }
}

std::vector<store::Statement> channelUpsert(const Channel& channel, bool insert) {
  std::vector<store::Statement> statements;
  const std::string sql =
      insert ? "INSERT INTO channels (id, guild_id, type, name, topic, position, parent_id, rate_limit_per_user, "
               "bitrate, user_limit, nsfw) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
             : "UPDATE channels SET guild_id = $2, type = $3, name = $4, topic = $5, position = $6, parent_id = $7, "
               "rate_limit_per_user = $8, bitrate = $9, user_limit = $10, nsfw = $11 WHERE id = $1";
  const bool voice = channel.type == ChannelType::kVoice;
  statements.push_back(
      {sql,
       {id(channel.id), id(channel.guild_id), std::to_string(static_cast<int>(channel.type)), channel.name,
        channel.topic.empty() ? std::nullopt : std::optional(channel.topic), std::to_string(channel.position),
        channel.parent_id == 0 ? std::nullopt : std::optional(id(channel.parent_id)),
        std::to_string(channel.rate_limit_per_user),
        voice ? std::optional(std::to_string(channel.bitrate)) : std::nullopt,
        voice ? std::optional(std::to_string(channel.user_limit)) : std::nullopt, channel.nsfw ? "true" : "false"}});
  return statements;
}

} // namespace

asio::awaitable<core::Result<Channel>> Guilds::createChannel(store::PgPool& pool, const GuildContext& context,
                                                             ChannelInput input) {
  if ((context.base() & perm::kManageChannels) == 0) co_return missingPermissions();
  Channel channel;
  channel.id = ids_.next();
  channel.guild_id = context.guild.id;
  std::vector<core::FieldError> errors;
  if (!input.name) errors.push_back({"name", "BASE_TYPE_REQUIRED", "This field is required"});
  applyChannelInput(channel, input, errors);
  if (!errors.empty()) co_return detail::formError(std::move(errors));
  if (channel.type == ChannelType::kVoice && channel.bitrate == 0) channel.bitrate = kDefaultBitrate;
  auto all = co_await channels(pool, context.guild.id);
  if (!all) co_return std::unexpected(all.error());
  if (all->size() >= kMaxChannels) co_return core::fail(ErrorCode::kMaxChannels, "Maximum number of channels reached");
  if (input.parent_id && *input.parent_id != 0) {
    const auto parent =
        std::find_if(all->begin(), all->end(), [&](const Channel& c) { return c.id == *input.parent_id; });
    if (parent == all->end() || parent->type != ChannelType::kCategory || channel.type == ChannelType::kCategory) {
      co_return fieldError("parent_id", "CHANNEL_PARENT_INVALID", "The parent must be a category of this server.");
    }
    if ((context.in(*parent) & perm::kManageChannels) == 0) co_return missingPermissions();
    channel.parent_id = parent->id;
    // A new channel in a category starts synced with it, unless it brings its own overwrites.
    if (!input.overwrites) channel.overwrites = parent->overwrites;
  }
  if (!input.position) {
    int last = -1;
    for (const auto& other : *all) {
      if (other.parent_id == channel.parent_id &&
          (other.type == ChannelType::kCategory) == (channel.type == ChannelType::kCategory))
        last = std::max(last, other.position);
    }
    channel.position = last + 1;
  }
  if (input.overwrites) {
    if (auto refused = checkOverwrites(context, channel, *input.overwrites)) co_return std::unexpected(*refused);
    channel.overwrites = *input.overwrites;
  }
  auto statements = channelUpsert(channel, true);
  writeOverwrites(statements, channel.id, channel.overwrites);
  auto written = co_await pool.pipeline(std::move(statements));
  if (!written) co_return std::unexpected(written.error());
  co_return channel;
}

asio::awaitable<core::Result<Changed<Channel>>> Guilds::updateChannel(store::PgPool& pool, const GuildContext& context,
                                                                      const Channel& channel, ChannelInput input) {
  if ((context.in(channel)&perm::kManageChannels) == 0) co_return missingPermissions();
  if (input.type && *input.type != static_cast<int>(channel.type)) {
    co_return fieldError("type", "CHANNEL_TYPE_IMMUTABLE", "A channel's type can't change.");
  }
  Changed<Channel> changed{channel, {}};
  std::vector<core::FieldError> errors;
  applyChannelInput(changed.value, input, errors);
  if (!errors.empty()) co_return detail::formError(std::move(errors));
  if (input.parent_id) {
    if (*input.parent_id == 0) {
      changed.value.parent_id = 0;
    } else {
      auto all = co_await channels(pool, context.guild.id);
      if (!all) co_return std::unexpected(all.error());
      const auto parent =
          std::find_if(all->begin(), all->end(), [&](const Channel& c) { return c.id == *input.parent_id; });
      if (parent == all->end() || parent->type != ChannelType::kCategory || channel.type == ChannelType::kCategory) {
        co_return fieldError("parent_id", "CHANNEL_PARENT_INVALID", "The parent must be a category of this server.");
      }
      changed.value.parent_id = parent->id;
      if (input.sync_with_parent) input.overwrites = parent->overwrites;
    }
  } else if (input.sync_with_parent && channel.parent_id != 0) {
    auto all = co_await channels(pool, context.guild.id);
    if (!all) co_return std::unexpected(all.error());
    const auto parent =
        std::find_if(all->begin(), all->end(), [&](const Channel& c) { return c.id == channel.parent_id; });
    if (parent != all->end()) input.overwrites = parent->overwrites;
  }
  if (input.overwrites) {
    if (auto refused = checkOverwrites(context, channel, *input.overwrites)) co_return std::unexpected(*refused);
    changed.value.overwrites = *input.overwrites;
    changed.changes.push_back({"permission_overwrites", "", ""});
  }
  const auto note = [&](std::string key, const std::string& before, const std::string& after) {
    if (before != after) changed.changes.push_back({std::move(key), before, after});
  };
  note("name", jsonString(channel.name), jsonString(changed.value.name));
  note("topic", jsonString(channel.topic), jsonString(changed.value.topic));
  note("position", std::to_string(channel.position), std::to_string(changed.value.position));
  note("parent_id", jsonString(id(channel.parent_id)), jsonString(id(changed.value.parent_id)));
  note("rate_limit_per_user", std::to_string(channel.rate_limit_per_user),
       std::to_string(changed.value.rate_limit_per_user));
  note("bitrate", std::to_string(channel.bitrate), std::to_string(changed.value.bitrate));
  note("user_limit", std::to_string(channel.user_limit), std::to_string(changed.value.user_limit));
  note("nsfw", channel.nsfw ? "true" : "false", changed.value.nsfw ? "true" : "false");
  auto statements = channelUpsert(changed.value, false);
  if (input.overwrites) writeOverwrites(statements, channel.id, changed.value.overwrites);
  auto written = co_await pool.pipeline(std::move(statements));
  if (!written) co_return std::unexpected(written.error());
  co_return changed;
}

asio::awaitable<core::Result<void>> Guilds::deleteChannel(store::PgPool& pool, const GuildContext& context,
                                                          const Channel& channel) {
  if ((context.in(channel)&perm::kManageChannels) == 0) co_return missingPermissions();
  store::Params params{id(channel.id)};
  auto deleted = co_await pool.query("DELETE FROM channels WHERE id = $1", std::move(params));
  if (!deleted) co_return std::unexpected(deleted.error());
  co_return core::Result<void>{};
}

asio::awaitable<core::Result<Channel>> Guilds::putOverwrite(store::PgPool& pool, const GuildContext& context,
                                                            const Channel& channel, Overwrite overwrite) {
  std::vector<Overwrite> updated = channel.overwrites;
  std::erase_if(updated, [&](const Overwrite& o) { return o.id == overwrite.id; });
  updated.push_back(overwrite);
  const std::vector<Overwrite> one{overwrite};
  if (auto refused = checkOverwrites(context, channel, one)) co_return std::unexpected(*refused);
  if (overwrite.type == OverwriteType::kRole && context.role(overwrite.id) == nullptr) co_return unknownRole();
  store::Params params{id(channel.id), id(overwrite.id), std::to_string(static_cast<int>(overwrite.type)),
                       bits(overwrite.allow), bits(overwrite.deny)};
  auto written = co_await pool.query("INSERT INTO permission_overwrites (channel_id, target_id, type, allow, deny) "
                                     "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (channel_id, target_id) DO UPDATE SET "
                                     "type = EXCLUDED.type, allow = EXCLUDED.allow, deny = EXCLUDED.deny",
                                     std::move(params));
  if (!written) co_return std::unexpected(written.error());
  Channel result = channel;
  result.overwrites = std::move(updated);
  co_return result;
}

asio::awaitable<core::Result<Channel>> Guilds::deleteOverwrite(store::PgPool& pool, const GuildContext& context,
                                                               const Channel& channel, std::uint64_t target_id) {
  if (auto refused = checkOverwrites(context, channel, {})) co_return std::unexpected(*refused);
  store::Params params{id(channel.id), id(target_id)};
  auto deleted = co_await pool.query("DELETE FROM permission_overwrites WHERE channel_id = $1 AND target_id = $2",
                                     std::move(params));
  if (!deleted) co_return std::unexpected(deleted.error());
  Channel result = channel;
  std::erase_if(result.overwrites, [&](const Overwrite& o) { return o.id == target_id; });
  co_return result;
}

asio::awaitable<core::Result<std::vector<Channel>>> Guilds::reorderChannels(store::PgPool& pool,
                                                                            const GuildContext& context,
                                                                            std::vector<ChannelInput> moves,
                                                                            std::vector<std::uint64_t> ids) {
  if ((context.base() & perm::kManageChannels) == 0) co_return missingPermissions();
  auto all = co_await channels(pool, context.guild.id);
  if (!all) co_return std::unexpected(all.error());
  std::vector<store::Statement> statements;
  for (std::size_t i = 0; i < moves.size() && i < ids.size(); ++i) {
    auto target = std::find_if(all->begin(), all->end(), [&](const Channel& c) { return c.id == ids[i]; });
    if (target == all->end() || (context.in(*target) & perm::kViewChannel) == 0) co_return unknownChannel();
    if (moves[i].position) target->position = std::max(0, *moves[i].position);
    if (moves[i].parent_id) {
      if (*moves[i].parent_id == 0) {
        target->parent_id = 0;
      } else {
        const auto parent =
            std::find_if(all->begin(), all->end(), [&](const Channel& c) { return c.id == *moves[i].parent_id; });
        if (parent == all->end() || parent->type != ChannelType::kCategory || target->type == ChannelType::kCategory) {
          co_return fieldError("parent_id", "CHANNEL_PARENT_INVALID", "The parent must be a category of this server.");
        }
        target->parent_id = parent->id;
      }
    }
    statements.push_back({"UPDATE channels SET position = $2, parent_id = $3 WHERE id = $1",
                          {id(target->id), std::to_string(target->position),
                           target->parent_id == 0 ? std::nullopt : std::optional(id(target->parent_id))}});
  }
  if (!statements.empty()) {
    auto written = co_await pool.pipeline(std::move(statements));
    if (!written) co_return std::unexpected(written.error());
  }
  co_return co_await channels(pool, context.guild.id);
}

namespace {

std::optional<core::FieldError> applyRoleInput(Role& role, RoleInput& input) {
  if (input.name) {
    std::string name = *input.name;
    if (auto error = checkName(name, "name", 1)) return error;
    role.name = name;
  }
  if (input.color) {
    if (*input.color < 0 || *input.color > 0xFFFFFF) {
      return core::FieldError{"color", "NUMBER_TYPE_MAX", "Must be an RGB colour (0 to 16777215)."};
    }
    role.color = *input.color;
  }
  if (input.hoist) role.hoist = *input.hoist;
  if (input.mentionable) role.mentionable = *input.mentionable;
  if (input.permissions) role.permissions = *input.permissions;
  return std::nullopt;
}

// MANAGE_ROLES, and (unless owner) the role ranks below the actor's highest role; new
// permissions only from those the actor has (administrators may grant any).
std::optional<core::Error> checkRoleManagement(const GuildContext& context, const Role* role, Permissions granted) {
  const Permissions mine = context.base();
  if ((mine & perm::kManageRoles) == 0) return core::Error{ErrorCode::kMissingPermissions, "Missing Permissions"};
  if (role != nullptr && role->id != context.guild.id && !context.isOwner() &&
      role->position >= context.highestPosition()) {
    return core::Error{ErrorCode::kMissingPermissions, "You can only manage roles below your highest role"};
  }
  const bool admin = context.isOwner() || (mine & perm::kAdministrator) != 0;
  if (!admin && (granted & ~mine) != 0) {
    return core::Error{ErrorCode::kMissingPermissions, "You can only grant permissions you have yourself"};
  }
  return std::nullopt;
}

} // namespace

asio::awaitable<core::Result<Role>> Guilds::createRole(store::PgPool& pool, const GuildContext& context,
                                                       RoleInput input) {
  Role role;
  role.id = ids_.next();
  role.guild_id = context.guild.id;
  role.name = "new role";
  role.position = 1;
  if (auto error = applyRoleInput(role, input)) co_return detail::formError({*error});
  if (auto refused = checkRoleManagement(context, nullptr, role.permissions)) co_return std::unexpected(*refused);
  if (context.roles.size() >= kMaxRoles) co_return core::fail(ErrorCode::kMaxRoles, "Maximum number of roles reached");
  // New roles go just above @everyone; the others move up one.
  std::vector<store::Statement> statements;
  statements.push_back(
      {"UPDATE roles SET position = position + 1 WHERE guild_id = $1 AND position >= 1", {id(context.guild.id)}});
  statements.push_back({"INSERT INTO roles (id, guild_id, name, color, hoist, mentionable, permissions, position) "
                        "VALUES ($1, $2, $3, $4, $5, $6, $7, 1)",
                        {id(role.id), id(role.guild_id), role.name, std::to_string(role.color),
                         role.hoist ? "true" : "false", role.mentionable ? "true" : "false", bits(role.permissions)}});
  auto written = co_await pool.pipeline(std::move(statements));
  if (!written) co_return std::unexpected(written.error());
  co_return role;
}

asio::awaitable<core::Result<Changed<Role>>> Guilds::updateRole(store::PgPool& pool, const GuildContext& context,
                                                                std::uint64_t role_id, RoleInput input) {
  const Role* existing = context.role(role_id);
  if (existing == nullptr) co_return unknownRole();
  Changed<Role> changed{*existing, {}};
  if (role_id == context.guild.id && input.name && *input.name != existing->name) {
    co_return fieldError("name", "EVERYONE_NAME_FIXED", "The @everyone role can't be renamed.");
  }
  if (auto error = applyRoleInput(changed.value, input)) co_return detail::formError({*error});
  const Permissions added = changed.value.permissions & ~existing->permissions;
  if (auto refused = checkRoleManagement(context, existing, added)) co_return std::unexpected(*refused);
  const auto note = [&](std::string key, const std::string& before, const std::string& after) {
    if (before != after) changed.changes.push_back({std::move(key), before, after});
  };
  note("name", jsonString(existing->name), jsonString(changed.value.name));
  note("color", std::to_string(existing->color), std::to_string(changed.value.color));
  note("hoist", existing->hoist ? "true" : "false", changed.value.hoist ? "true" : "false");
  note("mentionable", existing->mentionable ? "true" : "false", changed.value.mentionable ? "true" : "false");
  note("permissions", jsonString(permissionsToString(existing->permissions)),
       jsonString(permissionsToString(changed.value.permissions)));
  store::Params params{id(role_id),
                       changed.value.name,
                       std::to_string(changed.value.color),
                       changed.value.hoist ? "true" : "false",
                       changed.value.mentionable ? "true" : "false",
                       bits(changed.value.permissions)};
  auto written = co_await pool.query("UPDATE roles SET name = $2, color = $3, hoist = $4, mentionable = $5, "
                                     "permissions = $6 WHERE id = $1",
                                     std::move(params));
  if (!written) co_return std::unexpected(written.error());
  co_return changed;
}

asio::awaitable<core::Result<void>> Guilds::deleteRole(store::PgPool& pool, const GuildContext& context,
                                                       std::uint64_t role_id) {
  const Role* existing = context.role(role_id);
  if (existing == nullptr) co_return unknownRole();
  if (role_id == context.guild.id)
    co_return fieldError("role", "EVERYONE_FIXED", "The @everyone role can't be deleted.");
  if (auto refused = checkRoleManagement(context, existing, 0)) co_return std::unexpected(*refused);
  std::vector<store::Statement> statements;
  statements.push_back({"DELETE FROM roles WHERE id = $1", {id(role_id)}});
  statements.push_back({"DELETE FROM permission_overwrites WHERE target_id = $1 AND type = 0", {id(role_id)}});
  statements.push_back({"UPDATE roles SET position = position - 1 WHERE guild_id = $1 AND position > $2",
                        {id(context.guild.id), std::to_string(existing->position)}});
  auto written = co_await pool.pipeline(std::move(statements));
  if (!written) co_return std::unexpected(written.error());
  co_return core::Result<void>{};
}

asio::awaitable<core::Result<std::vector<Role>>>
Guilds::reorderRoles(store::PgPool& pool, const GuildContext& context,
                     std::vector<std::pair<std::uint64_t, int>> moves) {
  if ((context.base() & perm::kManageRoles) == 0) co_return missingPermissions();
  const int ceiling = context.highestPosition();
  // Work on the ordered list: take each moved role out, put it back at its position, renumber.
  std::vector<Role> order;
  for (const auto& role : context.roles)
    if (role.id != context.guild.id) order.push_back(role);
  std::sort(order.begin(), order.end(), [](const Role& a, const Role& b) { return a.position < b.position; });
  for (const auto& [role_id, position] : moves) {
    const Role* role = context.role(role_id);
    if (role == nullptr) co_return unknownRole();
    if (role_id == context.guild.id)
      co_return fieldError("id", "EVERYONE_FIXED", "The @everyone role stays at the bottom.");
    if (!context.isOwner() && (role->position >= ceiling || position >= ceiling)) {
      co_return core::fail(ErrorCode::kMissingPermissions, "You can only move roles below your highest role");
    }
    const auto at = std::find_if(order.begin(), order.end(), [&](const Role& r) { return r.id == role_id; });
    Role moved = *at;
    order.erase(at);
    const auto index = static_cast<std::size_t>(std::clamp(position - 1, 0, static_cast<int>(order.size())));
    order.insert(order.begin() + static_cast<std::ptrdiff_t>(index), moved);
  }
  std::vector<store::Statement> statements;
  for (std::size_t i = 0; i < order.size(); ++i) {
    order[i].position = static_cast<int>(i) + 1;
    statements.push_back({"UPDATE roles SET position = $2 WHERE id = $1", {id(order[i].id), std::to_string(i + 1)}});
  }
  if (!statements.empty()) {
    auto written = co_await pool.pipeline(std::move(statements));
    if (!written) co_return std::unexpected(written.error());
  }
  const Role* everyone = context.role(context.guild.id);
  if (everyone != nullptr) order.insert(order.begin(), *everyone);
  co_return order;
}

asio::awaitable<core::Result<void>> Guilds::audit(store::PgPool& pool, std::uint64_t guild_id, std::uint64_t actor,
                                                  std::uint64_t target, int action, std::string reason,
                                                  const std::vector<Change>& changes, std::string options_json) {
  store::Params params{id(ids_.next()),
                       id(guild_id),
                       id(actor),
                       target == 0 ? std::nullopt : std::optional(id(target)),
                       std::to_string(action),
                       reason.empty() ? std::nullopt : std::optional(reason.substr(0, 512)),
                       changesJson(changes),
                       options_json.empty() ? std::nullopt : std::optional(std::move(options_json))};
  auto written = co_await pool.query("INSERT INTO audit_log (id, guild_id, user_id, target_id, action_type, reason, "
                                     "changes, options) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb)",
                                     std::move(params));
  if (!written) co_return std::unexpected(written.error());
  co_return core::Result<void>{};
}

} // namespace hearth::domain
