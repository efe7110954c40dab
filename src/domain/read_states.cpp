#include "domain/read_states.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "domain/internal.hpp"
#include "store/pg.hpp"

namespace hearth::domain {

namespace asio = boost::asio;
using core::ErrorCode;
using detail::id;
using detail::u64;

namespace {

using store::idArray;

// Messages `m` that mention user $<user> directly, through one of the roles in $<roles>, or with
// @everyone/@here, not written by them. The first line repeats the messages_mentioning index's
// predicate so the planner can use that index.
std::string mentioning(int user, int roles) {
  return fmt::format("(m.mention_everyone OR m.mentions <> '{{}}' OR m.mention_roles <> '{{}}') "
                     "AND m.author_id <> ${0} AND (m.mention_everyone OR m.mentions @> ARRAY[${0}::bigint] "
                     "OR m.mention_roles && ${1}::bigint[])",
                     user, roles);
}

// The first message id of the moment the user joined the server (`mem`, a LEFT JOINed members
// row): mentions from before they were there don't count as unread. 0 outside servers.
constexpr const char* kJoinedFloor =
    "coalesce((((extract(epoch FROM mem.joined_at) * 1000)::bigint - 1420070400000) << 22), 0)";

// The first message id of the moment the user joined the thread (`t`, their thread_members row).
constexpr const char* kThreadJoinedFloor =
    "(((extract(epoch FROM t.join_timestamp) * 1000)::bigint - 1420070400000) << 22)";

// The roles a user holds across their servers (role ids are unique across servers).
std::vector<std::uint64_t> rolesOf(const std::vector<GuildSnapshot>& snapshots) {
  std::vector<std::uint64_t> out;
  for (const auto& snapshot : snapshots)
    out.insert(out.end(), snapshot.context.member_roles.begin(), snapshot.context.member_roles.end());
  return out;
}

bool carriesMessages(const Channel& channel) {
  return channel.type == ChannelType::kText || channel.type == ChannelType::kVoice;
}

std::string jsonStringOrNull(std::string_view text) { return text.empty() ? "null" : detail::jsonString(text); }

} // namespace

asio::awaitable<core::Result<Ack>> ReadStates::ack(store::PgPool& pool, const GuildContext& context,
                                                   const Channel& channel, std::uint64_t message_id, bool manual) {
  const std::string user = id(context.user_id);
  const std::string channel_id = id(channel.id);
  std::vector<store::Statement> statements;
  statements.push_back({"SELECT 1 FROM messages WHERE id = $1 AND channel_id = $2", {id(message_id), channel_id}});
  // Forward only, unless manual. The version comes from one sequence, so it grows per user.
  statements.push_back({"INSERT INTO read_states (user_id, channel_id, last_message_id) "
                        "SELECT $1::bigint, $2::bigint, $3::bigint "
                        "WHERE EXISTS (SELECT 1 FROM messages WHERE id = $3 AND channel_id = $2) "
                        "ON CONFLICT (user_id, channel_id) DO UPDATE SET last_message_id = EXCLUDED.last_message_id, "
                        "version = nextval('read_state_versions') "
                        "WHERE $4::boolean OR read_states.last_message_id < EXCLUDED.last_message_id "
                        "RETURNING version",
                        {user, channel_id, id(message_id), manual ? "true" : "false"}});
  statements.push_back({std::string("SELECT r.last_message_id, r.version, (SELECT count(*) FROM messages m "
                                    "WHERE m.channel_id = $2 AND m.id > greatest(r.last_message_id, ") +
                            kJoinedFloor + ") AND " + mentioning(1, 3) +
                            ") FROM read_states r LEFT JOIN members mem ON mem.guild_id = $4 AND mem.user_id = $1 "
                            "WHERE r.user_id = $1 AND r.channel_id = $2",
                        {user, channel_id, idArray(context.member_roles), id(channel.guild_id)}});
  auto results = co_await pool.pipeline(std::move(statements));
  if (!results) co_return std::unexpected(results.error());
  if ((*results)[0].rows() == 0) co_return core::fail(ErrorCode::kUnknownMessage, "Unknown Message");
  const auto& state = (*results)[2];
  Ack out;
  out.moved = (*results)[1].rows() > 0;
  if (state.rows() > 0) {
    out.message_id = u64(state, 0, 0);
    out.version = state.integer(0, 1).value_or(0);
    out.mention_count = detail::i32(state, 0, 2);
  }
  co_return out;
}

asio::awaitable<core::Result<PinsAck>> ReadStates::ackPins(store::PgPool& pool, const GuildContext& context,
                                                           const Channel& channel) {
  store::Params params{id(context.user_id), id(channel.id)};
  auto acked = co_await pool.query(
      "INSERT INTO read_states (user_id, channel_id, last_pin_timestamp) "
      "SELECT $1::bigint, c.id, c.last_pin_timestamp FROM channels c WHERE c.id = $2 "
      "ON CONFLICT (user_id, channel_id) DO UPDATE SET last_pin_timestamp = EXCLUDED.last_pin_timestamp, "
      "version = nextval('read_state_versions') "
      "WHERE read_states.last_pin_timestamp IS DISTINCT FROM EXCLUDED.last_pin_timestamp "
      "RETURNING version, coalesce(to_json(last_pin_timestamp)#>>'{}', '')",
      std::move(params));
  if (!acked) co_return std::unexpected(acked.error());
  PinsAck out;
  if (acked->rows() > 0) {
    out.moved = true;
    out.version = acked->integer(0, 0).value_or(0);
    out.timestamp = acked->text(0, 1);
  }
  co_return out;
}

asio::awaitable<core::Result<std::string>> ReadStates::readyJson(store::PgPool& pool, std::uint64_t user_id) {
  auto snapshots = co_await guilds_.snapshotsOf(pool, user_id);
  if (!snapshots) co_return std::unexpected(snapshots.error());
  co_return co_await readyJson(pool, user_id, *snapshots);
}

asio::awaitable<core::Result<std::string>> ReadStates::readyJson(store::PgPool& pool, std::uint64_t user_id,
                                                                 const std::vector<GuildSnapshot>& snapshots) {
  std::vector<std::uint64_t> visible;
  for (const auto& snapshot : snapshots) {
    for (const auto& channel : snapshot.channels) {
      if (carriesMessages(channel) && (snapshot.context.in(channel)&perm::kViewChannel) != 0)
        visible.push_back(channel.id);
    }
  }
  const std::string user = id(user_id);
  std::vector<store::Statement> statements;
  // Per visible channel: the marker, and the mentions after it (or since joining, without one):
  // a short range scan of the messages_mentioning index each.
  statements.push_back({std::string("SELECT c.id, coalesce(r.last_message_id, 0), "
                                    "coalesce(to_json(r.last_pin_timestamp)#>>'{}', ''), r.user_id IS NOT NULL, "
                                    "(SELECT count(*) FROM messages m WHERE m.channel_id = c.id "
                                    "AND m.id > greatest(coalesce(r.last_message_id, 0), ") +
                            kJoinedFloor + ") AND " + mentioning(1, 3) +
                            ") FROM channels c LEFT JOIN read_states r ON r.user_id = $1 AND r.channel_id = c.id "
                            "LEFT JOIN members mem ON mem.guild_id = c.guild_id AND mem.user_id = $1 "
                            "WHERE c.id = ANY($2::bigint[]) ORDER BY c.id",
                        {user, idArray(visible), idArray(rolesOf(snapshots))}});
  // Per thread the user is in whose parent they can see (a member passes the private-thread rule
  // of threadPermissions, so the parent's VIEW_CHANNEL decides; archived threads included), driven
  // by thread_members_user: the marker or, without one, the newest message from before they joined
  // (what they saw when joining), and the mentions after it (and after joining the server).
  statements.push_back({std::string("SELECT c.id, coalesce(r.last_message_id, (SELECT m.id FROM messages m "
                                    "WHERE m.channel_id >= c.id AND m.channel_id <= c.id AND m.id < ") +
                            kThreadJoinedFloor +
                            " ORDER BY m.channel_id, m.id DESC LIMIT 1), 0), "
                            "coalesce(to_json(r.last_pin_timestamp)#>>'{}', ''), true, " +
                            "(SELECT count(*) FROM messages m WHERE m.channel_id = c.id AND m.id > greatest(" +
                            "coalesce(r.last_message_id, " + kThreadJoinedFloor + " - 1), " + kJoinedFloor + ") AND " +
                            mentioning(1, 3) +
                            ") FROM thread_members t JOIN channels c ON c.id = t.thread_id AND c.type IN (11, 12) "
                            "LEFT JOIN read_states r ON r.user_id = $1 AND r.channel_id = c.id "
                            "LEFT JOIN members mem ON mem.guild_id = c.guild_id AND mem.user_id = $1 "
                            "WHERE t.user_id = $1 AND c.thread_parent_id = ANY($2::bigint[]) ORDER BY c.id",
                        {user, idArray(visible), idArray(rolesOf(snapshots))}});
  statements.push_back({"SELECT coalesce(max(version), 0) FROM read_states WHERE user_id = $1", {user}});
  auto results = co_await pool.pipeline(std::move(statements));
  if (!results) co_return std::unexpected(results.error());
  std::string entries;
  for (const int part : {0, 1}) {
    const auto& rows = (*results)[part];
    for (int row = 0; row < rows.rows(); ++row) {
      const bool marked = rows.text(row, 3) == "t";
      const auto mention_count = rows.integer(row, 4).value_or(0);
      if (!marked && mention_count == 0) continue;
      const auto last_message_id = u64(rows, row, 1);
      if (!entries.empty()) entries += ',';
      entries += fmt::format(R"({{"id":"{}","last_message_id":{},"mention_count":{},"last_pin_timestamp":{}}})",
                             u64(rows, row, 0), last_message_id == 0 ? "null" : "\"" + id(last_message_id) + "\"",
                             mention_count, jsonStringOrNull(rows.text(row, 2)));
    }
  }
  co_return fmt::format(R"({{"version":{},"partial":false,"entries":[{}]}})", (*results)[2].integer(0, 0).value_or(0),
                        entries);
}

asio::awaitable<core::Result<std::vector<Message>>> ReadStates::mentions(store::PgPool& pool, std::uint64_t user_id,
                                                                         MentionQuery query) {
  auto snapshots = co_await guilds_.snapshotsOf(pool, user_id);
  if (!snapshots) co_return std::unexpected(snapshots.error());
  std::vector<std::uint64_t> readable;
  for (const auto& snapshot : *snapshots) {
    if (query.guild_id != 0 && snapshot.context.guild.id != query.guild_id) continue;
    for (const auto& channel : snapshot.channels) {
      const Permissions permissions = snapshot.context.in(channel);
      if (carriesMessages(channel) && (permissions & perm::kViewChannel) != 0 &&
          (permissions & perm::kReadMessageHistory) != 0)
        readable.push_back(channel.id);
    }
  }
  if (readable.empty()) co_return std::vector<Message>();
  // ...and the threads they are in under those channels (a member passes a private thread's rule;
  // the parent's VIEW_CHANNEL and READ_MESSAGE_HISTORY decide).
  store::Params thread_params{id(user_id), idArray(readable)};
  auto threads = co_await pool.query("SELECT t.id FROM thread_members tm JOIN channels t ON t.id = tm.thread_id "
                                     "WHERE tm.user_id = $1 AND t.thread_parent_id = ANY($2::bigint[])",
                                     std::move(thread_params));
  if (!threads) co_return std::unexpected(threads.error());
  for (int row = 0; row < threads->rows(); ++row)
    readable.push_back(u64(*threads, row, 0));
  const std::vector<std::uint64_t> no_roles;
  const int limit = std::clamp(query.limit, 1, kMaxMentionPage);
  store::Params params{id(user_id),
                       idArray(readable),
                       idArray(query.roles ? rolesOf(*snapshots) : no_roles),
                       query.everyone ? "true" : "false",
                       query.before == 0 ? std::nullopt : std::optional(id(query.before)),
                       std::to_string(limit)};
  // Newest first per channel (a backward scan of messages_mentioning that stops after `limit`
  // matches), then across channels.
  const std::string sql =
      std::string("SELECT picked.id FROM channels c LEFT JOIN members mem ON mem.guild_id = c.guild_id AND "
                  "mem.user_id = $1 LEFT JOIN thread_members t ON t.thread_id = c.id AND t.user_id = $1 "
                  "CROSS JOIN LATERAL (SELECT m.id FROM messages m WHERE m.channel_id = c.id "
                  "AND ($5::bigint IS NULL OR m.id < $5) AND m.id > greatest(") +
      kJoinedFloor + ", coalesce(" + kThreadJoinedFloor + " - 1, 0))" +
      " AND (m.mention_everyone OR m.mentions <> '{}' OR m.mention_roles <> '{}') AND m.author_id <> $1 "
      "AND (($4::boolean AND m.mention_everyone) OR m.mentions @> ARRAY[$1::bigint] OR m.mention_roles && "
      "$3::bigint[]) "
      "ORDER BY m.id DESC LIMIT $6) picked WHERE c.id = ANY($2::bigint[]) ORDER BY picked.id DESC LIMIT $6";
  auto found = co_await pool.query(sql, std::move(params));
  if (!found) co_return std::unexpected(found.error());
  std::vector<std::uint64_t> ids;
  for (int row = 0; row < found->rows(); ++row)
    ids.push_back(u64(*found, row, 0));
  co_return co_await messages_.byIds(pool, std::move(ids), user_id);
}

} // namespace hearth::domain
