#include "domain/reactions.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "domain/emoji.hpp"
#include "domain/internal.hpp"
#include "store/pg.hpp"

namespace hearth::domain {

namespace asio = boost::asio;
using core::ErrorCode;
using detail::id;
using detail::missingPermissions;
using detail::u64;

namespace {

std::unexpected<core::Error> unknownMessage() { return core::fail(ErrorCode::kUnknownMessage, "Unknown Message"); }
std::unexpected<core::Error> unknownEmoji() { return core::fail(ErrorCode::kUnknownEmoji, "Unknown Emoji"); }

bool has(Permissions permissions, Permissions bit) { return (permissions & bit) != 0; }

// Timed-out members can't react; the owner and administrators are never timed out in effect.
bool restrainedByTimeout(const GuildContext& context) {
  return context.timed_out && !context.isOwner() && !has(context.base(), perm::kAdministrator);
}

// Ends a transaction that changes nothing; a failure here only costs the connection.
asio::awaitable<void> rollback(store::PgLease& lease) {
  store::Params none;
  (void)co_await lease.query("ROLLBACK", std::move(none));
}

} // namespace

asio::awaitable<core::Result<ReactionChange>> Reactions::add(store::PgPool& pool, const GuildContext& context,
                                                             const Channel& channel, std::uint64_t message_id,
                                                             std::string emoji) {
  if (!isReactionEmoji(emoji)) co_return unknownEmoji();
  const Permissions permissions = context.in(channel);
  if (!has(permissions, perm::kReadMessageHistory) || restrainedByTimeout(context)) co_return missingPermissions();

  auto lease = co_await pool.acquire();
  if (!lease) co_return std::unexpected(lease.error());
  store::Params begin_params;
  auto begun = co_await lease->query("BEGIN", std::move(begin_params));
  if (!begun) co_return std::unexpected(begun.error());
  // Adders of one message queue on its row, so the distinct-emoji limit can't be overshot by
  // racing requests. The checks below run after the lock, on a fresh snapshot.
  store::Params lock_params{id(message_id), id(channel.id)};
  auto locked = co_await lease->query(
      "SELECT author_id FROM messages WHERE id = $1 AND channel_id = $2 FOR NO KEY UPDATE", std::move(lock_params));
  if (!locked) co_return std::unexpected(locked.error());
  if (locked->rows() == 0) {
    co_await rollback(*lease);
    co_return unknownMessage();
  }
  ReactionChange change;
  change.message_author_id = u64(*locked, 0, 0);
  store::Params state_params{id(message_id), emoji, id(context.user_id)};
  auto state = co_await lease->query(
      "SELECT EXISTS (SELECT 1 FROM reactions WHERE message_id = $1 AND emoji = $2 AND user_id = $3), "
      "EXISTS (SELECT 1 FROM reactions WHERE message_id = $1 AND emoji = $2)",
      std::move(state_params));
  if (!state) co_return std::unexpected(state.error());
  if (state->text(0, 0) == "t") {
    co_await rollback(*lease);
    co_return change; // already there: nothing happens
  }
  if (state->text(0, 1) != "t") {
    // A new emoji on the message: adding it is what ADD_REACTIONS allows; joining one is not.
    if (!has(permissions, perm::kAddReactions)) {
      co_await rollback(*lease);
      co_return missingPermissions();
    }
    store::Params count_params{id(message_id)};
    auto distinct = co_await lease->query("SELECT count(DISTINCT emoji) FROM reactions WHERE message_id = $1",
                                          std::move(count_params));
    if (!distinct) co_return std::unexpected(distinct.error());
    if (distinct->integer(0, 0).value_or(0) >= kMaxEmojiPerMessage) {
      co_await rollback(*lease);
      co_return core::fail(ErrorCode::kMaxReactions, "Maximum number of reactions reached (20)");
    }
  }
  store::Params insert_params{id(message_id), emoji, id(context.user_id)};
  auto inserted = co_await lease->query(
      "INSERT INTO reactions (message_id, emoji, user_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
      std::move(insert_params));
  if (!inserted) co_return std::unexpected(inserted.error());
  store::Params commit_params;
  auto committed = co_await lease->query("COMMIT", std::move(commit_params));
  if (!committed) co_return std::unexpected(committed.error());
  change.changed = inserted->affectedRows() == 1;
  co_return change;
}

asio::awaitable<core::Result<ReactionChange>> Reactions::remove(store::PgPool& pool, const GuildContext& context,
                                                                const Channel& channel, std::uint64_t message_id,
                                                                std::string emoji, std::uint64_t user_id) {
  if (!isReactionEmoji(emoji)) co_return unknownEmoji();
  const Permissions permissions = context.in(channel);
  if (!has(permissions, perm::kReadMessageHistory)) co_return missingPermissions();
  if (user_id != context.user_id && !has(permissions, perm::kManageMessages)) co_return missingPermissions();
  store::Params params{id(message_id), id(channel.id), emoji, id(user_id)};
  auto removed = co_await pool.query("WITH target AS (SELECT id, author_id FROM messages WHERE id = $1 AND "
                                     "channel_id = $2), gone AS (DELETE FROM reactions r USING target "
                                     "WHERE r.message_id = target.id AND r.emoji = $3 AND r.user_id = $4 "
                                     "RETURNING 1) SELECT (SELECT count(*) FROM target), (SELECT count(*) FROM gone), "
                                     "coalesce((SELECT author_id FROM target), 0)",
                                     std::move(params));
  if (!removed) co_return std::unexpected(removed.error());
  if (removed->integer(0, 0).value_or(0) == 0) co_return unknownMessage();
  co_return ReactionChange{removed->integer(0, 1).value_or(0) > 0, u64(*removed, 0, 2)};
}

asio::awaitable<core::Result<std::vector<UserSummary>>>
Reactions::users(store::PgPool& pool, const GuildContext& context, const Channel& channel, std::uint64_t message_id,
                 std::string emoji, std::uint64_t after, int limit) {
  if (!isReactionEmoji(emoji)) co_return unknownEmoji();
  if (!has(context.in(channel), perm::kReadMessageHistory)) co_return missingPermissions();
  limit = std::clamp(limit, 1, kMaxUserPage);
  std::vector<store::Statement> statements;
  statements.push_back({"SELECT 1 FROM messages WHERE id = $1 AND channel_id = $2", {id(message_id), id(channel.id)}});
  statements.push_back({"SELECT u.id, u.username, coalesce(u.display_name, ''), coalesce(u.avatar, '') "
                        "FROM reactions r JOIN users u ON u.id = r.user_id "
                        "WHERE r.message_id = $1 AND r.emoji = $2 AND r.user_id > $3 ORDER BY r.user_id LIMIT $4",
                        {id(message_id), emoji, id(after), std::to_string(limit)}});
  auto results = co_await pool.pipeline(std::move(statements));
  if (!results) co_return std::unexpected(results.error());
  if ((*results)[0].rows() == 0) co_return unknownMessage();
  const auto& rows = (*results)[1];
  std::vector<UserSummary> out;
  for (int row = 0; row < rows.rows(); ++row) {
    out.push_back({u64(rows, row, 0), std::string(rows.text(row, 1)), std::string(rows.text(row, 2)),
                   std::string(rows.text(row, 3))});
  }
  co_return out;
}

asio::awaitable<core::Result<bool>> Reactions::removeAll(store::PgPool& pool, const GuildContext& context,
                                                         const Channel& channel, std::uint64_t message_id) {
  const Permissions permissions = context.in(channel);
  if (!has(permissions, perm::kReadMessageHistory) || !has(permissions, perm::kManageMessages)) {
    co_return missingPermissions();
  }
  store::Params params{id(message_id), id(channel.id)};
  auto removed = co_await pool.query("WITH target AS (SELECT id FROM messages WHERE id = $1 AND channel_id = $2), "
                                     "gone AS (DELETE FROM reactions r USING target WHERE r.message_id = target.id "
                                     "RETURNING 1) SELECT (SELECT count(*) FROM target), (SELECT count(*) FROM gone)",
                                     std::move(params));
  if (!removed) co_return std::unexpected(removed.error());
  if (removed->integer(0, 0).value_or(0) == 0) co_return unknownMessage();
  co_return removed->integer(0, 1).value_or(0) > 0;
}

asio::awaitable<core::Result<bool>> Reactions::removeEmoji(store::PgPool& pool, const GuildContext& context,
                                                           const Channel& channel, std::uint64_t message_id,
                                                           std::string emoji) {
  if (!isReactionEmoji(emoji)) co_return unknownEmoji();
  const Permissions permissions = context.in(channel);
  if (!has(permissions, perm::kReadMessageHistory) || !has(permissions, perm::kManageMessages)) {
    co_return missingPermissions();
  }
  store::Params params{id(message_id), id(channel.id), emoji};
  auto removed = co_await pool.query("WITH target AS (SELECT id FROM messages WHERE id = $1 AND channel_id = $2), "
                                     "gone AS (DELETE FROM reactions r USING target WHERE r.message_id = target.id "
                                     "AND r.emoji = $3 RETURNING 1) "
                                     "SELECT (SELECT count(*) FROM target), (SELECT count(*) FROM gone)",
                                     std::move(params));
  if (!removed) co_return std::unexpected(removed.error());
  if (removed->integer(0, 0).value_or(0) == 0) co_return unknownMessage();
  co_return removed->integer(0, 1).value_or(0) > 0;
}

asio::awaitable<core::Result<std::vector<Message>>> Reactions::pins(store::PgPool& pool, const GuildContext& context,
                                                                    const Channel& channel) {
  if (!has(context.in(channel), perm::kReadMessageHistory)) co_return missingPermissions();
  store::Params params{id(channel.id), std::to_string(kMaxPins)};
  auto found = co_await pool.query("SELECT id FROM messages WHERE channel_id = $1 AND pinned "
                                   "ORDER BY pinned_at DESC, id DESC LIMIT $2",
                                   std::move(params));
  if (!found) co_return std::unexpected(found.error());
  std::vector<std::uint64_t> ids;
  for (int row = 0; row < found->rows(); ++row)
    ids.push_back(u64(*found, row, 0));
  co_return co_await messages_.byIds(pool, std::move(ids), context.user_id);
}

asio::awaitable<core::Result<PinChange>> Reactions::pin(store::PgPool& pool, const GuildContext& context,
                                                        const Channel& channel, std::uint64_t message_id,
                                                        std::string reason) {
  co_return co_await setPinned(pool, context, channel, message_id, true, std::move(reason));
}

asio::awaitable<core::Result<PinChange>> Reactions::unpin(store::PgPool& pool, const GuildContext& context,
                                                          const Channel& channel, std::uint64_t message_id,
                                                          std::string reason) {
  co_return co_await setPinned(pool, context, channel, message_id, false, std::move(reason));
}

asio::awaitable<core::Result<PinChange>> Reactions::setPinned(store::PgPool& pool, const GuildContext& context,
                                                              const Channel& channel, std::uint64_t message_id,
                                                              bool pinned, std::string reason) {
  // Discord now has PIN_MESSAGES for this; MANAGE_MESSAGES still grants it.
  const Permissions permissions = context.in(channel);
  if (!has(permissions, perm::kManageMessages) && !has(permissions, perm::kPinMessages)) {
    co_return missingPermissions();
  }
  PinChange change;
  std::uint64_t author_id = 0;
  {
    auto lease = co_await pool.acquire();
    if (!lease) co_return std::unexpected(lease.error());
    store::Params begin_params;
    auto begun = co_await lease->query("BEGIN", std::move(begin_params));
    if (!begun) co_return std::unexpected(begun.error());
    // Pin changes of one channel queue on its row: the 50-pin count can't be overshot, and
    // last_pin_timestamp is recomputed by one writer at a time.
    store::Params lock_params{id(channel.id)};
    auto locked =
        co_await lease->query("SELECT 1 FROM channels WHERE id = $1 FOR NO KEY UPDATE", std::move(lock_params));
    if (!locked) co_return std::unexpected(locked.error());
    store::Params state_params{id(message_id), id(channel.id)};
    auto state =
        co_await lease->query("SELECT author_id, pinned, (SELECT count(*) FROM messages "
                              "WHERE channel_id = $2 AND pinned) FROM messages WHERE id = $1 AND channel_id = $2",
                              std::move(state_params));
    if (!state) co_return std::unexpected(state.error());
    if (locked->rows() == 0 || state->rows() == 0) {
      co_await rollback(*lease);
      co_return unknownMessage();
    }
    author_id = u64(*state, 0, 0);
    if ((state->text(0, 1) == "t") == pinned) {
      co_await rollback(*lease);
      co_return change; // already as asked: nothing happens
    }
    if (pinned && state->integer(0, 2).value_or(0) >= kMaxPins) {
      co_await rollback(*lease);
      co_return core::fail(ErrorCode::kMaxPins, "Maximum number of pins reached (50)");
    }
    store::Params update_params{id(message_id), pinned ? "true" : "false"};
    auto updated = co_await lease->query("UPDATE messages SET pinned = $2::boolean, "
                                         "pinned_at = CASE WHEN $2::boolean THEN now() END WHERE id = $1",
                                         std::move(update_params));
    if (!updated) co_return std::unexpected(updated.error());
    // The channel's last_pin_timestamp: when its most recently pinned message still pinned was
    // pinned (null once none is).
    store::Params channel_params{id(channel.id)};
    auto stamped = co_await lease->query("UPDATE channels SET last_pin_timestamp = (SELECT max(pinned_at) FROM "
                                         "messages WHERE channel_id = $1 AND pinned) "
                                         "WHERE id = $1 RETURNING coalesce(to_json(last_pin_timestamp)#>>'{}', '')",
                                         std::move(channel_params));
    if (!stamped) co_return std::unexpected(stamped.error());
    store::Params commit_params;
    auto committed = co_await lease->query("COMMIT", std::move(commit_params));
    if (!committed) co_return std::unexpected(committed.error());
    change.changed = true;
    change.last_pin_timestamp = stamped->rows() == 0 ? std::string() : std::string(stamped->text(0, 0));
  } // the connection goes back to the pool before the audit entry and the reload

  if (channel.guild_id != 0) { // server channels have an audit log; DMs don't
    const std::string options = fmt::format(R"({{"channel_id":"{}","message_id":"{}"}})", channel.id, message_id);
    const std::vector<Change> no_changes;
    auto audited = co_await guilds_.audit(pool, channel.guild_id, context.user_id, author_id,
                                          pinned ? audit::kMessagePin : audit::kMessageUnpin, std::move(reason),
                                          no_changes, options);
    if (!audited) co_return std::unexpected(audited.error());
  }
  std::vector<std::uint64_t> ids{message_id};
  auto loaded = co_await messages_.byIds(pool, std::move(ids), context.user_id);
  if (!loaded) co_return std::unexpected(loaded.error());
  if (loaded->empty()) co_return unknownMessage(); // deleted in the meantime
  change.message = std::move(loaded->front());
  co_return change;
}

} // namespace hearth::domain
