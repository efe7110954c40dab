#pragma once
// Message search (docs/search.md): PostgreSQL full-text search over the messages of what the
// actor may read now. Which channels and threads that is comes from GuildContext::in, the one
// permission computation (overwrites, roles, timeouts, and threadPermissions for threads), never
// from a second algorithm in SQL: the statement is given the readable channel ids.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "core/error.hpp"
#include "domain/guilds.hpp"
#include "domain/messages.hpp"

namespace hearth::store {
class PgPool;
}

namespace hearth::domain {

//! What to look for; every filter given must hold (channel ids, authors and mentions: any of).
struct SearchQuery {
  std::string content; //!< words; the last one matches as a prefix; empty: no text condition
  std::vector<std::uint64_t> author_ids;
  std::vector<std::uint64_t> mentions; //!< user ids mentioned
  std::vector<std::uint64_t> channel_ids; //!< server search only; empty: every readable channel
  std::optional<bool> has_link; //!< true: contains an http(s) URL; false: contains none
  bool has_unavailable = false; //!< asks for something no message has yet (files, images...)
  std::uint64_t min_id = 0; //!< only ids greater than this (0: no bound)
  std::uint64_t max_id = 0; //!< only ids smaller than this (0: no bound)
  std::optional<bool> pinned;
  bool by_relevance = true; //!< false: by time; relevance without content is by time too
  bool ascending = false;
  int offset = 0; //!< 0 to kMaxOffset
  int limit = 25; //!< 1 to kMaxLimit
};

struct SearchResult {
  std::int64_t total = 0; //!< every match, not only this page
  std::vector<Message> messages; //!< the page, in the order asked
};

class Search {
public:
  static constexpr int kMaxLimit = 25; //!< Discord's
  static constexpr int kMaxOffset = 9975; //!< Discord's
  static constexpr std::size_t kMaxContent = 1024; //!< characters (code points)
  static constexpr std::size_t kMaxFilterValues = 100; //!< ids per repeatable filter

  Search(Guilds& guilds, Messages& messages) : guilds_(guilds), messages_(messages) {}

  //! The server's text and voice channels where the actor has VIEW_CHANNEL and
  //! READ_MESSAGE_HISTORY, and the threads under them they may see (a private one: its members
  //! and MANAGE_THREADS holders). `context` must be a member's (Guilds::context refuses others).
  boost::asio::awaitable<core::Result<SearchResult>> inGuild(store::PgPool& pool, const GuildContext& context,
                                                             SearchQuery query);
  //! One channel the actor sees (a DM, a group DM, or a server channel or thread); kMissingPermissions
  //! without READ_MESSAGE_HISTORY.
  boost::asio::awaitable<core::Result<SearchResult>> inChannel(store::PgPool& pool, const GuildContext& context,
                                                               const Channel& channel, SearchQuery query);

  //! The server channels and threads the actor may search (both permissions), by id. Pure
  //! apart from the rows given: `threads` are the server's threads with their parent in `channels`.
  static std::vector<std::uint64_t> readableChannels(const GuildContext& context, const std::vector<Channel>& channels,
                                                     const std::vector<Channel>& threads);

private:
  boost::asio::awaitable<core::Result<SearchResult>> run(store::PgPool& pool, std::vector<std::uint64_t> channel_ids,
                                                         const SearchQuery& query, std::uint64_t viewer);

  Guilds& guilds_;
  Messages& messages_;
};

} // namespace hearth::domain
