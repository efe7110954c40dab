#include "domain/messages.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <map>
#include <memory>
#include <set>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/snowflake.hpp"
#include "domain/internal.hpp"
#include "domain/threads.hpp"
#include "store/coalescer.hpp"
#include "store/pg.hpp"

namespace hearth::domain {

namespace asio = boost::asio;
using core::ErrorCode;
using detail::fieldError;
using detail::id;
using detail::missingPermissions;
using detail::u64;

namespace {

// History pages: the channel as a range of one value and the order of messages_channel
// (channel_id, id DESC), so the plan is always that index (see Messages::history).
constexpr std::string_view kInChannel = "channel_id >= $1 AND channel_id <= $1";
constexpr std::string_view kNewestFirst = "channel_id, id DESC";
constexpr std::string_view kOldestFirst = "channel_id DESC, id";

std::unexpected<core::Error> unknownMessage() { return core::fail(ErrorCode::kUnknownMessage, "Unknown Message"); }

// PostgreSQL's text form of a bigint[]: "{1,2,3}".
std::vector<std::uint64_t> parseIdArray(std::string_view text) {
  std::vector<std::uint64_t> out;
  if (text.size() < 2) return out;
  text = text.substr(1, text.size() - 2);
  while (!text.empty()) {
    const auto comma = text.find(',');
    const auto item = text.substr(0, comma);
    if (auto parsed = core::parseSnowflake(item)) out.push_back(*parsed);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

using store::idArray;

// Text channels, threads, DMs and group DMs carry messages (voice channels' chat comes later).
std::optional<core::Error> notText(const Channel& channel) {
  if (channel.type == ChannelType::kText || channel.type == ChannelType::kDm || channel.type == ChannelType::kGroupDm ||
      isThread(channel.type)) {
    return std::nullopt;
  }
  return core::Error{
      ErrorCode::kInvalidFormBody,
      "Cannot send messages in a non-text channel",
      {core::FieldError{"channel", "CHANNEL_TYPE_INVALID", "Cannot send messages in a non-text channel"}}};
}

// `files`: the message has attachments, so it may have no text.
std::optional<core::FieldError> checkContent(const std::string& content, bool files = false) {
  const bool blank = std::all_of(content.begin(), content.end(),
                                 [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; });
  if ((!files && (content.empty() || blank)) || detail::codePoints(content) > Messages::kMaxContent) {
    return core::FieldError{"content", "BASE_TYPE_BAD_LENGTH",
                            fmt::format("Must be between 1 and {} in length.", Messages::kMaxContent)};
  }
  return std::nullopt;
}

// The raw mentions in content: `<@id>`/`<@!id>` users, `<@&id>` roles, `@everyone`/`@here`.
struct RawMentions {
  std::vector<std::uint64_t> users;
  std::vector<std::uint64_t> roles;
  bool everyone = false;
};

RawMentions scanMentions(std::string_view content) {
  RawMentions raw;
  std::set<std::uint64_t> seen_users;
  std::set<std::uint64_t> seen_roles;
  for (std::size_t at = content.find("<@"); at != std::string_view::npos; at = content.find("<@", at + 2)) {
    std::size_t start = at + 2;
    bool role = false;
    if (start < content.size() && content[start] == '&') {
      role = true;
      ++start;
    } else if (start < content.size() && content[start] == '!') {
      ++start;
    }
    const auto end = content.find('>', start);
    if (end == std::string_view::npos) break;
    const auto parsed = core::parseSnowflake(content.substr(start, end - start));
    if (!parsed) continue;
    auto& seen = role ? seen_roles : seen_users;
    auto& list = role ? raw.roles : raw.users;
    if (list.size() < Messages::kMaxMentions && seen.insert(*parsed).second) list.push_back(*parsed);
  }
  raw.everyone = content.find("@everyone") != std::string_view::npos || content.find("@here") != std::string_view::npos;
  return raw;
}

const char* const kMessageColumns =
    "m.id, m.channel_id, m.guild_id, u.id, u.username, coalesce(u.display_name, ''), coalesce(u.avatar, ''), "
    "m.content, to_json(m.created_at)#>>'{}', coalesce(to_json(m.edited_at)#>>'{}', ''), m.mention_everyone, "
    "m.mentions::text, m.mention_roles::text, m.pinned, coalesce(m.reference_id, 0), "
    "EXISTS (SELECT 1 FROM channels t WHERE t.id = m.id AND t.type = 11)"; // started a thread (its id)

struct Row {
  Message message;
  std::vector<std::uint64_t> mention_ids;
  bool has_thread = false;
};

std::vector<Row> parseRows(const store::PgResult& rows) {
  std::vector<Row> out;
  for (int row = 0; row < rows.rows(); ++row) {
    Row item;
    Message& message = item.message;
    message.id = u64(rows, row, 0);
    message.channel_id = u64(rows, row, 1);
    message.guild_id = u64(rows, row, 2);
    message.author = {u64(rows, row, 3), std::string(rows.text(row, 4)), std::string(rows.text(row, 5)),
                      std::string(rows.text(row, 6))};
    message.content = rows.text(row, 7);
    message.timestamp = rows.text(row, 8);
    message.edited_timestamp = rows.text(row, 9);
    message.mention_everyone = rows.text(row, 10) == "t";
    item.mention_ids = parseIdArray(rows.text(row, 11));
    message.mention_roles = parseIdArray(rows.text(row, 12));
    message.pinned = rows.text(row, 13) == "t";
    message.reference_id = u64(rows, row, 14);
    item.has_thread = rows.text(row, 15) == "t";
    out.push_back(std::move(item));
  }
  return out;
}

// A message row as a send inserts it: these columns, from ten parameters (insertValues).
constexpr const char* kInsertColumns =
    "id, channel_id, guild_id, author_id, content, nonce, reference_id, mention_everyone, mentions, mention_roles";
constexpr std::size_t kInsertParams = 10;

// The ten parameters of one row, from $<first>, with their types.
std::string insertValues(std::size_t first) {
  return fmt::format("${}::bigint, ${}::bigint, ${}::bigint, ${}::bigint, ${}::text, ${}::text, ${}::bigint, "
                     "${}::boolean, ${}::bigint[], ${}::bigint[]",
                     first, first + 1, first + 2, first + 3, first + 4, first + 5, first + 6, first + 7, first + 8,
                     first + 9);
}

// A plain send's insert (no slowmode claim, no nonce kept, no attachments), made together with
// other sends: one multi-row INSERT, one implicit transaction committed before any of them is
// answered. A send whose access came from the cache (AccessGuard) goes in only if its guard still
// holds, checked by the same statement.
struct PlainInsert {
  store::Params values; //!< kInsertParams
  std::optional<AccessGuard> guard;
  bool check_slowmode = false; //!< the guard also finds the channel without slowmode
};
constexpr std::size_t kMaxInsertBatch = 32;
constexpr std::size_t kGuardParams = 3;
constexpr std::size_t kPlainParams = kInsertParams + kGuardParams;

std::string plainInsertSql(std::size_t rows) {
  std::string sql = fmt::format("WITH m AS (INSERT INTO messages ({0}) SELECT {0} FROM (VALUES ", kInsertColumns);
  for (std::size_t row = 0; row < rows; ++row) {
    const std::size_t first = row * kPlainParams + 1;
    sql += fmt::format("{}({}, ${}::bigint, ${}::bigint, ${}::boolean)", row == 0 ? "" : ", ", insertValues(first),
                       first + kInsertParams, first + kInsertParams + 1, first + kInsertParams + 2);
  }
  sql +=
      fmt::format(") AS v({}, guard_version, guard_session, guard_slowmode) WHERE v.guard_version IS NULL OR ("
                  "EXISTS (SELECT 1 FROM guilds g WHERE g.id = v.guild_id AND g.access_version = v.guard_version) "
                  "AND EXISTS (SELECT 1 FROM auth_sessions s WHERE s.id = v.guard_session AND s.revoked_at IS NULL "
                  "AND s.expires_at > now()) "
                  "AND NOT EXISTS (SELECT 1 FROM members x WHERE x.guild_id = v.guild_id AND x.user_id = v.author_id "
                  "AND x.communication_disabled_until > now()) "
                  "AND (NOT v.guard_slowmode OR EXISTS (SELECT 1 FROM channels c WHERE c.id = v.channel_id "
                  "AND c.rate_limit_per_user <= 0))) RETURNING *) SELECT ",
                  kInsertColumns);
  sql += kMessageColumns;
  sql += " FROM m JOIN users u ON u.id = m.author_id";
  return sql;
}

// Each insert's outcome, or the statement's failure.
asio::awaitable<core::Result<std::vector<core::Result<Row>>>> insertTogether(store::PgPool& pool,
                                                                             const std::vector<PlainInsert>& inserts) {
  store::Params params;
  params.reserve(inserts.size() * kPlainParams);
  for (const auto& insert : inserts) {
    params.insert(params.end(), insert.values.begin(), insert.values.end());
    if (insert.guard) {
      params.push_back(std::to_string(insert.guard->access_version));
      params.push_back(id(insert.guard->session_id));
    } else {
      params.push_back(std::nullopt);
      params.push_back(std::nullopt);
    }
    params.push_back(insert.check_slowmode ? "true" : "false");
  }
  const std::string sql = plainInsertSql(inserts.size());
  auto stored = co_await pool.query(sql, std::move(params));
  if (!stored) co_return std::unexpected(stored.error());
  std::vector<core::Result<Row>> out;
  std::vector<Row> rows = parseRows(*stored);
  for (const auto& insert : inserts) {
    const auto wanted = insert.values[0].value_or("");
    const auto found = std::find_if(rows.begin(), rows.end(),
                                    [&](const Row& row) { return std::to_string(row.message.id) == wanted; });
    if (found != rows.end()) {
      out.push_back(std::move(*found));
    } else if (insert.guard) {
      out.push_back(core::fail(ErrorCode::kStaleRead, "The send's kept access no longer holds"));
    } else {
      out.push_back(core::fail(ErrorCode::kDatabase, "The message could not be stored"));
    }
  }
  co_return out;
}

asio::awaitable<std::vector<core::Result<Row>>> insertBatch(std::vector<PlainInsert> inserts, store::PgPool* on) {
  store::PgPool& pool = *on;
  auto together = co_await insertTogether(pool, inserts);
  if (together) co_return std::move(*together);
  std::vector<core::Result<Row>> out;
  if (inserts.size() == 1) {
    out.push_back(std::unexpected(together.error()));
    co_return out;
  }
  // The statement failed: each alone, so one send's failure (its author deleted meanwhile, ...)
  // is its own and the others' messages are stored.
  for (auto& insert : inserts) {
    std::vector<PlainInsert> alone;
    alone.push_back(std::move(insert));
    auto stored = co_await insertTogether(pool, alone);
    out.push_back(stored ? std::move(stored->front()) : core::Result<Row>(std::unexpected(stored.error())));
  }
  co_return out;
}

asio::awaitable<core::Result<Row>> insertPlain(store::PgPool& pool, PlainInsert insert) {
  // One for the process: every thread's sends share it (a batch runs on the pool of the thread
  // that started it). Two batches out at once: one commits (fsync) while the next executes.
  static store::Coalescer<PlainInsert, Row, store::PgPool*> coalescer(insertBatch, kMaxInsertBatch, 2);
  co_return co_await coalescer.submit(std::move(insert), &pool);
}

const char* const kAttachmentColumns =
    "a.message_id, a.id, a.filename, coalesce(a.description, ''), a.content_type, a.size, coalesce(a.width, 0), "
    "coalesce(a.height, 0), a.sha256, coalesce(a.preview_sha256, ''), coalesce(a.preview_type, '')";

StoredAttachment parseAttachment(const store::PgResult& rows, int row) {
  StoredAttachment out;
  out.message_id = u64(rows, row, 0);
  Attachment& attachment = out.attachment;
  attachment.id = u64(rows, row, 1);
  attachment.filename = rows.text(row, 2);
  attachment.description = rows.text(row, 3);
  attachment.content_type = rows.text(row, 4);
  attachment.size = u64(rows, row, 5);
  attachment.width = detail::i32(rows, row, 6);
  attachment.height = detail::i32(rows, row, 7);
  out.sha256 = rows.text(row, 8);
  out.preview_sha256 = rows.text(row, 9);
  out.preview_type = rows.text(row, 10);
  return out;
}

// The author may always see their message; others need READ_MESSAGE_HISTORY.
bool maySee(const GuildContext& context, const Channel& channel, std::uint64_t author_id) {
  return author_id == context.user_id || (context.in(channel)&perm::kReadMessageHistory) != 0;
}

} // namespace

struct Messages::Mentions {
  bool everyone = false;
  std::vector<std::uint64_t> users;
  std::vector<std::uint64_t> roles;
  std::vector<UserSummary> summaries; //!< of `users`, in their order
};

std::optional<store::Statement> Messages::mentionStatement(const GuildContext& context, const Channel& channel,
                                                           const std::vector<std::uint64_t>& user_ids) {
  if (user_ids.empty()) return std::nullopt;
  if (channel.guild_id == 0) {
    // In a DM or group DM only its recipients can be mentioned.
    return store::Statement{"SELECT r.user_id, false, '', u.username, coalesce(u.display_name, ''), "
                            "coalesce(u.avatar, '') FROM channel_recipients r JOIN users u ON u.id = r.user_id "
                            "WHERE r.channel_id = $1 AND r.user_id = ANY($2::bigint[])",
                            {id(channel.id), idArray(user_ids)}};
  }
  // Only members who can see the channel are mentioned: their permissions from their own roles.
  return store::Statement{"SELECT m.user_id, coalesce(m.communication_disabled_until > now(), false), "
                          "coalesce((SELECT string_agg(r.role_id::text, ',') FROM member_roles r "
                          "WHERE r.guild_id = m.guild_id AND r.user_id = m.user_id), ''), "
                          "u.username, coalesce(u.display_name, ''), coalesce(u.avatar, '') "
                          "FROM members m JOIN users u ON u.id = m.user_id "
                          "WHERE m.guild_id = $1 AND m.user_id = ANY($2::bigint[])",
                          {id(context.guild.id), idArray(user_ids)}};
}

Messages::Mentions Messages::mentionsFrom(const GuildContext& context, const Channel& channel,
                                          const std::vector<std::uint64_t>& user_ids, bool everyone,
                                          const std::vector<std::uint64_t>& role_ids, const store::PgResult* found) {
  const bool may_mention_everyone = (context.in(channel)&perm::kMentionEveryone) != 0;
  Mentions mentions;
  mentions.everyone = everyone && may_mention_everyone;
  for (const auto role_id : role_ids) {
    const Role* role = context.role(role_id);
    if (role == nullptr || role_id == context.guild.id) continue;
    if (role->mentionable || may_mention_everyone) mentions.roles.push_back(role_id);
  }
  if (found == nullptr) return mentions;
  std::map<std::uint64_t, UserSummary> visible;
  for (int row = 0; row < found->rows(); ++row) {
    const std::uint64_t user_id = u64(*found, row, 0);
    if (channel.guild_id != 0) {
      GuildContext other = context;
      other.user_id = user_id;
      other.timed_out = found->text(row, 1) == "t";
      const std::string role_list = "{" + std::string(found->text(row, 2)) + "}";
      other.member_roles = parseIdArray(role_list);
      if ((other.in(channel)&perm::kViewChannel) == 0) continue;
    }
    visible[user_id] = {user_id, std::string(found->text(row, 3)), std::string(found->text(row, 4)),
                        std::string(found->text(row, 5))};
  }
  for (const auto user_id : user_ids) {
    if (const auto summary = visible.find(user_id); summary != visible.end()) {
      mentions.users.push_back(user_id);
      mentions.summaries.push_back(summary->second);
    }
  }
  return mentions;
}

asio::awaitable<core::Result<Messages::Mentions>> Messages::parseMentions(store::PgPool& pool,
                                                                          const GuildContext& context,
                                                                          const Channel& channel,
                                                                          const std::string& content) {
  const RawMentions raw = scanMentions(content);
  auto statement = mentionStatement(context, channel, raw.users);
  if (!statement) co_return mentionsFrom(context, channel, raw.users, raw.everyone, raw.roles, nullptr);
  auto found = co_await pool.query(statement->sql, std::move(statement->params));
  if (!found) co_return std::unexpected(found.error());
  co_return mentionsFrom(context, channel, raw.users, raw.everyone, raw.roles, &*found);
}

asio::awaitable<core::Result<std::vector<Message>>> Messages::load(store::PgPool& pool, std::string where,
                                                                   std::vector<std::optional<std::string>> params,
                                                                   bool with_references, std::uint64_t viewer) {
  const std::string sql = std::string("SELECT ") + kMessageColumns +
                          " FROM messages m JOIN users u ON u.id = m.author_id WHERE " + where + " ORDER BY m.id DESC";
  auto result = co_await pool.query(sql, std::move(params));
  if (!result) co_return std::unexpected(result.error());
  std::vector<Row> rows = parseRows(*result);
  std::vector<std::uint64_t> thread_ids;
  for (const auto& row : rows) {
    if (row.has_thread) thread_ids.push_back(row.message.id);
  }
  std::map<std::uint64_t, std::shared_ptr<const Channel>> threads;
  if (!thread_ids.empty()) {
    auto loaded = co_await threadsByIds(pool, thread_ids);
    if (!loaded) co_return std::unexpected(loaded.error());
    for (auto& thread : *loaded)
      threads[thread.id] = std::make_shared<const Channel>(std::move(thread));
  }
  std::vector<Row> references;
  if (with_references) {
    std::vector<std::uint64_t> reference_ids;
    for (const auto& row : rows) {
      if (row.message.reference_id != 0) reference_ids.push_back(row.message.reference_id);
    }
    if (!reference_ids.empty()) {
      const std::string reference_sql = std::string("SELECT ") + kMessageColumns +
                                        " FROM messages m JOIN users u ON u.id = m.author_id "
                                        "WHERE m.id = ANY($1::bigint[])";
      store::Params reference_params{idArray(reference_ids)};
      auto loaded = co_await pool.query(reference_sql, std::move(reference_params));
      if (!loaded) co_return std::unexpected(loaded.error());
      references = parseRows(*loaded);
    }
  }
  std::vector<std::uint64_t> user_ids;
  for (const auto* list : {&rows, &references}) {
    for (const auto& row : *list)
      user_ids.insert(user_ids.end(), row.mention_ids.begin(), row.mention_ids.end());
  }
  std::map<std::uint64_t, UserSummary> users;
  if (!user_ids.empty()) {
    store::Params user_params{idArray(user_ids)};
    auto loaded = co_await pool.query("SELECT id, username, coalesce(display_name, ''), coalesce(avatar, '') "
                                      "FROM users WHERE id = ANY($1::bigint[])",
                                      std::move(user_params));
    if (!loaded) co_return std::unexpected(loaded.error());
    for (int row = 0; row < loaded->rows(); ++row) {
      users[u64(*loaded, row, 0)] = {u64(*loaded, row, 0), std::string(loaded->text(row, 1)),
                                     std::string(loaded->text(row, 2)), std::string(loaded->text(row, 3))};
    }
  }
  // Reactions of the whole page in one query, each emoji in the order it was first added.
  std::map<std::uint64_t, std::vector<ReactionCount>> reactions;
  if (!rows.empty()) {
    std::vector<std::uint64_t> message_ids;
    for (const auto& row : rows)
      message_ids.push_back(row.message.id);
    store::Params reaction_params{idArray(message_ids), id(viewer)};
    auto loaded = co_await pool.query("SELECT message_id, emoji, count(*), bool_or(user_id = $2) FROM reactions "
                                      "WHERE message_id = ANY($1::bigint[]) GROUP BY message_id, emoji "
                                      "ORDER BY message_id, min(position)",
                                      std::move(reaction_params));
    if (!loaded) co_return std::unexpected(loaded.error());
    for (int row = 0; row < loaded->rows(); ++row) {
      reactions[u64(*loaded, row, 0)].push_back(
          {std::string(loaded->text(row, 1)), detail::i32(*loaded, row, 2), loaded->text(row, 3) == "t"});
    }
  }
  // Attachments of the page and of the messages it replies to, in one query.
  std::map<std::uint64_t, std::vector<Attachment>> attachments;
  if (!rows.empty()) {
    std::vector<std::uint64_t> message_ids;
    for (const auto* list : {&rows, &references}) {
      for (const auto& row : *list)
        message_ids.push_back(row.message.id);
    }
    store::Params attachment_params{idArray(message_ids)};
    const std::string attachment_sql = std::string("SELECT ") + kAttachmentColumns +
                                       " FROM attachments a WHERE a.message_id = ANY($1::bigint[]) "
                                       "ORDER BY a.message_id, a.position";
    auto loaded = co_await pool.query(attachment_sql, std::move(attachment_params));
    if (!loaded) co_return std::unexpected(loaded.error());
    for (int row = 0; row < loaded->rows(); ++row) {
      StoredAttachment stored = parseAttachment(*loaded, row);
      attachments[stored.message_id].push_back(std::move(stored.attachment));
    }
  }
  const auto fill = [&](Row& row) {
    if (const auto found = attachments.find(row.message.id); found != attachments.end()) {
      row.message.attachments = found->second;
    }
    for (const auto user_id : row.mention_ids) {
      if (const auto found = users.find(user_id); found != users.end()) row.message.mentions.push_back(found->second);
    }
  };
  std::map<std::uint64_t, std::shared_ptr<const Message>> referenced;
  for (auto& row : references) {
    fill(row);
    referenced[row.message.id] = std::make_shared<const Message>(std::move(row.message));
  }
  std::vector<Message> out;
  out.reserve(rows.size());
  for (auto& row : rows) {
    fill(row);
    if (const auto found = referenced.find(row.message.reference_id); found != referenced.end()) {
      row.message.referenced = found->second;
    }
    if (auto found = reactions.find(row.message.id); found != reactions.end()) {
      row.message.reactions = std::move(found->second);
    }
    if (const auto found = threads.find(row.message.id); found != threads.end()) row.message.thread = found->second;
    out.push_back(std::move(row.message));
  }
  co_return out;
}

asio::awaitable<core::Result<Message>> Messages::loadOne(store::PgPool& pool, std::uint64_t channel_id,
                                                         std::uint64_t message_id, std::uint64_t viewer) {
  std::vector<std::optional<std::string>> params{id(message_id), id(channel_id)};
  std::string where = "m.id = $1 AND m.channel_id = $2";
  auto loaded = co_await load(pool, std::move(where), std::move(params), true, viewer);
  if (!loaded) co_return std::unexpected(loaded.error());
  if (loaded->empty()) co_return unknownMessage();
  co_return std::move(loaded->front());
}

asio::awaitable<core::Result<std::vector<Message>>> Messages::byIds(store::PgPool& pool, std::vector<std::uint64_t> ids,
                                                                    std::uint64_t viewer) {
  if (ids.empty()) co_return std::vector<Message>();
  std::vector<std::optional<std::string>> params{idArray(ids)};
  std::string where = "m.id = ANY($1::bigint[])";
  auto loaded = co_await load(pool, std::move(where), std::move(params), true, viewer);
  if (!loaded) co_return std::unexpected(loaded.error());
  std::map<std::uint64_t, Message*> by_id;
  for (auto& message : *loaded)
    by_id[message.id] = &message;
  std::vector<Message> out;
  out.reserve(loaded->size());
  for (const auto message_id : ids) {
    if (auto found = by_id.find(message_id); found != by_id.end() && found->second != nullptr) {
      out.push_back(std::move(*found->second));
      found->second = nullptr; // an id given twice is answered once
    }
  }
  co_return out;
}

asio::awaitable<core::Result<Sent>> Messages::send(store::PgPool& pool, const GuildContext& context,
                                                   const Channel& channel, const SendInput& input, Slowmode& slowmode,
                                                   std::optional<AccessGuard> guard) {
  if (auto error = notText(channel)) co_return std::unexpected(*error);
  const Permissions permissions = context.in(channel);
  if ((permissions & perm::kSendMessages) == 0) {
    // In a DM, only a block (either way) or a deleted account takes SEND_MESSAGES away.
    if (channel.guild_id == 0) co_return core::fail(ErrorCode::kCannotMessageUser, "Cannot send messages to this user");
    co_return missingPermissions();
  }
  if (!input.attachments.empty() && (permissions & perm::kAttachFiles) == 0) co_return missingPermissions();
  std::vector<core::FieldError> errors;
  if (auto error = checkContent(input.content, !input.attachments.empty())) errors.push_back(*error);
  if (input.attachments.size() > kMaxAttachments) {
    errors.push_back({"files", "BASE_TYPE_MAX_LENGTH", fmt::format("Must be {} or fewer in length.", kMaxAttachments)});
  }
  for (std::size_t index = 0; index < input.attachments.size(); ++index) {
    if (detail::codePoints(input.attachments[index].description) > kMaxDescription) {
      errors.push_back({fmt::format("attachments.{}.description", index), "BASE_TYPE_MAX_LENGTH",
                        fmt::format("Must be {} or fewer in length.", kMaxDescription)});
    }
  }
  if (input.nonce && detail::codePoints(*input.nonce) > kMaxNonce) {
    errors.push_back({"nonce", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length."});
  }
  if (!errors.empty()) co_return detail::formError(std::move(errors));
  const bool enforce = input.enforce_nonce && input.nonce && !input.nonce->empty();
  const std::string channel_id = id(channel.id);
  const std::string author_id = id(context.user_id);
  const std::string nonce_window = std::to_string(kNonceWindowSeconds);

  // Every query runs on a connection taken for it alone and given back before the next one: a
  // send never holds one pooled connection while it waits for another (at as many concurrent
  // sends as connections, that would leave the pool dry).
  const char* const repeat_sql = "SELECT id FROM messages WHERE author_id = $1 AND channel_id = $2 AND nonce = $3 "
                                 "AND created_at > now() - make_interval(secs => $4)";
  // An enforce_nonce repeat within the window answers with the first message.
  const auto repeated = [&]() -> asio::awaitable<core::Result<std::optional<Message>>> {
    store::Params params{author_id, channel_id, *input.nonce, nonce_window};
    auto found = co_await pool.query(repeat_sql, std::move(params));
    if (!found) co_return std::unexpected(found.error());
    if (found->rows() == 0) co_return std::optional<Message>();
    auto first = co_await loadOne(pool, channel.id, u64(*found, 0, 0), context.user_id);
    if (!first) co_return std::unexpected(first.error());
    co_return std::optional<Message>(std::move(*first));
  };

  const RawMentions raw = scanMentions(input.content);
  const bool slowmode_exempt =
      (permissions & (perm::kManageMessages | perm::kManageChannels | perm::kBypassSlowmode)) != 0;
  const bool bypass_slowmode = channel.rate_limit_per_user <= 0 || slowmode_exempt;
  // Access from the cache serves a plain send only: its guard covers permissions, membership, the
  // session, a timeout and the channel's slowmode, not who may be mentioned or what is replied to.
  const bool plain = bypass_slowmode && !enforce && input.attachments.empty();
  if (guard && (!plain || input.reference_id != 0 || !raw.users.empty() || !raw.roles.empty() || raw.everyone)) {
    co_return core::fail(ErrorCode::kStaleRead, "This send reads its access afresh");
  }
  // What the send must read first, in one round trip: an earlier send of this nonce, the message
  // replied to (and the users it mentions), who may be mentioned.
  const bool may_reply = input.reference_id != 0 && (permissions & perm::kReadMessageHistory) != 0;
  std::vector<store::Statement> reads;
  std::optional<std::size_t> repeat_at, reference_at, mentions_at;
  if (enforce) {
    repeat_at = reads.size();
    reads.push_back({repeat_sql, {author_id, channel_id, *input.nonce, nonce_window}});
  }
  if (may_reply) {
    // Replies point into the same channel, at a message the author can read.
    reference_at = reads.size();
    reads.push_back({std::string("SELECT ") + kMessageColumns +
                         " FROM messages m JOIN users u ON u.id = m.author_id WHERE m.id = $1 AND m.channel_id = $2",
                     {id(input.reference_id), channel_id}});
    reads.push_back({"SELECT u.id, u.username, coalesce(u.display_name, ''), coalesce(u.avatar, '') "
                     "FROM messages m JOIN users u ON u.id = ANY(m.mentions) WHERE m.id = $1 AND m.channel_id = $2",
                     {id(input.reference_id), channel_id}});
  }
  if (auto statement = mentionStatement(context, channel, raw.users)) {
    mentions_at = reads.size();
    reads.push_back(std::move(*statement));
  }
  std::vector<store::PgResult> read;
  if (!reads.empty()) {
    auto results = co_await pool.pipeline(std::move(reads));
    if (!results) co_return std::unexpected(results.error());
    read = std::move(*results);
  }
  if (repeat_at && read[*repeat_at].rows() > 0) {
    auto first = co_await loadOne(pool, channel.id, u64(read[*repeat_at], 0, 0), context.user_id);
    if (!first) co_return std::unexpected(first.error());
    co_return Sent{std::move(*first), false};
  }
  std::shared_ptr<const Message> referenced;
  if (input.reference_id != 0) {
    if (!reference_at || read[*reference_at].rows() == 0) {
      co_return fieldError("message_reference", "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "Unknown message");
    }
    Row row = std::move(parseRows(read[*reference_at]).front());
    const store::PgResult& users = read[*reference_at + 1];
    for (const auto user_id : row.mention_ids) {
      for (int user_row = 0; user_row < users.rows(); ++user_row) {
        if (u64(users, user_row, 0) != user_id) continue;
        row.message.mentions.push_back({user_id, std::string(users.text(user_row, 1)),
                                        std::string(users.text(user_row, 2)), std::string(users.text(user_row, 3))});
        break;
      }
    }
    referenced = std::make_shared<const Message>(std::move(row.message));
  }
  Mentions mentions =
      mentionsFrom(context, channel, raw.users, raw.everyone, raw.roles, mentions_at ? &read[*mentions_at] : nullptr);

  // The write: one statement (two with enforce_nonce), one round trip, one implicit transaction
  // committed durably before the answer. It touches no shared row: a channel's concurrent sends
  // commit together (the channel's last_message_id is read from messages, see kChannelColumns).
  const std::string slowmode_seconds = std::to_string(channel.rate_limit_per_user);
  const std::uint64_t message_id = ids_.next();
  std::vector<store::Statement> writes;
  if (enforce) {
    // A nonce past the window may be used again: release it from the old message.
    writes.push_back({"UPDATE messages SET nonce = NULL WHERE author_id = $1 AND channel_id = $2 "
                      "AND nonce = $3 AND created_at <= now() - make_interval(secs => $4)",
                      {author_id, channel_id, *input.nonce, nonce_window}});
  }
  store::Params insert_params{id(message_id),
                              channel_id,
                              channel.guild_id == 0 ? std::nullopt : std::optional(id(channel.guild_id)),
                              author_id,
                              input.content,
                              enforce ? input.nonce : std::nullopt,
                              input.reference_id == 0 ? std::nullopt : std::optional(id(input.reference_id)),
                              mentions.everyone ? "true" : "false",
                              idArray(mentions.users),
                              idArray(mentions.roles)};
  // The stored message with what the answer adds to it.
  const auto sent = [&](Message message, std::vector<Attachment> attachments) {
    message.mentions = std::move(mentions.summaries);
    message.referenced = std::move(referenced);
    message.attachments = std::move(attachments);
    return Sent{std::move(message), true};
  };
  if (plain) {
    // Nothing to claim or release: the insert alone, made together with other sends.
    // A guarded send not exempt from slowmode relied on the kept channel having none.
    PlainInsert plain_insert{std::move(insert_params), guard, !slowmode_exempt};
    auto stored = co_await insertPlain(pool, std::move(plain_insert));
    if (!stored) co_return std::unexpected(stored.error());
    co_return sent(std::move(stored->message), {});
  }
  std::string insert_sql;
  if (!bypass_slowmode) {
    // Slowmode claims the user's slot in the same statement, and the message is inserted only if
    // it was claimed: a racing send waits for this row and then fails the condition, so two sends
    // never both pass.
    insert_sql = "WITH claim AS (INSERT INTO slowmode_state (channel_id, user_id, last_sent_at) "
                 "VALUES ($2::bigint, $4::bigint, now()) ON CONFLICT (channel_id, user_id) DO UPDATE "
                 "SET last_sent_at = now() "
                 "WHERE slowmode_state.last_sent_at <= now() - make_interval(secs => $11::int) RETURNING 1), ";
  } else {
    insert_sql = "WITH ";
  }
  // Racing enforce_nonce repeats meet on the unique index: the later one waits for the first to
  // commit and then inserts nothing.
  insert_sql += fmt::format("m AS (INSERT INTO messages ({}) SELECT {}", kInsertColumns, insertValues(1)) +
                (bypass_slowmode ? "" : " WHERE EXISTS (SELECT 1 FROM claim)") +
                " ON CONFLICT (author_id, channel_id, nonce) WHERE nonce IS NOT NULL DO NOTHING RETURNING *) "
                "SELECT " +
                kMessageColumns + " FROM m JOIN users u ON u.id = m.author_id";
  if (!bypass_slowmode) insert_params.push_back(slowmode_seconds);
  const std::size_t message_at = writes.size();
  writes.push_back({std::move(insert_sql), std::move(insert_params)});
  // Attachments in the same implicit transaction, only if the message went in.
  std::vector<Attachment> attachments;
  for (std::size_t position = 0; position < input.attachments.size(); ++position) {
    const NewAttachment& file = input.attachments[position];
    Attachment attachment{ids_.next(), file.filename, file.description, file.content_type,
                          file.size,   file.width,    file.height};
    const auto optional = [](const std::string& text) {
      return text.empty() ? std::nullopt : std::optional<std::string>(text);
    };
    const auto dimension = [&](int value) {
      return file.width > 0 ? std::optional<std::string>(std::to_string(value)) : std::nullopt;
    };
    writes.push_back(
        {"INSERT INTO attachments (id, message_id, channel_id, uploader_id, position, filename, "
         "description, content_type, size, sha256, preview_sha256, preview_type, width, height) "
         "SELECT $1::bigint, $2::bigint, $3::bigint, $4::bigint, $5::smallint, $6, $7, $8, $9::bigint, "
         "$10, $11, $12, $13::int, $14::int WHERE EXISTS (SELECT 1 FROM messages WHERE id = $2::bigint)",
         {id(attachment.id), id(message_id), channel_id, author_id, std::to_string(position), file.filename,
          optional(file.description), file.content_type, std::to_string(file.size), file.sha256,
          optional(file.preview_sha256), optional(file.preview_type), dimension(file.width), dimension(file.height)}});
    attachments.push_back(std::move(attachment));
  }
  auto written = co_await pool.pipeline(std::move(writes));
  if (!written) co_return std::unexpected(written.error());
  const store::PgResult& stored = (*written)[message_at];
  if (stored.rows() == 0) {
    // Nothing inserted: a repeat of this nonce got there first (it may also have taken the
    // slowmode slot), or slowmode refused.
    if (enforce) {
      auto first = co_await repeated();
      if (!first) co_return std::unexpected(first.error());
      if (*first) co_return Sent{std::move(**first), false};
    }
    if (bypass_slowmode) co_return core::fail(ErrorCode::kDatabase, "The message could not be stored");
    store::Params wait_params{channel_id, author_id, slowmode_seconds};
    auto wait = co_await pool.query("SELECT greatest(extract(epoch FROM last_sent_at + make_interval(secs => $3) - "
                                    "clock_timestamp()), 0)::float8 FROM slowmode_state "
                                    "WHERE channel_id = $1 AND user_id = $2",
                                    std::move(wait_params));
    if (!wait) co_return std::unexpected(wait.error());
    slowmode.retry_after = wait->rows() == 0 ? 0.0 : std::stod(std::string(wait->text(0, 0)));
    co_return core::fail(ErrorCode::kRateLimited, "You are being rate limited.");
  }
  co_return sent(std::move(parseRows(stored).front().message), std::move(attachments));
}

asio::awaitable<core::Result<std::vector<Message>>> Messages::history(store::PgPool& pool, const GuildContext& context,
                                                                      const Channel& channel, HistoryQuery query) {
  if (auto error = notText(channel)) co_return std::unexpected(*error);
  if ((context.in(channel)&perm::kReadMessageHistory) == 0) co_return missingPermissions();
  const int limit = std::clamp(query.limit, 1, 100);
  std::vector<std::optional<std::string>> params{id(channel.id)};
  std::string where;
  // The channel is matched as a range of one value, ordered by messages_channel's own columns:
  // with `channel_id = $1`, PostgreSQL's generic plan may walk the primary key instead, which for
  // a quiet channel in a busy server reads most of the table.
  if (query.around != 0) {
    // Centred on the message: up to limit/2 newer ones, the rest from it downwards.
    const int newer = limit / 2;
    params.push_back(id(query.around));
    where = fmt::format("m.id IN (SELECT id FROM ((SELECT id FROM messages WHERE {} AND id > $2 "
                        "ORDER BY {} LIMIT {}) UNION ALL (SELECT id FROM messages WHERE {} AND id <= $2 "
                        "ORDER BY {} LIMIT {})) page)",
                        kInChannel, kOldestFirst, newer, kInChannel, kNewestFirst, limit - newer);
  } else if (query.after != 0) {
    params.push_back(id(query.after));
    where = fmt::format("m.id IN (SELECT id FROM messages WHERE {} AND id > $2 ORDER BY {} LIMIT {})", kInChannel,
                        kOldestFirst, limit);
  } else if (query.before != 0) {
    params.push_back(id(query.before));
    where = fmt::format("m.id IN (SELECT id FROM messages WHERE {} AND id < $2 ORDER BY {} LIMIT {})", kInChannel,
                        kNewestFirst, limit);
  } else {
    where =
        fmt::format("m.id IN (SELECT id FROM messages WHERE {} ORDER BY {} LIMIT {})", kInChannel, kNewestFirst, limit);
  }
  co_return co_await load(pool, std::move(where), std::move(params), true, context.user_id);
}

asio::awaitable<core::Result<Message>> Messages::get(store::PgPool& pool, const GuildContext& context,
                                                     const Channel& channel, std::uint64_t message_id) {
  if (auto error = notText(channel)) co_return std::unexpected(*error);
  if ((context.in(channel)&perm::kReadMessageHistory) == 0) co_return missingPermissions();
  co_return co_await loadOne(pool, channel.id, message_id, context.user_id);
}

asio::awaitable<core::Result<Message>> Messages::edit(store::PgPool& pool, const GuildContext& context,
                                                      const Channel& channel, std::uint64_t message_id,
                                                      std::optional<std::string> new_content,
                                                      std::optional<std::vector<std::uint64_t>> keep_attachments) {
  if (auto error = notText(channel)) co_return std::unexpected(*error);
  auto message = co_await loadOne(pool, channel.id, message_id, context.user_id);
  if (!message) co_return std::unexpected(message.error());
  if (!maySee(context, channel, message->author.id)) co_return unknownMessage();
  if (message->author.id != context.user_id) {
    co_return core::fail(ErrorCode::kMissingPermissions, "Cannot edit a message authored by another user");
  }
  std::vector<std::uint64_t> dropped;
  std::size_t kept = message->attachments.size();
  if (keep_attachments) {
    const std::set<std::uint64_t> keep(keep_attachments->begin(), keep_attachments->end());
    kept = 0;
    for (const auto& attachment : message->attachments) {
      if (keep.contains(attachment.id)) {
        ++kept;
      } else {
        dropped.push_back(attachment.id);
      }
    }
  }
  const std::string content = new_content ? std::move(*new_content) : message->content;
  if (auto error = checkContent(content, kept > 0)) co_return detail::formError({*error});
  auto mentions = co_await parseMentions(pool, context, channel, content);
  if (!mentions) co_return std::unexpected(mentions.error());
  store::Params params{
      id(message_id),           id(channel.id),          content, mentions->everyone ? "true" : "false",
      idArray(mentions->users), idArray(mentions->roles)};
  std::vector<store::Statement> writes;
  writes.push_back({"UPDATE messages SET content = $3, edited_at = now(), mention_everyone = $4, "
                    "mentions = $5::bigint[], mention_roles = $6::bigint[] "
                    "WHERE id = $1 AND channel_id = $2",
                    std::move(params)});
  if (!dropped.empty()) {
    writes.push_back({"DELETE FROM attachments WHERE message_id = $1 AND id = ANY($2::bigint[])",
                      {id(message_id), idArray(dropped)}});
  }
  auto updated = co_await pool.pipeline(std::move(writes));
  if (!updated) co_return std::unexpected(updated.error());
  if (updated->front().affectedRows() == 0) co_return unknownMessage(); // deleted in the meantime
  co_return co_await loadOne(pool, channel.id, message_id, context.user_id);
}

asio::awaitable<core::Result<StoredAttachment>> Messages::attachment(store::PgPool& pool, const GuildContext& context,
                                                                     const Channel& channel,
                                                                     std::uint64_t attachment_id) {
  if ((context.in(channel)&perm::kReadMessageHistory) == 0) co_return missingPermissions();
  store::Params params{id(attachment_id), id(channel.id)};
  const std::string sql =
      std::string("SELECT ") + kAttachmentColumns + " FROM attachments a WHERE a.id = $1 AND a.channel_id = $2";
  auto found = co_await pool.query(sql, std::move(params));
  if (!found) co_return std::unexpected(found.error());
  if (found->rows() == 0) co_return core::fail(ErrorCode::kNotFound, "Unknown Attachment");
  co_return parseAttachment(*found, 0);
}

asio::awaitable<core::Result<std::uint64_t>> Messages::storageUsed(store::PgPool& pool, std::uint64_t user_id) {
  store::Params params{id(user_id)};
  auto found =
      co_await pool.query("SELECT coalesce(sum(size), 0) FROM attachments WHERE uploader_id = $1", std::move(params));
  if (!found) co_return std::unexpected(found.error());
  co_return u64(*found, 0, 0);
}

asio::awaitable<core::Result<void>> Messages::remove(store::PgPool& pool, const GuildContext& context,
                                                     const Channel& channel, std::uint64_t message_id) {
  if (auto error = notText(channel)) co_return std::unexpected(*error);
  store::Params params{id(message_id), id(channel.id)};
  auto found =
      co_await pool.query("SELECT author_id FROM messages WHERE id = $1 AND channel_id = $2", std::move(params));
  if (!found) co_return std::unexpected(found.error());
  if (found->rows() == 0) co_return unknownMessage();
  const std::uint64_t author = u64(*found, 0, 0);
  if (!maySee(context, channel, author)) co_return unknownMessage();
  if (author != context.user_id && (context.in(channel)&perm::kManageMessages) == 0) co_return missingPermissions();
  store::Params delete_params{id(message_id), id(channel.id)};
  const std::string delete_sql =
      detail::deleteMessagesSql("DELETE FROM messages WHERE id = $1 AND channel_id = $2 RETURNING id, channel_id");
  auto deleted = co_await pool.query(delete_sql, std::move(delete_params));
  if (!deleted) co_return std::unexpected(deleted.error());
  if (deleted->rows() == 0) co_return unknownMessage();
  co_return core::Result<void>();
}

asio::awaitable<core::Result<std::vector<std::uint64_t>>> Messages::bulkRemove(store::PgPool& pool,
                                                                               const GuildContext& context,
                                                                               const Channel& channel,
                                                                               std::vector<std::uint64_t> message_ids) {
  if (auto error = notText(channel)) co_return std::unexpected(*error);
  if ((context.in(channel)&perm::kManageMessages) == 0) co_return missingPermissions();
  const auto count = static_cast<int>(message_ids.size());
  if (count < kBulkMin || count > kBulkMax) {
    co_return fieldError("messages", "BASE_TYPE_BAD_LENGTH",
                         fmt::format("Must be between {} and {} in length.", kBulkMin, kBulkMax));
  }
  const std::set<std::uint64_t> distinct(message_ids.begin(), message_ids.end());
  if (distinct.size() != message_ids.size()) {
    co_return fieldError("messages", "BULK_DELETE_DUPLICATE", "Message ids must be distinct.");
  }
  // Age by the ids' own time and by the stored time: neither may be 14 days or older.
  const auto now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  const std::int64_t oldest_ms = now_ms - std::int64_t{kBulkMaxAgeDays} * 24 * 3600 * 1000;
  const auto too_old = [] {
    return fieldError("messages", "BULK_DELETE_MESSAGE_TOO_OLD",
                      "You can only bulk delete messages that are under 14 days old.");
  };
  for (const auto message_id : message_ids) {
    if (core::decodeSnowflake(message_id).unix_millis < oldest_ms) co_return too_old();
  }
  const std::string ids_text = idArray(message_ids);
  const std::string age = std::to_string(kBulkMaxAgeDays);
  store::Params old_params{id(channel.id), ids_text, age};
  auto old = co_await pool.query("SELECT count(*) FROM messages WHERE channel_id = $1 AND id = ANY($2::bigint[]) "
                                 "AND created_at <= now() - make_interval(days => $3::int)",
                                 std::move(old_params));
  if (!old) co_return std::unexpected(old.error());
  if (old->integer(0, 0).value_or(0) > 0) co_return too_old();
  store::Params delete_params{id(channel.id), ids_text};
  const std::string delete_sql = detail::deleteMessagesSql(
      "DELETE FROM messages WHERE channel_id = $1 AND id = ANY($2::bigint[]) RETURNING id, channel_id");
  auto deleted = co_await pool.query(delete_sql, std::move(delete_params));
  if (!deleted) co_return std::unexpected(deleted.error());
  std::vector<std::uint64_t> out;
  for (int row = 0; row < deleted->rows(); ++row)
    out.push_back(u64(*deleted, row, 0));
  std::sort(out.begin(), out.end());
  co_return out;
}

} // namespace hearth::domain
