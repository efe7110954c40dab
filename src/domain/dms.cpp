#include "domain/dms.hpp"

#include <algorithm>
#include <cctype>
#include <map>

#include <fmt/format.h>

#include "core/snowflake.hpp"
#include "domain/internal.hpp"
#include "store/pg.hpp"

namespace hearth::domain {

namespace asio = boost::asio;
using core::ErrorCode;
using detail::fieldError;
using detail::id;
using detail::u64;

namespace {

std::unexpected<core::Error> unknownChannel() { return core::fail(ErrorCode::kUnknownChannel, "Unknown Channel"); }
std::unexpected<core::Error> cannotMessage() {
  return core::fail(ErrorCode::kCannotMessageUser, "Cannot send messages to this user");
}
std::unexpected<core::Error> notAGroup() {
  return core::fail(ErrorCode::kCannotExecuteOnDm, "Cannot execute action on a DM channel");
}

using store::idArray;

} // namespace

GuildContext dmContext(std::uint64_t user_id, bool may_send) {
  GuildContext context;
  context.user_id = user_id;
  context.is_member = true;
  Role everyone;
  everyone.name = "@everyone";
  everyone.permissions = may_send ? kDmPermissions : kDmPermissions & ~perm::kSendMessages;
  context.roles.push_back(std::move(everyone));
  return context;
}

store::Statement dmAccessStatement(std::uint64_t channel_id, std::uint64_t user_id) {
  return {"SELECT EXISTS (SELECT 1 FROM channel_recipients WHERE channel_id = $1 AND user_id = $2), "
          "NOT EXISTS (SELECT 1 FROM channels c JOIN channel_recipients o ON o.channel_id = c.id AND o.user_id <> $2 "
          "JOIN users u ON u.id = o.user_id WHERE c.id = $1 AND c.type = 1 AND (u.deleted_at IS NOT NULL OR "
          "EXISTS (SELECT 1 FROM relationships b WHERE b.type = 2 AND ((b.user_id = $2 AND b.other_id = o.user_id) "
          "OR (b.user_id = o.user_id AND b.other_id = $2)))))",
          {id(channel_id), id(user_id)}};
}

DmAccess dmAccessFrom(const store::PgResult& rows) {
  if (rows.rows() == 0) return {};
  return {rows.text(0, 0) == "t", rows.text(0, 1) == "t"};
}

bool DmChannel::has(std::uint64_t user_id) const noexcept {
  return std::any_of(recipients.begin(), recipients.end(), [&](const UserSummary& user) { return user.id == user_id; });
}

asio::awaitable<core::Result<std::vector<DmChannel>>> Dms::load(store::PgPool& pool, std::string from_where,
                                                                std::vector<std::optional<std::string>> params) {
  // Most recent activity first: the last message's id, else the channel's own (both snowflakes).
  std::vector<store::Statement> statements;
  statements.push_back({"SELECT id, type, name, icon, owner_id, last_id FROM (SELECT c.id, c.type, c.name, "
                        "coalesce(c.icon, '') AS icon, coalesce(c.owner_id, 0) AS owner_id, "
                        "coalesce((SELECT m.id FROM messages m WHERE m.channel_id >= c.id AND m.channel_id <= c.id "
                        "ORDER BY m.channel_id, m.id DESC LIMIT 1), "
                        "0) AS last_id FROM " +
                            from_where + ") page ORDER BY greatest(last_id, id) DESC",
                        params});
  statements.push_back({"SELECT r.channel_id, u.id, u.username, coalesce(u.display_name, ''), coalesce(u.avatar, '') "
                        "FROM channel_recipients r JOIN users u ON u.id = r.user_id WHERE r.channel_id IN "
                        "(SELECT c.id FROM " +
                            from_where + ") ORDER BY r.channel_id, r.added_at, r.user_id",
                        std::move(params)});
  auto results = co_await pool.pipeline(std::move(statements));
  if (!results) co_return std::unexpected(results.error());
  const auto& channels = (*results)[0];
  const auto& recipients = (*results)[1];
  std::vector<DmChannel> out;
  std::map<std::uint64_t, std::size_t> index;
  for (int row = 0; row < channels.rows(); ++row) {
    DmChannel channel;
    channel.id = u64(channels, row, 0);
    channel.type = static_cast<ChannelType>(detail::i32(channels, row, 1));
    channel.name = channels.text(row, 2);
    channel.icon = channels.text(row, 3);
    channel.owner_id = u64(channels, row, 4);
    channel.last_message_id = u64(channels, row, 5);
    index[channel.id] = out.size();
    out.push_back(std::move(channel));
  }
  for (int row = 0; row < recipients.rows(); ++row) {
    const auto found = index.find(u64(recipients, row, 0));
    if (found == index.end()) continue;
    out[found->second].recipients.push_back({u64(recipients, row, 1), std::string(recipients.text(row, 2)),
                                             std::string(recipients.text(row, 3)),
                                             std::string(recipients.text(row, 4))});
  }
  co_return out;
}

asio::awaitable<core::Result<DmChannel>> Dms::get(store::PgPool& pool, std::uint64_t channel_id) {
  std::vector<std::optional<std::string>> params{id(channel_id)};
  std::string from_where = "channels c WHERE c.id = $1 AND c.type IN (1, 3)";
  auto found = co_await load(pool, std::move(from_where), std::move(params));
  if (!found) co_return std::unexpected(found.error());
  if (found->empty()) co_return unknownChannel();
  co_return std::move(found->front());
}

asio::awaitable<core::Result<std::vector<DmChannel>>> Dms::openChannels(store::PgPool& pool, std::uint64_t user_id) {
  std::vector<std::optional<std::string>> params{id(user_id)};
  std::string from_where = "channel_recipients me JOIN channels c ON c.id = me.channel_id "
                           "WHERE me.user_id = $1 AND me.open AND c.type IN (1, 3)";
  co_return co_await load(pool, std::move(from_where), std::move(params));
}

asio::awaitable<core::Result<OpenedDm>> Dms::open(store::PgPool& pool, std::uint64_t user_id,
                                                  std::uint64_t recipient_id) {
  if (user_id == recipient_id) {
    co_return fieldError("recipient_id", "DM_SELF", "You can't open a DM with yourself");
  }
  const std::string me = id(user_id);
  const std::string other = id(recipient_id);
  store::Params standing_params{me, other};
  auto standing = co_await pool.query(
      "SELECT coalesce((SELECT deleted_at IS NULL FROM users WHERE id = $2), false), "
      "EXISTS (SELECT 1 FROM relationships WHERE type = 2 AND ((user_id = $1 AND other_id = $2) OR "
      "(user_id = $2 AND other_id = $1))), "
      "EXISTS (SELECT 1 FROM relationships WHERE user_id = $1 AND other_id = $2 AND type = 1), "
      "EXISTS (SELECT 1 FROM members a JOIN members b ON b.guild_id = a.guild_id WHERE a.user_id = $1 "
      "AND b.user_id = $2), "
      "coalesce((SELECT channel_id FROM dm_pairs WHERE user_low = least($1::bigint, $2::bigint) "
      "AND user_high = greatest($1::bigint, $2::bigint)), 0)",
      std::move(standing_params));
  if (!standing) co_return std::unexpected(standing.error());
  const bool exists = standing->text(0, 0) == "t";
  const bool blocked = standing->text(0, 1) == "t";
  const bool friends = standing->text(0, 2) == "t";
  const bool share_server = standing->text(0, 3) == "t";
  std::uint64_t channel_id = u64(*standing, 0, 4);
  if (!exists || blocked) co_return cannotMessage();
  if (channel_id == 0) {
    if (!friends && !share_server) co_return cannotMessage();
    // Racing opens of the same pair meet on dm_pairs' key: the loser inserts nothing and reads
    // the winner's channel. The other recipient sees it once a message arrives.
    store::Params create_params{me, other, id(ids_.next())};
    auto created = co_await pool.query(
        "WITH pair AS (INSERT INTO dm_pairs (user_low, user_high, channel_id) VALUES (least($1::bigint, $2::bigint), "
        "greatest($1::bigint, $2::bigint), $3) ON CONFLICT DO NOTHING RETURNING channel_id), "
        "made AS (INSERT INTO channels (id, type, name) SELECT channel_id, 1, '' FROM pair RETURNING id), "
        "joined AS (INSERT INTO channel_recipients (channel_id, user_id, open, added_at) SELECT made.id, v.user_id, "
        "v.open, now() + v.n * interval '1 microsecond' FROM made, (VALUES ($1::bigint, true, 0), "
        "($2::bigint, false, 1)) AS v (user_id, open, n) RETURNING channel_id) "
        "SELECT channel_id FROM pair",
        std::move(create_params));
    if (!created) co_return std::unexpected(created.error());
    if (created->rows() == 1) {
      auto channel = co_await get(pool, u64(*created, 0, 0));
      if (!channel) co_return std::unexpected(channel.error());
      co_return OpenedDm{std::move(*channel), true};
    }
    store::Params pair_params{me, other};
    auto existing = co_await pool.query("SELECT channel_id FROM dm_pairs WHERE user_low = least($1::bigint, "
                                        "$2::bigint) AND user_high = greatest($1::bigint, $2::bigint)",
                                        std::move(pair_params));
    if (!existing) co_return std::unexpected(existing.error());
    if (existing->rows() == 0) co_return core::fail(ErrorCode::kDatabase, "The DM could not be opened");
    channel_id = u64(*existing, 0, 0);
  }
  store::Params reopen_params{id(channel_id), me};
  auto reopened = co_await pool.query(
      "UPDATE channel_recipients SET open = true WHERE channel_id = $1 AND user_id = $2 AND NOT open",
      std::move(reopen_params));
  if (!reopened) co_return std::unexpected(reopened.error());
  auto channel = co_await get(pool, channel_id);
  if (!channel) co_return std::unexpected(channel.error());
  co_return OpenedDm{std::move(*channel), reopened->affectedRows() == 1};
}

asio::awaitable<core::Result<DmChannel>> Dms::createGroup(store::PgPool& pool, std::uint64_t owner_id,
                                                          std::vector<std::uint64_t> recipient_ids) {
  std::vector<std::uint64_t> others;
  for (const auto user : recipient_ids) {
    if (std::find(others.begin(), others.end(), user) == others.end()) others.push_back(user);
  }
  if (others.empty() || others.size() > kMaxGroupRecipients - 1) {
    co_return fieldError("recipients", "BASE_TYPE_BAD_LENGTH",
                         fmt::format("Must be between 1 and {} in length.", kMaxGroupRecipients - 1));
  }
  if (std::find(others.begin(), others.end(), owner_id) != others.end()) {
    co_return fieldError("recipients", "RECIPIENT_SELF", "List the others only, not yourself.");
  }
  store::Params friend_params{id(owner_id), idArray(others)};
  auto friends = co_await pool.query("SELECT count(*) FROM relationships r JOIN users u ON u.id = r.other_id "
                                     "AND u.deleted_at IS NULL WHERE r.user_id = $1 AND r.type = 1 "
                                     "AND r.other_id = ANY($2::bigint[])",
                                     std::move(friend_params));
  if (!friends) co_return std::unexpected(friends.error());
  if (static_cast<std::size_t>(friends->integer(0, 0).value_or(0)) != others.size()) co_return cannotMessage();
  const std::uint64_t channel_id = ids_.next();
  std::vector<std::uint64_t> everyone{owner_id};
  everyone.insert(everyone.end(), others.begin(), others.end());
  std::vector<store::Statement> statements;
  statements.push_back(
      {"INSERT INTO channels (id, type, name, owner_id) VALUES ($1, 3, '', $2)", {id(channel_id), id(owner_id)}});
  // Join order is the owner first, then the list's order: it decides who inherits ownership.
  statements.push_back({"INSERT INTO channel_recipients (channel_id, user_id, added_at) SELECT $1, u.id, "
                        "now() + u.n * interval '1 microsecond' FROM unnest($2::bigint[]) WITH ORDINALITY AS u (id, n)",
                        {id(channel_id), idArray(everyone)}});
  auto inserted = co_await pool.pipeline(std::move(statements));
  if (!inserted) co_return std::unexpected(inserted.error());
  co_return co_await get(pool, channel_id);
}

asio::awaitable<core::Result<std::pair<DmChannel, DmChannel>>>
Dms::updateGroup(store::PgPool& pool, std::uint64_t channel_id, std::uint64_t user_id, GroupInput input) {
  auto before = co_await get(pool, channel_id);
  if (!before) co_return std::unexpected(before.error());
  if (!before->has(user_id)) co_return unknownChannel();
  if (!before->isGroup()) co_return notAGroup();
  std::optional<std::string> name;
  if (input.name) {
    std::string text = *input.name;
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())) != 0)
      text.erase(text.begin());
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())) != 0)
      text.pop_back();
    if (detail::codePoints(text) > kMaxGroupName || text.find_first_of("\r\n") != std::string::npos) {
      co_return fieldError("name", "BASE_TYPE_BAD_LENGTH",
                           fmt::format("Must be {} or fewer in length, on one line.", kMaxGroupName));
    }
    name = std::move(text);
  }
  store::Params params{id(channel_id), name, input.icon_hash ? "true" : "false", input.icon_hash.value_or("")};
  auto updated = co_await pool.query("UPDATE channels SET name = coalesce($2, name), "
                                     "icon = CASE WHEN $3::boolean THEN nullif($4, '') ELSE icon END "
                                     "WHERE id = $1 AND type = 3",
                                     std::move(params));
  if (!updated) co_return std::unexpected(updated.error());
  auto after = co_await get(pool, channel_id);
  if (!after) co_return std::unexpected(after.error());
  co_return std::pair{std::move(*before), std::move(*after)};
}

asio::awaitable<core::Result<GroupChange>> Dms::addRecipient(store::PgPool& pool, std::uint64_t channel_id,
                                                             std::uint64_t actor_id, std::uint64_t user_id) {
  auto lease = co_await pool.acquire();
  if (!lease) co_return std::unexpected(lease.error());
  // The channel row's lock serializes membership changes, so the cap holds under races.
  std::vector<store::Statement> reads;
  reads.push_back({"BEGIN", {}});
  reads.push_back({"SELECT type FROM channels WHERE id = $1 FOR UPDATE", {id(channel_id)}});
  reads.push_back({"SELECT user_id FROM channel_recipients WHERE channel_id = $1", {id(channel_id)}});
  reads.push_back({"SELECT EXISTS (SELECT 1 FROM relationships r JOIN users u ON u.id = r.other_id "
                   "AND u.deleted_at IS NULL WHERE r.user_id = $1 AND r.other_id = $2 AND r.type = 1)",
                   {id(actor_id), id(user_id)}});
  auto read = co_await lease->pipeline(std::move(reads));
  if (!read) co_return std::unexpected(read.error());
  const auto& channel = (*read)[1];
  std::vector<std::uint64_t> recipients;
  for (int row = 0; row < (*read)[2].rows(); ++row)
    recipients.push_back(u64((*read)[2], row, 0));
  const auto in = [&](std::uint64_t user) {
    return std::find(recipients.begin(), recipients.end(), user) != recipients.end();
  };
  std::optional<core::Error> refusal;
  bool already = false;
  if (channel.rows() == 0 || !in(actor_id)) {
    refusal = unknownChannel().error();
  } else if (detail::i32(channel, 0, 0) != static_cast<int>(ChannelType::kGroupDm)) {
    refusal = notAGroup().error();
  } else if (in(user_id)) {
    already = true;
  } else if ((*read)[3].text(0, 0) != "t") {
    refusal = cannotMessage().error();
  } else if (recipients.size() >= kMaxGroupRecipients) {
    refusal = core::Error{ErrorCode::kMaxRecipients, "Maximum number of recipients reached (10)"};
  }
  if (refusal || already) {
    store::Params no_params;
    auto ended = co_await lease->query("ROLLBACK", std::move(no_params));
    if (!ended) co_return std::unexpected(ended.error());
    if (refusal) co_return std::unexpected(std::move(*refusal));
  } else {
    std::vector<store::Statement> writes;
    writes.push_back(
        {"INSERT INTO channel_recipients (channel_id, user_id) VALUES ($1, $2)", {id(channel_id), id(user_id)}});
    writes.push_back({"COMMIT", {}});
    auto written = co_await lease->pipeline(std::move(writes));
    if (!written) co_return std::unexpected(written.error());
  }
  auto after = co_await get(pool, channel_id);
  if (!after) co_return std::unexpected(after.error());
  GroupChange change;
  change.changed = !already;
  change.user = {user_id, "", "", ""};
  for (const auto& user : after->recipients) {
    if (user.id == user_id) change.user = user;
  }
  change.before = *after;
  if (!already) std::erase_if(change.before.recipients, [&](const UserSummary& user) { return user.id == user_id; });
  change.after = std::move(*after);
  co_return change;
}

asio::awaitable<core::Result<GroupChange>> Dms::removeRecipient(store::PgPool& pool, std::uint64_t channel_id,
                                                                std::uint64_t actor_id, std::uint64_t user_id) {
  auto before = co_await get(pool, channel_id);
  if (!before) co_return std::unexpected(before.error());
  auto lease = co_await pool.acquire();
  if (!lease) co_return std::unexpected(lease.error());
  std::vector<store::Statement> reads;
  reads.push_back({"BEGIN", {}});
  reads.push_back({"SELECT type, coalesce(owner_id, 0) FROM channels WHERE id = $1 FOR UPDATE", {id(channel_id)}});
  reads.push_back(
      {"SELECT user_id FROM channel_recipients WHERE channel_id = $1 ORDER BY added_at, user_id", {id(channel_id)}});
  auto read = co_await lease->pipeline(std::move(reads));
  if (!read) co_return std::unexpected(read.error());
  const auto& channel = (*read)[1];
  std::vector<std::uint64_t> recipients;
  for (int row = 0; row < (*read)[2].rows(); ++row)
    recipients.push_back(u64((*read)[2], row, 0));
  const auto in = [&](std::uint64_t user) {
    return std::find(recipients.begin(), recipients.end(), user) != recipients.end();
  };
  std::optional<core::Error> refusal;
  const std::uint64_t owner = channel.rows() == 0 ? 0 : u64(channel, 0, 1);
  if (channel.rows() == 0 || !in(actor_id)) {
    refusal = unknownChannel().error();
  } else if (detail::i32(channel, 0, 0) != static_cast<int>(ChannelType::kGroupDm)) {
    refusal = notAGroup().error();
  } else if (!in(user_id)) {
    refusal = core::Error{ErrorCode::kUnknownUser, "Unknown User"};
  } else if (user_id != actor_id && actor_id != owner) {
    refusal = detail::missingPermissions().error();
  }
  if (refusal) {
    store::Params no_params;
    auto ended = co_await lease->query("ROLLBACK", std::move(no_params));
    if (!ended) co_return std::unexpected(ended.error());
    co_return std::unexpected(std::move(*refusal));
  }
  std::erase(recipients, user_id);
  GroupChange change;
  change.before = std::move(*before);
  change.user = {user_id, "", "", ""};
  for (const auto& user : change.before.recipients) {
    if (user.id == user_id) change.user = user;
  }
  std::vector<store::Statement> writes;
  if (recipients.empty()) {
    // The last one out: the group and its messages go.
    writes.push_back({"DELETE FROM channels WHERE id = $1", {id(channel_id)}});
    change.deleted = true;
  } else {
    writes.push_back(
        {"DELETE FROM channel_recipients WHERE channel_id = $1 AND user_id = $2", {id(channel_id), id(user_id)}});
    if (user_id == owner) {
      writes.push_back({"UPDATE channels SET owner_id = $2 WHERE id = $1", {id(channel_id), id(recipients.front())}});
      change.owner_changed = true;
    }
  }
  writes.push_back({"COMMIT", {}});
  auto written = co_await lease->pipeline(std::move(writes));
  if (!written) co_return std::unexpected(written.error());
  if (!change.deleted) {
    auto after = co_await get(pool, channel_id);
    if (!after) co_return std::unexpected(after.error());
    change.after = std::move(*after);
  } else {
    change.after = change.before;
    change.after.recipients.clear();
  }
  co_return change;
}

asio::awaitable<core::Result<GroupChange>> Dms::close(store::PgPool& pool, std::uint64_t channel_id,
                                                      std::uint64_t user_id) {
  auto channel = co_await get(pool, channel_id);
  if (!channel) co_return std::unexpected(channel.error());
  if (!channel->has(user_id)) co_return unknownChannel();
  if (channel->isGroup()) co_return co_await removeRecipient(pool, channel_id, user_id, user_id);
  store::Params params{id(channel_id), id(user_id)};
  auto closed = co_await pool.query(
      "UPDATE channel_recipients SET open = false WHERE channel_id = $1 AND user_id = $2 AND open", std::move(params));
  if (!closed) co_return std::unexpected(closed.error());
  GroupChange change;
  change.changed = closed->affectedRows() == 1;
  for (const auto& user : channel->recipients) {
    if (user.id == user_id) change.user = user;
  }
  change.after = *channel;
  change.before = std::move(*channel);
  co_return change;
}

asio::awaitable<core::Result<std::vector<std::uint64_t>>> Dms::reopen(store::PgPool& pool, std::uint64_t channel_id) {
  store::Params params{id(channel_id)};
  auto reopened = co_await pool.query(
      "UPDATE channel_recipients SET open = true WHERE channel_id = $1 AND NOT open RETURNING user_id",
      std::move(params));
  if (!reopened) co_return std::unexpected(reopened.error());
  std::vector<std::uint64_t> out;
  for (int row = 0; row < reopened->rows(); ++row)
    out.push_back(u64(*reopened, row, 0));
  co_return out;
}

} // namespace hearth::domain
