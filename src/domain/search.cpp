#include "domain/search.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "domain/internal.hpp"
#include "domain/permissions.hpp"
#include "store/pg.hpp"

namespace hearth::domain {

namespace asio = boost::asio;
using detail::id;
using detail::u64;

namespace {

constexpr Permissions kReadable = perm::kViewChannel | perm::kReadMessageHistory;

// The stored to_tsvector('simple', content), indexed by messages_search (0009_search.sql).
constexpr const char* kVector = "m.search_vector";

using store::idArray;

bool carriesMessages(ChannelType type) { return type == ChannelType::kText || type == ChannelType::kVoice; }

// The words before the last whitespace and the last word, so the last can match as a prefix
// (what someone is still typing): "hello wor" finds "hello world".
std::pair<std::string, std::string> splitLastWord(std::string_view text) {
  const auto isSpace = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; };
  std::size_t end = text.size();
  while (end > 0 && isSpace(text[end - 1]))
    --end;
  std::size_t start = end;
  while (start > 0 && !isSpace(text[start - 1]))
    --start;
  return {std::string(text.substr(0, start)), std::string(text.substr(start, end - start))};
}

// Builds a statement's text and its parameters together, so numbers can't drift apart.
class SqlBuilder {
public:
  std::string param(std::optional<std::string> value) {
    params_.push_back(std::move(value));
    return "$" + std::to_string(params_.size());
  }
  store::Params params() const { return params_; }

private:
  store::Params params_;
};

} // namespace

std::vector<std::uint64_t> Search::readableChannels(const GuildContext& context, const std::vector<Channel>& channels,
                                                    const std::vector<Channel>& threads) {
  std::map<std::uint64_t, const Channel*> readable_parents;
  std::vector<std::uint64_t> out;
  for (const auto& channel : channels) {
    if (!carriesMessages(channel.type) || (context.in(channel)&kReadable) != kReadable) continue;
    readable_parents[channel.id] = &channel;
    out.push_back(channel.id);
  }
  for (const auto& thread : threads) {
    const auto parent = readable_parents.find(thread.parent_id);
    if (parent == readable_parents.end() || !thread.thread) continue;
    // A thread's permissions are its parent's overwrites through threadPermissions: exactly
    // what opening the thread would check.
    Channel as_seen = thread;
    as_seen.overwrites = parent->second->overwrites;
    if ((context.in(as_seen)&kReadable) == kReadable) out.push_back(thread.id);
  }
  return out;
}

asio::awaitable<core::Result<SearchResult>> Search::inGuild(store::PgPool& pool, const GuildContext& context,
                                                            SearchQuery query) {
  // What the permission computation needs and nothing more, in one round trip: the text and voice
  // channels with their overwrites, and every thread with whether the searcher is a member (a
  // private thread's rule). Not Guilds::channels: its last_message_id probe per channel costs a
  // walk of the messages' primary key for each empty channel of a large server (bench/README.md).
  const std::string guild = id(context.guild.id);
  std::vector<store::Statement> statements;
  statements.push_back({"SELECT id, type FROM channels WHERE guild_id = $1 AND type IN (0, 2)", {guild}});
  statements.push_back({"SELECT o.channel_id, o.target_id, o.type, o.allow, o.deny FROM permission_overwrites o "
                        "JOIN channels c ON c.id = o.channel_id WHERE c.guild_id = $1 AND c.type IN (0, 2)",
                        {guild}});
  statements.push_back({"SELECT c.id, c.type, c.thread_parent_id, EXISTS (SELECT 1 FROM thread_members tm WHERE "
                        "tm.thread_id = c.id AND tm.user_id = $2) FROM channels c WHERE c.guild_id = $1 AND c.type "
                        "IN (11, 12)",
                        {guild, id(context.user_id)}});
  auto results = co_await pool.pipeline(std::move(statements));
  if (!results) co_return std::unexpected(results.error());
  const auto& channel_rows = (*results)[0];
  std::vector<Channel> channels(static_cast<std::size_t>(channel_rows.rows()));
  std::map<std::uint64_t, Channel*> by_id;
  for (int row = 0; row < channel_rows.rows(); ++row) {
    Channel& channel = channels[static_cast<std::size_t>(row)];
    channel.id = u64(channel_rows, row, 0);
    channel.guild_id = context.guild.id;
    channel.type = static_cast<ChannelType>(detail::i32(channel_rows, row, 1));
    by_id[channel.id] = &channel;
  }
  const auto& overwrite_rows = (*results)[1];
  for (int row = 0; row < overwrite_rows.rows(); ++row) {
    const auto found = by_id.find(u64(overwrite_rows, row, 0));
    if (found == by_id.end()) continue;
    found->second->overwrites.push_back(
        {u64(overwrite_rows, row, 1),
         detail::i32(overwrite_rows, row, 2) == 1 ? OverwriteType::kMember : OverwriteType::kRole,
         static_cast<Permissions>(overwrite_rows.integer(row, 3).value_or(0)),
         static_cast<Permissions>(overwrite_rows.integer(row, 4).value_or(0))});
  }
  const auto& thread_rows = (*results)[2];
  std::vector<Channel> threads;
  threads.reserve(static_cast<std::size_t>(thread_rows.rows()));
  for (int row = 0; row < thread_rows.rows(); ++row) {
    Channel thread;
    thread.id = u64(thread_rows, row, 0);
    thread.guild_id = context.guild.id;
    thread.type = static_cast<ChannelType>(detail::i32(thread_rows, row, 1));
    thread.parent_id = u64(thread_rows, row, 2);
    thread.thread = ThreadState{};
    if (thread_rows.text(row, 3) == "t") thread.thread->members.push_back(context.user_id);
    threads.push_back(std::move(thread));
  }
  std::vector<std::uint64_t> readable = readableChannels(context, channels, threads);
  if (!query.channel_ids.empty()) {
    // Channels asked for but not readable are left out silently, as if they had no match: an
    // error would tell that a hidden channel exists.
    const std::set<std::uint64_t> asked(query.channel_ids.begin(), query.channel_ids.end());
    std::erase_if(readable, [&](std::uint64_t channel_id) { return !asked.contains(channel_id); });
  }
  co_return co_await run(pool, std::move(readable), query, context.user_id);
}

asio::awaitable<core::Result<SearchResult>> Search::inChannel(store::PgPool& pool, const GuildContext& context,
                                                              const Channel& channel, SearchQuery query) {
  if ((context.in(channel)&perm::kReadMessageHistory) == 0) co_return detail::missingPermissions();
  std::vector<std::uint64_t> ids{channel.id};
  co_return co_await run(pool, std::move(ids), query, context.user_id);
}

asio::awaitable<core::Result<SearchResult>> Search::run(store::PgPool& pool, std::vector<std::uint64_t> channel_ids,
                                                        const SearchQuery& query, std::uint64_t viewer) {
  SearchResult out;
  if (channel_ids.empty() || query.has_unavailable) co_return out;
  SqlBuilder sql;
  std::string with;
  std::string where = "m.channel_id = ANY(" + sql.param(idArray(channel_ids)) + "::bigint[])";
  const bool text = !query.content.empty();
  if (text) {
    // plainto_tsquery for the leading words (the same parser as the index, so "e-mail" or
    // "example.com" are read as in messages), the last word's lexemes as prefixes. An empty
    // operand of && leaves the other; a query with no word at all matches nothing.
    auto [head, last] = splitLastWord(query.content);
    with = "WITH q AS (SELECT plainto_tsquery('simple', " + sql.param(std::move(head)) +
           ") && coalesce((SELECT string_agg('''' || replace(replace(t.lexeme, '\\', '\\\\'), '''', '''''') || "
           "''':*', ' & ') FROM unnest(to_tsvector('simple', " +
           sql.param(std::move(last)) + ")) t)::tsquery, ''::tsquery) AS tsq) ";
    where += std::string(" AND ") + kVector + " @@ q.tsq";
  }
  if (!query.author_ids.empty())
    where += " AND m.author_id = ANY(" + sql.param(idArray(query.author_ids)) + "::bigint[])";
  if (!query.mentions.empty()) where += " AND m.mentions && " + sql.param(idArray(query.mentions)) + "::bigint[]";
  if (query.has_link) {
    where += *query.has_link ? " AND " : " AND NOT ";
    where += "m.content ~* 'https?://[^[:space:]]'";
  }
  if (query.min_id != 0) where += " AND m.id > " + sql.param(id(query.min_id)) + "::bigint";
  if (query.max_id != 0) where += " AND m.id < " + sql.param(id(query.max_id)) + "::bigint";
  if (query.pinned) where += *query.pinned ? " AND m.pinned" : " AND NOT m.pinned";
  const std::string from = std::string(" FROM messages m") + (text ? ", q" : "") + " WHERE " + where;
  const char* direction = query.ascending ? " ASC" : " DESC";
  std::string order = " ORDER BY ";
  if (text && query.by_relevance) order += std::string("ts_rank(") + kVector + ", q.tsq)" + direction + ", ";
  // With words, `m.id + 0` keeps the planner on the text index: the tsquery is only known at run
  // time, so it guesses thousands of matches and would walk the primary key newest first,
  // filtering, to fill a page; for a rare word in a million messages that read them all (10 s in
  // the benchmark) where the index finds the few at once and sorting them is free.
  order += std::string(text ? "m.id + 0" : "m.id") + direction;
  const std::string page_sql = with + "SELECT m.id" + from + order + " OFFSET " +
                               sql.param(std::to_string(query.offset)) + " LIMIT " +
                               sql.param(std::to_string(std::clamp(query.limit, 1, kMaxLimit)));
  // The count reads the same parameters; the page's OFFSET and LIMIT come last and go unused.
  const std::string count_sql = with + "SELECT count(*)" + from;
  store::Params page_params = sql.params();
  store::Params count_params(page_params.begin(), page_params.end() - 2);
  std::vector<store::Statement> statements{{count_sql, std::move(count_params)}, {page_sql, std::move(page_params)}};
  auto results = co_await pool.pipeline(std::move(statements));
  if (!results) co_return std::unexpected(results.error());
  out.total = (*results)[0].integer(0, 0).value_or(0);
  const auto& page = (*results)[1];
  std::vector<std::uint64_t> ids;
  ids.reserve(static_cast<std::size_t>(page.rows()));
  for (int row = 0; row < page.rows(); ++row)
    ids.push_back(u64(page, row, 0));
  auto messages = co_await messages_.byIds(pool, std::move(ids), viewer);
  if (!messages) co_return std::unexpected(messages.error());
  out.messages = std::move(*messages);
  co_return out;
}

} // namespace hearth::domain
