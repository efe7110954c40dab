#include "domain/relationships.hpp"

#include <algorithm>
#include <map>

#include "domain/internal.hpp"
#include "store/pg.hpp"

namespace hearth::domain {

namespace asio = boost::asio;
using core::ErrorCode;
using detail::id;
using detail::u64;

namespace {

std::unexpected<core::Error> refused() {
  return core::fail(ErrorCode::kFriendRequestRefused, "This user is not accepting friend requests");
}

std::optional<RelationshipType> typeOf(const store::PgResult& rows, int row, int column) {
  const auto value = rows.integer(row, column).value_or(0);
  if (value < 1 || value > 4) return std::nullopt;
  return static_cast<RelationshipType>(value);
}

} // namespace

core::Result<RelationshipPair> applyRelationship(RelationshipPair before, RelationshipAction action) {
  const bool they_block = before.theirs == RelationshipType::kBlocked;
  const std::optional<RelationshipType> their_block =
      they_block ? std::optional(RelationshipType::kBlocked) : std::nullopt;
  switch (action) {
  case RelationshipAction::kRequest:
    if (they_block) return refused();
    if (before.mine == RelationshipType::kFriend || before.mine == RelationshipType::kOutgoing) return before;
    if (before.mine == RelationshipType::kIncoming) {
      return RelationshipPair{RelationshipType::kFriend, RelationshipType::kFriend};
    }
    return RelationshipPair{RelationshipType::kOutgoing, RelationshipType::kIncoming};
  case RelationshipAction::kBlock: return RelationshipPair{RelationshipType::kBlocked, their_block};
  case RelationshipAction::kRemove: return RelationshipPair{std::nullopt, their_block};
  }
  return before;
}

asio::awaitable<core::Result<std::vector<Relationship>>> Relationships::list(store::PgPool& pool,
                                                                             std::uint64_t user_id) {
  store::Params params{id(user_id)};
  auto rows = co_await pool.query("SELECT r.other_id, u.username, coalesce(u.display_name, ''), "
                                  "coalesce(u.avatar, ''), r.type, to_json(r.since)#>>'{}' "
                                  "FROM relationships r JOIN users u ON u.id = r.other_id "
                                  "WHERE r.user_id = $1 AND u.deleted_at IS NULL ORDER BY r.since, r.other_id",
                                  std::move(params));
  if (!rows) co_return std::unexpected(rows.error());
  std::vector<Relationship> out;
  for (int row = 0; row < rows->rows(); ++row) {
    const auto type = typeOf(*rows, row, 4);
    if (!type) continue;
    out.push_back({{u64(*rows, row, 0), std::string(rows->text(row, 1)), std::string(rows->text(row, 2)),
                    std::string(rows->text(row, 3))},
                   *type,
                   std::string(rows->text(row, 5))});
  }
  co_return out;
}

asio::awaitable<core::Result<std::vector<RelationshipEvent>>>
Relationships::requestByUsername(store::PgPool& pool, std::uint64_t user_id, std::string username) {
  store::Params params{std::move(username)};
  auto found =
      co_await pool.query("SELECT id FROM users WHERE username = lower($1) AND deleted_at IS NULL", std::move(params));
  if (!found) co_return std::unexpected(found.error());
  if (found->rows() == 0) co_return core::fail(ErrorCode::kNoSuchUsername, "No user has that username");
  co_return co_await change(pool, user_id, u64(*found, 0, 0), RelationshipAction::kRequest);
}

asio::awaitable<core::Result<std::vector<RelationshipEvent>>>
Relationships::change(store::PgPool& pool, std::uint64_t user_id, std::uint64_t other_id, RelationshipAction action) {
  if (user_id == other_id) {
    if (action == RelationshipAction::kRequest) {
      co_return core::fail(ErrorCode::kCannotFriendSelf, "You can't send a friend request to yourself");
    }
    if (action == RelationshipAction::kBlock) {
      co_return detail::fieldError("user_id", "RELATIONSHIP_SELF", "You can't block yourself");
    }
    co_return std::vector<RelationshipEvent>{};
  }
  const std::string me = id(user_id);
  const std::string other = id(other_id);
  const std::string pair_key =
      "relationship:" + id(std::min(user_id, other_id)) + ":" + id(std::max(user_id, other_id));

  auto lease = co_await pool.acquire();
  if (!lease) co_return std::unexpected(lease.error());
  // The lock serializes every change to this pair (two users accepting each other at once, a
  // block racing a request); each later statement reads what committed before it was granted.
  std::vector<store::Statement> reads;
  reads.push_back({"BEGIN", {}});
  reads.push_back({"SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", {pair_key}});
  reads.push_back({"SELECT user_id, type FROM relationships WHERE (user_id = $1 AND other_id = $2) "
                   "OR (user_id = $2 AND other_id = $1)",
                   {me, other}});
  reads.push_back({"SELECT id, username, coalesce(display_name, ''), coalesce(avatar, ''), deleted_at IS NULL, "
                   "(SELECT count(*) FROM relationships r WHERE r.user_id = users.id AND r.type = 1) "
                   "FROM users WHERE id = $1 OR id = $2",
                   {me, other}});
  auto read = co_await lease->pipeline(std::move(reads));
  if (!read) co_return std::unexpected(read.error());
  const auto& rows = (*read)[2];
  const auto& users = (*read)[3];
  RelationshipPair before;
  for (int row = 0; row < rows.rows(); ++row) {
    (u64(rows, row, 0) == user_id ? before.mine : before.theirs) = typeOf(rows, row, 1);
  }
  std::map<std::uint64_t, UserSummary> summaries;
  std::map<std::uint64_t, std::int64_t> friend_counts;
  bool other_exists = false;
  for (int row = 0; row < users.rows(); ++row) {
    const std::uint64_t user = u64(users, row, 0);
    summaries[user] = {user, std::string(users.text(row, 1)), std::string(users.text(row, 2)),
                       std::string(users.text(row, 3))};
    friend_counts[user] = users.integer(row, 5).value_or(0);
    if (user == other_id) other_exists = users.text(row, 4) == "t";
  }

  // Refusals end the transaction before they are returned.
  std::optional<core::Error> refusal;
  auto after = applyRelationship(before, action);
  if (!other_exists && action != RelationshipAction::kRemove) {
    refusal = core::Error{ErrorCode::kUnknownUser, "Unknown User"};
  } else if (!after) {
    refusal = after.error();
  } else {
    const bool new_tie = (after->mine == RelationshipType::kFriend && before.mine != RelationshipType::kFriend) ||
                         (after->mine == RelationshipType::kOutgoing && before.mine != RelationshipType::kOutgoing);
    if (new_tie && friend_counts[user_id] >= kMaxFriends) {
      refusal = core::Error{ErrorCode::kMaxFriends, "Maximum number of friends reached (1000)"};
    } else if (new_tie && friend_counts[other_id] >= kMaxFriends) {
      refusal = refused().error();
    }
  }
  if (refusal) {
    store::Params no_params;
    auto ended = co_await lease->query("ROLLBACK", std::move(no_params));
    if (!ended) co_return std::unexpected(ended.error());
    co_return std::unexpected(std::move(*refusal));
  }

  // Writes: each side whose row changed gets its new type (with a new `since`) or loses its row.
  struct Side {
    std::uint64_t owner;
    std::uint64_t of;
    std::optional<RelationshipType> before;
    std::optional<RelationshipType> after;
  };
  const Side sides[] = {{user_id, other_id, before.mine, after->mine},
                        {other_id, user_id, before.theirs, after->theirs}};
  std::vector<store::Statement> writes;
  std::vector<const Side*> changed;
  for (const auto& side : sides) {
    if (side.before == side.after) continue;
    changed.push_back(&side);
    if (side.after) {
      writes.push_back({"INSERT INTO relationships (user_id, other_id, type) VALUES ($1, $2, $3) "
                        "ON CONFLICT (user_id, other_id) DO UPDATE SET type = EXCLUDED.type, since = now() "
                        "RETURNING to_json(since)#>>'{}'",
                        {id(side.owner), id(side.of), std::to_string(static_cast<int>(*side.after))}});
    } else {
      writes.push_back({"DELETE FROM relationships WHERE user_id = $1 AND other_id = $2 RETURNING ''",
                        {id(side.owner), id(side.of)}});
    }
  }
  writes.push_back({"COMMIT", {}});
  auto written = co_await lease->pipeline(std::move(writes));
  if (!written) co_return std::unexpected(written.error());

  std::vector<RelationshipEvent> events;
  for (std::size_t changed_idx = 0; changed_idx < changed.size(); ++changed_idx) {
    const Side& side = *changed[changed_idx];
    RelationshipEvent event;
    event.to = side.owner;
    event.added = side.after.has_value();
    event.relationship.user = summaries[side.of];
    event.relationship.user.id = side.of;
    event.relationship.type = side.after ? *side.after : *side.before;
    const auto& result = (*written)[changed_idx];
    if (event.added && result.rows() > 0) event.relationship.since = result.text(0, 0);
    events.push_back(std::move(event));
  }
  co_return events;
}

} // namespace hearth::domain
