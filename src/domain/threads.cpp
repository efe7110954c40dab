#include "domain/threads.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/snowflake.hpp"
#include "domain/internal.hpp"
#include "domain/members.hpp"
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

std::unexpected<core::Error> unknownChannel() { return core::fail(ErrorCode::kUnknownChannel, "Unknown Channel"); }
std::unexpected<core::Error> unknownMember() { return core::fail(ErrorCode::kUnknownMember, "Unknown Member"); }
std::unexpected<core::Error> archivedError() {
  return core::fail(ErrorCode::kThreadArchived, "Cannot perform this operation on an archived thread");
}

// When an unarchived thread reads as archived: its last activity plus its auto-archive duration.
const std::string& deadline() {
  static const std::string sql = "(c.last_activity_at + make_interval(mins => c.auto_archive_duration))";
  return sql;
}
// Archived by someone, or inactive for its duration (computed on read; nothing sweeps).
const std::string& archivedNow() {
  static const std::string sql = "(c.archived OR " + deadline() + " <= now())";
  return sql;
}
// When it was archived: by someone (archive_timestamp), else when its duration ran out.
const std::string& archiveAt() {
  static const std::string sql =
      "(CASE WHEN NOT c.archived AND " + deadline() + " <= now() THEN " + deadline() + " ELSE c.archive_timestamp END)";
  return sql;
}

// A thread row of `channels c`, columns 0-15 (threadFromRow). Counts are computed, never stored,
// so deleted messages and departed members can't leave them stale.
const std::string& threadColumns() {
  static const std::string sql =
      "c.id, c.guild_id, c.type, c.name, coalesce(c.parent_id, 0) AS parent_id, c.rate_limit_per_user, "
      "coalesce(c.owner_id, 0) AS owner_id, " +
      archivedNow() + " AS archived_now, c.auto_archive_duration, to_json(" + archiveAt() +
      ")#>>'{}' AS archive_ts, c.locked, c.invitable, to_json(c.created_at)#>>'{}' AS created, "
      "coalesce((SELECT m.id FROM messages m WHERE m.channel_id >= c.id AND m.channel_id <= c.id ORDER BY "
      "m.channel_id, m.id DESC LIMIT 1), "
      "0) AS last_message_id, "
      "(SELECT count(*) FROM messages m WHERE m.channel_id = c.id) AS message_count, "
      "(SELECT count(*) FROM thread_members t WHERE t.thread_id = c.id) AS member_count";
  return sql;
}

// The viewer's membership (a join of thread_members `me`) as columns 16-18 after threadColumns().
std::string membershipColumns() {
  return "me.user_id IS NOT NULL AS joined, coalesce(to_json(me.join_timestamp)#>>'{}', '') AS join_ts, "
         "coalesce(me.flags, 0) AS member_flags";
}

Channel threadFromRow(const store::PgResult& rows, int row) {
  Channel channel;
  channel.id = u64(rows, row, 0);
  channel.guild_id = u64(rows, row, 1);
  channel.type = static_cast<ChannelType>(i32(rows, row, 2));
  channel.name = rows.text(row, 3);
  channel.parent_id = u64(rows, row, 4);
  channel.rate_limit_per_user = i32(rows, row, 5);
  ThreadState state;
  state.owner_id = u64(rows, row, 6);
  state.archived = rows.text(row, 7) == "t";
  state.auto_archive_duration = i32(rows, row, 8);
  state.archive_timestamp = rows.text(row, 9);
  state.locked = rows.text(row, 10) == "t";
  state.invitable = rows.text(row, 11) == "t";
  state.create_timestamp = rows.text(row, 12);
  state.last_message_id = u64(rows, row, 13);
  state.message_count = i32(rows, row, 14);
  state.member_count = i32(rows, row, 15);
  channel.thread = std::move(state);
  return channel;
}

// Columns 16-18 (membershipColumns) of a row: the viewer's membership, if any.
std::optional<ThreadMember> membershipFromRow(const store::PgResult& rows, int row, std::uint64_t thread_id,
                                              std::uint64_t user_id) {
  if (rows.text(row, 16) != "t") return std::nullopt;
  return ThreadMember{thread_id, user_id, std::string(rows.text(row, 17)), i32(rows, row, 18)};
}

std::vector<std::uint64_t> parseIdList(std::string_view text) {
  std::vector<std::uint64_t> out;
  while (!text.empty()) {
    const auto comma = text.find(',');
    if (auto parsed = core::parseSnowflake(text.substr(0, comma))) out.push_back(*parsed);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

using store::idArray;

const std::string& stateSql() {
  static const std::string sql =
      "SELECT " + threadColumns() +
      ", CASE WHEN c.type = 12 THEN coalesce((SELECT string_agg(t.user_id::text, ',') FROM thread_members t "
      "WHERE t.thread_id = c.id), '') ELSE '' END FROM channels c WHERE c.id = $1 AND c.type IN (11, 12)";
  return sql;
}

// Names: 1-100 characters after trimming, on one line.
std::optional<core::FieldError> checkName(std::string& name) {
  while (!name.empty() && std::isspace(static_cast<unsigned char>(name.front())) != 0)
    name.erase(name.begin());
  while (!name.empty() && std::isspace(static_cast<unsigned char>(name.back())) != 0)
    name.pop_back();
  const std::size_t length = detail::codePoints(name);
  if (length < 1 || length > Threads::kMaxName || name.find_first_of("\r\n") != std::string::npos) {
    return core::FieldError{"name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length."};
  }
  return std::nullopt;
}

std::optional<core::FieldError> checkSlowmode(int seconds) {
  if (seconds < 0 || seconds > 21600) {
    return core::FieldError{"rate_limit_per_user", "NUMBER_TYPE_MAX", "Must be between 0 and 21600 seconds."};
  }
  return std::nullopt;
}

core::FieldError badDuration() {
  return {"auto_archive_duration", "AUTO_ARCHIVE_DURATION_INVALID", "Must be one of 60, 1440, 4320 or 10080."};
}

// Threads live under server text channels only.
std::optional<core::Error> notAParent(const Channel& parent) {
  if (parent.guild_id == 0) return core::Error{ErrorCode::kCannotExecuteOnDm, "Cannot execute action on a DM channel"};
  if (parent.type != ChannelType::kText) {
    return core::Error{ErrorCode::kCannotExecuteOnChannelType, "Cannot execute action on this channel type"};
  }
  return std::nullopt;
}

bool isMember(const ThreadState& state, std::uint64_t user_id) {
  return std::find(state.members.begin(), state.members.end(), user_id) != state.members.end();
}

// The thread as `user_id` sees it in a list: the parent's overwrites, and its own membership.
Channel asSeenBy(Channel thread, const Channel& parent, bool joined, std::uint64_t user_id) {
  thread.overwrites = parent.overwrites;
  if (joined) thread.thread->members = {user_id};
  return thread;
}

} // namespace

Permissions threadPermissions(Permissions in_parent, ChannelType type, const ThreadState& thread,
                              std::uint64_t user_id) noexcept {
  if ((in_parent & perm::kViewChannel) == 0) return 0;
  const bool manage = (in_parent & perm::kManageThreads) != 0;
  if (type == ChannelType::kPrivateThread && !manage && !isMember(thread, user_id)) return 0;
  Permissions bits = in_parent & ~perm::kSendMessages;
  if ((in_parent & perm::kSendMessagesInThreads) != 0 && (!thread.locked || manage)) bits |= perm::kSendMessages;
  return bits;
}

bool validAutoArchiveDuration(int minutes) noexcept {
  return minutes == 60 || minutes == 1440 || minutes == 4320 || minutes == 10080;
}

store::Statement threadStateStatement(std::uint64_t channel_id) { return {stateSql(), {id(channel_id)}}; }

void readThreadState(const store::PgResult& rows, Channel& channel) {
  if (rows.rows() == 0) return;
  Channel read = threadFromRow(rows, 0);
  read.thread->members = parseIdList(rows.text(0, 16));
  channel.thread = std::move(read.thread);
}

asio::awaitable<core::Result<std::vector<Channel>>> threadsByIds(store::PgPool& pool,
                                                                 const std::vector<std::uint64_t>& ids) {
  std::vector<Channel> out;
  if (ids.empty()) co_return out;
  const std::string sql =
      "SELECT " + threadColumns() + " FROM channels c WHERE c.id = ANY($1::bigint[]) AND c.type IN (11, 12)";
  store::Params params{idArray(ids)};
  auto found = co_await pool.query(sql, std::move(params));
  if (!found) co_return std::unexpected(found.error());
  for (int row = 0; row < found->rows(); ++row)
    out.push_back(threadFromRow(*found, row));
  co_return out;
}

std::vector<ActiveThread> visibleThreads(const GuildSnapshot& snapshot, const std::vector<ActiveThread>& threads) {
  std::vector<ActiveThread> out;
  for (const auto& active : threads) {
    if (active.thread.guild_id != snapshot.context.guild.id) continue;
    const auto parent = std::find_if(snapshot.channels.begin(), snapshot.channels.end(),
                                     [&](const Channel& channel) { return channel.id == active.thread.parent_id; });
    if (parent == snapshot.channels.end()) continue;
    ActiveThread seen{asSeenBy(active.thread, *parent, active.member.has_value(), snapshot.context.user_id),
                      active.member};
    if ((snapshot.context.in(seen.thread) & perm::kViewChannel) != 0) out.push_back(std::move(seen));
  }
  return out;
}

asio::awaitable<core::Result<Channel>> Threads::reload(store::PgPool& pool, const Channel& thread) {
  store::Params params{id(thread.id)};
  auto found = co_await pool.query(stateSql(), std::move(params));
  if (!found) co_return std::unexpected(found.error());
  if (found->rows() == 0) co_return unknownChannel();
  Channel fresh = threadFromRow(*found, 0);
  fresh.thread->members = parseIdList(found->text(0, 16));
  fresh.overwrites = thread.overwrites;
  fresh.nsfw = thread.nsfw;
  co_return fresh;
}

asio::awaitable<core::Result<Channel>> Threads::insert(store::PgPool& pool, const GuildContext& context,
                                                       const Channel& parent, std::uint64_t thread_id, ChannelType type,
                                                       ThreadInput input) {
  std::vector<core::FieldError> errors;
  if (auto error = checkName(input.name)) errors.push_back(*error);
  const int duration = input.auto_archive_duration.value_or(kDefaultAutoArchive);
  if (!validAutoArchiveDuration(duration)) errors.push_back(badDuration());
  const int slowmode = input.rate_limit_per_user.value_or(0);
  if (auto error = checkSlowmode(slowmode)) errors.push_back(*error);
  if (!errors.empty()) co_return detail::formError(std::move(errors));

  const std::string guild = id(context.guild.id);
  store::Params count_params{guild};
  const std::string count_sql =
      "SELECT count(*) FROM channels c WHERE c.guild_id = $1 AND c.type IN (11, 12) AND NOT " + archivedNow();
  auto active = co_await pool.query(count_sql, std::move(count_params));
  if (!active) co_return std::unexpected(active.error());
  if (static_cast<std::size_t>(active->integer(0, 0).value_or(0)) >= kMaxActivePerGuild) {
    co_return core::fail(ErrorCode::kMaxActiveThreads, "Maximum number of active threads reached");
  }
  // The creator joins in the same statement; a thread that exists already (a message's second
  // thread, or a racing first one) inserts nothing at all.
  store::Params params{id(thread_id),
                       guild,
                       std::to_string(static_cast<int>(type)),
                       input.name,
                       id(parent.id),
                       id(context.user_id),
                       std::to_string(slowmode),
                       std::to_string(duration),
                       type == ChannelType::kPrivateThread && !input.invitable.value_or(true) ? "false" : "true"};
  auto made = co_await pool.query(
      "WITH made AS (INSERT INTO channels (id, guild_id, type, name, parent_id, thread_parent_id, owner_id, "
      "rate_limit_per_user, auto_archive_duration, archive_timestamp, last_activity_at, invitable) "
      "VALUES ($1, $2, $3, $4, $5, $5, $6, $7, $8, now(), now(), $9) ON CONFLICT (id) DO NOTHING RETURNING id) "
      "INSERT INTO thread_members (thread_id, user_id) SELECT id, $6 FROM made RETURNING thread_id",
      std::move(params));
  if (!made) co_return std::unexpected(made.error());
  if (made->rows() == 0) {
    co_return core::fail(ErrorCode::kThreadAlreadyCreated, "A thread has already been created for this message");
  }
  spdlog::info("thread {} created in channel {} by {}", thread_id, parent.id, context.user_id);
  Channel created;
  created.id = thread_id;
  created.overwrites = parent.overwrites;
  created.nsfw = parent.nsfw;
  co_return co_await reload(pool, created);
}

asio::awaitable<core::Result<Channel>> Threads::createFromMessage(store::PgPool& pool, const GuildContext& context,
                                                                  const Channel& parent, std::uint64_t message_id,
                                                                  ThreadInput input) {
  if (auto refused = notAParent(parent)) co_return std::unexpected(*refused);
  const Permissions here = context.in(parent);
  if ((here & perm::kCreatePublicThreads) == 0) co_return missingPermissions();
  store::Params params{id(message_id), id(parent.id)};
  auto found =
      co_await pool.query("SELECT author_id FROM messages WHERE id = $1 AND channel_id = $2", std::move(params));
  if (!found) co_return std::unexpected(found.error());
  // As for the message routes: only its author sees a message without READ_MESSAGE_HISTORY.
  if (found->rows() == 0 || (u64(*found, 0, 0) != context.user_id && (here & perm::kReadMessageHistory) == 0)) {
    co_return core::fail(ErrorCode::kUnknownMessage, "Unknown Message");
  }
  input.invitable.reset();
  co_return co_await insert(pool, context, parent, message_id, ChannelType::kPublicThread, std::move(input));
}

asio::awaitable<core::Result<Channel>> Threads::create(store::PgPool& pool, const GuildContext& context,
                                                       const Channel& parent, ThreadInput input) {
  if (auto refused = notAParent(parent)) co_return std::unexpected(*refused);
  if (input.type != ChannelType::kPublicThread && input.type != ChannelType::kPrivateThread) {
    co_return fieldError("type", "CHANNEL_TYPE_INVALID", "Use 11 (public thread) or 12 (private thread).");
  }
  const Permissions needed =
      input.type == ChannelType::kPublicThread ? perm::kCreatePublicThreads : perm::kCreatePrivateThreads;
  if ((context.in(parent)&needed) == 0) co_return missingPermissions();
  const ChannelType type = input.type;
  co_return co_await insert(pool, context, parent, ids_.next(), type, std::move(input));
}

asio::awaitable<core::Result<Changed<Channel>>> Threads::update(store::PgPool& pool, const GuildContext& context,
                                                                const Channel& thread, ThreadPatch patch) {
  const ThreadState& state = *thread.thread;
  const Permissions here = context.in(thread);
  const bool manage = (here & perm::kManageThreads) != 0;
  const bool owner = state.owner_id == context.user_id;

  std::vector<core::FieldError> errors;
  if (patch.name) {
    if (auto error = checkName(*patch.name)) errors.push_back(*error);
  }
  if (patch.auto_archive_duration && !validAutoArchiveDuration(*patch.auto_archive_duration)) {
    errors.push_back(badDuration());
  }
  if (patch.rate_limit_per_user) {
    if (auto error = checkSlowmode(*patch.rate_limit_per_user)) errors.push_back(*error);
  }
  if (patch.invitable && thread.type != ChannelType::kPrivateThread) {
    errors.push_back({"invitable", "THREAD_INVITABLE_PRIVATE_ONLY", "Only private threads have this setting."});
  }
  if (!errors.empty()) co_return detail::formError(std::move(errors));

  Changed<Channel> changed{thread, {}};
  ThreadState& after = *changed.value.thread;
  if (patch.name) changed.value.name = *patch.name;
  if (patch.archived) after.archived = *patch.archived;
  if (patch.locked) after.locked = *patch.locked;
  if (patch.auto_archive_duration) after.auto_archive_duration = *patch.auto_archive_duration;
  if (patch.invitable) after.invitable = *patch.invitable;
  if (patch.rate_limit_per_user) changed.value.rate_limit_per_user = *patch.rate_limit_per_user;

  const bool renamed = changed.value.name != thread.name;
  const bool archiving = after.archived && !state.archived;
  const bool unarchiving = !after.archived && state.archived;
  const bool relocked = after.locked != state.locked;
  const bool redurated = after.auto_archive_duration != state.auto_archive_duration;
  const bool reinvitable = after.invitable != state.invitable;
  const bool slowed = changed.value.rate_limit_per_user != thread.rate_limit_per_user;

  // Each change by who may make it; a request asking for nothing new needs nothing.
  if (((renamed || redurated || archiving) && !owner && !manage) || ((relocked || reinvitable || slowed) && !manage)) {
    co_return missingPermissions();
  }
  // Unarchiving: anyone who may send, unless it is locked (then MANAGE_THREADS).
  if (unarchiving && !manage && (state.locked || (here & perm::kSendMessages) == 0)) co_return missingPermissions();
  if (state.archived && !unarchiving) co_return archivedError();

  const auto note = [&](bool differs, std::string key, std::string before, std::string now) {
    if (differs) changed.changes.push_back({std::move(key), std::move(before), std::move(now)});
  };
  const auto flag = [](bool value) { return std::string(value ? "true" : "false"); };
  note(renamed, "name", jsonString(thread.name), jsonString(changed.value.name));
  note(archiving || unarchiving, "archived", flag(state.archived), flag(after.archived));
  note(relocked, "locked", flag(state.locked), flag(after.locked));
  note(redurated, "auto_archive_duration", std::to_string(state.auto_archive_duration),
       std::to_string(after.auto_archive_duration));
  note(reinvitable, "invitable", flag(state.invitable), flag(after.invitable));
  note(slowed, "rate_limit_per_user", std::to_string(thread.rate_limit_per_user),
       std::to_string(changed.value.rate_limit_per_user));
  if (changed.changes.empty()) co_return changed;

  // Unarchiving restarts the inactivity clock, or an auto-archived thread would read as archived
  // again at once.
  store::Params params{id(thread.id),
                       changed.value.name,
                       flag(after.archived),
                       flag(after.locked),
                       std::to_string(after.auto_archive_duration),
                       flag(after.invitable),
                       std::to_string(changed.value.rate_limit_per_user),
                       flag(archiving || unarchiving),
                       flag(unarchiving)};
  auto written = co_await pool.query("UPDATE channels SET name = $2, archived = $3, locked = $4, "
                                     "auto_archive_duration = $5, invitable = $6, rate_limit_per_user = $7, "
                                     "archive_timestamp = CASE WHEN $8 THEN now() ELSE archive_timestamp END, "
                                     "last_activity_at = CASE WHEN $9 THEN now() ELSE last_activity_at END "
                                     "WHERE id = $1 AND type IN (11, 12)",
                                     std::move(params));
  if (!written) co_return std::unexpected(written.error());
  if (written->affectedRows() == 0) co_return unknownChannel(); // deleted in the meantime
  auto fresh = co_await reload(pool, thread);
  if (!fresh) co_return std::unexpected(fresh.error());
  changed.value = std::move(*fresh);
  co_return changed;
}

asio::awaitable<core::Result<std::vector<std::uint64_t>>>
Threads::remove(store::PgPool& pool, const GuildContext& context, const Channel& thread) {
  if ((context.in(thread)&perm::kManageThreads) == 0) co_return missingPermissions();
  // The members are read from the statement's snapshot, before the delete cascades to them.
  store::Params params{id(thread.id)};
  auto gone = co_await pool.query("WITH gone AS (DELETE FROM channels WHERE id = $1 AND type IN (11, 12) RETURNING id) "
                                  "SELECT t.user_id FROM thread_members t, gone WHERE t.thread_id = gone.id",
                                  std::move(params));
  if (!gone) co_return std::unexpected(gone.error());
  std::vector<std::uint64_t> members;
  for (int row = 0; row < gone->rows(); ++row)
    members.push_back(u64(*gone, row, 0));
  spdlog::info("thread {} deleted by {}", thread.id, context.user_id);
  co_return members;
}

asio::awaitable<core::Result<MembershipChange>> Threads::addMember(store::PgPool& pool, const GuildContext& context,
                                                                   const Channel& thread, std::uint64_t user_id) {
  const ThreadState& state = *thread.thread;
  const Permissions here = context.in(thread);
  const bool manage = (here & perm::kManageThreads) != 0;
  if (user_id != context.user_id) {
    if ((here & perm::kSendMessages) == 0 && !manage) co_return missingPermissions();
    if (thread.type == ChannelType::kPrivateThread && !state.invitable && !manage) co_return missingPermissions();
    if (state.archived) co_return archivedError();
    auto other = co_await guilds_.context(pool, thread.guild_id, user_id);
    if (!other) co_return unknownMember();
    // Whoever is added must see the parent; the thread's privacy is what adding them changes.
    if ((channelPermissions(other->subject(), thread.overwrites, ChannelKind::kText) & perm::kViewChannel) == 0) {
      co_return core::fail(ErrorCode::kMissingAccess, "Missing Access");
    }
  } else if (state.archived) {
    co_return archivedError();
  }
  store::Params params{id(thread.id), id(user_id)};
  auto joined =
      co_await pool.query("INSERT INTO thread_members (thread_id, user_id) SELECT id, $2 FROM channels WHERE id = $1 "
                          "ON CONFLICT DO NOTHING RETURNING to_json(join_timestamp)#>>'{}', flags",
                          std::move(params));
  if (!joined) co_return std::unexpected(joined.error());
  MembershipChange change;
  change.changed = joined->rows() == 1;
  if (change.changed) {
    change.member = {thread.id, user_id, std::string(joined->text(0, 0)), i32(*joined, 0, 1)};
  } else {
    auto existing = co_await member(pool, thread, user_id);
    if (!existing) co_return std::unexpected(existing.error());
    change.member = std::move(*existing);
  }
  auto fresh = co_await reload(pool, thread);
  if (!fresh) co_return std::unexpected(fresh.error());
  change.thread = std::move(*fresh);
  co_return change;
}

asio::awaitable<core::Result<MembershipChange>> Threads::removeMember(store::PgPool& pool, const GuildContext& context,
                                                                      const Channel& thread, std::uint64_t user_id) {
  const ThreadState& state = *thread.thread;
  const bool self = user_id == context.user_id;
  if (!self) {
    const bool manage = (context.in(thread)&perm::kManageThreads) != 0;
    const bool private_owner = thread.type == ChannelType::kPrivateThread && state.owner_id == context.user_id;
    if (!manage && !private_owner) co_return missingPermissions();
  }
  if (state.archived) co_return archivedError();
  store::Params params{id(thread.id), id(user_id)};
  auto left = co_await pool.query("DELETE FROM thread_members WHERE thread_id = $1 AND user_id = $2 "
                                  "RETURNING to_json(join_timestamp)#>>'{}', flags",
                                  std::move(params));
  if (!left) co_return std::unexpected(left.error());
  MembershipChange change;
  change.changed = left->rows() == 1;
  if (!change.changed && !self) co_return unknownMember();
  change.member = {thread.id, user_id, change.changed ? std::string(left->text(0, 0)) : std::string(),
                   change.changed ? i32(*left, 0, 1) : 0};
  auto fresh = co_await reload(pool, thread);
  if (!fresh) co_return std::unexpected(fresh.error());
  change.thread = std::move(*fresh);
  co_return change;
}

asio::awaitable<core::Result<ThreadMember>> Threads::member(store::PgPool& pool, const Channel& thread,
                                                            std::uint64_t user_id) {
  store::Params params{id(thread.id), id(user_id)};
  auto found = co_await pool.query("SELECT to_json(join_timestamp)#>>'{}', flags FROM thread_members "
                                   "WHERE thread_id = $1 AND user_id = $2",
                                   std::move(params));
  if (!found) co_return std::unexpected(found.error());
  if (found->rows() == 0) co_return unknownMember();
  co_return ThreadMember{thread.id, user_id, std::string(found->text(0, 0)), i32(*found, 0, 1)};
}

asio::awaitable<core::Result<std::vector<ThreadMember>>> Threads::members(store::PgPool& pool, const Channel& thread) {
  store::Params params{id(thread.id)};
  auto found = co_await pool.query("SELECT user_id, to_json(join_timestamp)#>>'{}', flags FROM thread_members "
                                   "WHERE thread_id = $1 ORDER BY join_timestamp, user_id",
                                   std::move(params));
  if (!found) co_return std::unexpected(found.error());
  std::vector<ThreadMember> out;
  for (int row = 0; row < found->rows(); ++row)
    out.push_back({thread.id, u64(*found, row, 0), std::string(found->text(row, 1)), i32(*found, row, 2)});
  co_return out;
}

asio::awaitable<core::Result<ThreadList>> Threads::active(store::PgPool& pool, const GuildContext& context) {
  auto channels = co_await guilds_.channels(pool, context.guild.id);
  if (!channels) co_return std::unexpected(channels.error());
  const std::string sql = "SELECT " + threadColumns() + ", " + membershipColumns() +
                          " FROM channels c LEFT JOIN thread_members me ON me.thread_id = c.id AND me.user_id = $2 "
                          "WHERE c.guild_id = $1 AND c.type IN (11, 12) AND NOT " +
                          archivedNow() + " ORDER BY c.id DESC";
  store::Params params{id(context.guild.id), id(context.user_id)};
  auto found = co_await pool.query(sql, std::move(params));
  if (!found) co_return std::unexpected(found.error());
  ThreadList list;
  for (int row = 0; row < found->rows(); ++row) {
    Channel thread = threadFromRow(*found, row);
    auto membership = membershipFromRow(*found, row, thread.id, context.user_id);
    const auto parent = std::find_if(channels->begin(), channels->end(),
                                     [&](const Channel& channel) { return channel.id == thread.parent_id; });
    if (parent == channels->end()) continue;
    Channel seen = asSeenBy(std::move(thread), *parent, membership.has_value(), context.user_id);
    if ((context.in(seen)&perm::kViewChannel) == 0) continue;
    if (membership) list.members.push_back(std::move(*membership));
    list.threads.push_back(std::move(seen));
  }
  co_return list;
}

asio::awaitable<core::Result<ThreadList>> Threads::archived(store::PgPool& pool, const GuildContext& context,
                                                            const Channel& parent, ArchivedQuery query) {
  if (auto refused = notAParent(parent)) co_return std::unexpected(*refused);
  const Permissions here = context.in(parent);
  if ((here & perm::kReadMessageHistory) == 0) co_return missingPermissions();
  if (query.scope == ArchivedScope::kPrivate && (here & perm::kManageThreads) == 0) co_return missingPermissions();
  const int limit = std::clamp(query.limit, 1, 100);
  const bool joined_only = query.scope == ArchivedScope::kJoinedPrivate;
  // Archive times are compared as PostgreSQL reads them (microseconds), so a page boundary
  // between threads archived within the same millisecond loses none.
  std::string sql = "SELECT * FROM (SELECT " + threadColumns() + ", " + membershipColumns() + ", " + archiveAt() +
                    " AS archive_at FROM channels c LEFT JOIN thread_members me "
                    "ON me.thread_id = c.id AND me.user_id = $2 WHERE c.thread_parent_id = $1 AND c.type = $3) page "
                    "WHERE archived_now AND ";
  std::optional<std::string> before;
  if (joined_only) {
    sql += fmt::format("joined AND ($4::bigint IS NULL OR id < $4::bigint) ORDER BY id DESC LIMIT {}", limit + 1);
    if (query.before_id != 0) before = id(query.before_id);
  } else {
    sql += fmt::format("($4::timestamptz IS NULL OR archive_at < $4::timestamptz) ORDER BY archive_at DESC, id DESC "
                       "LIMIT {}",
                       limit + 1);
    if (!query.before.empty()) before = query.before;
  }
  const int type = query.scope == ArchivedScope::kPublic ? 11 : 12;
  store::Params params{id(parent.id), id(context.user_id), std::to_string(type), before};
  auto found = co_await pool.query(sql, std::move(params));
  if (!found) co_return std::unexpected(found.error());
  ThreadList list;
  list.has_more = found->rows() > limit;
  for (int row = 0; row < found->rows() && row < limit; ++row) {
    Channel thread = threadFromRow(*found, row);
    auto membership = membershipFromRow(*found, row, thread.id, context.user_id);
    if (membership) list.members.push_back(*membership);
    list.threads.push_back(asSeenBy(std::move(thread), parent, membership.has_value(), context.user_id));
  }
  co_return list;
}

asio::awaitable<core::Result<ThreadActivity>> Threads::noteMessage(store::PgPool& pool, const Channel& thread,
                                                                   std::uint64_t user_id) {
  // One statement: whether it read as archived (the row locked against a racing change), the
  // new activity time (unarchiving it), and the sender's membership.
  store::Params params{id(thread.id), id(user_id)};
  const std::string sql =
      "WITH prior AS (SELECT " + archivedNow() +
      " AS was FROM channels c WHERE c.id = $1 FOR UPDATE), "
      "touched AS (UPDATE channels SET archived = false, last_activity_at = now(), archive_timestamp = "
      "CASE WHEN (SELECT was FROM prior) THEN now() ELSE archive_timestamp END WHERE id = $1 AND type IN (11, 12) "
      "RETURNING id), "
      "joined AS (INSERT INTO thread_members (thread_id, user_id) SELECT id, $2 FROM touched ON CONFLICT DO NOTHING "
      "RETURNING to_json(join_timestamp)#>>'{}' AS at, flags) "
      "SELECT coalesce((SELECT was FROM prior), false), EXISTS (SELECT 1 FROM joined), "
      "coalesce((SELECT at FROM joined), ''), coalesce((SELECT flags FROM joined), 0)";
  auto noted = co_await pool.query(sql, std::move(params));
  if (!noted) co_return std::unexpected(noted.error());
  ThreadActivity activity;
  activity.unarchived = noted->text(0, 0) == "t";
  if (noted->text(0, 1) == "t") {
    activity.joined = ThreadMember{thread.id, user_id, std::string(noted->text(0, 2)), i32(*noted, 0, 3)};
  }
  auto fresh = co_await reload(pool, thread);
  if (!fresh) co_return std::unexpected(fresh.error());
  activity.thread = std::move(*fresh);
  co_return activity;
}

asio::awaitable<core::Result<std::vector<ActiveThread>>> Threads::activeOf(store::PgPool& pool, std::uint64_t user_id) {
  const std::string sql = "SELECT " + threadColumns() + ", " + membershipColumns() +
                          " FROM channels c LEFT JOIN thread_members me ON me.thread_id = c.id AND me.user_id = $1 "
                          "WHERE c.guild_id IN (SELECT guild_id FROM members WHERE user_id = $1) "
                          "AND c.type IN (11, 12) AND NOT " +
                          archivedNow() + " ORDER BY c.id DESC";
  store::Params params{id(user_id)};
  auto found = co_await pool.query(sql, std::move(params));
  if (!found) co_return std::unexpected(found.error());
  std::vector<ActiveThread> out;
  for (int row = 0; row < found->rows(); ++row) {
    Channel thread = threadFromRow(*found, row);
    auto membership = membershipFromRow(*found, row, thread.id, user_id);
    out.push_back({std::move(thread), std::move(membership)});
  }
  co_return out;
}

} // namespace hearth::domain
