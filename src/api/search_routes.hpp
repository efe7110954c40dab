#pragma once
// Message search over REST, as Discord's: GET /api/v1/guilds/{guild_id}/messages/search (a
// server) and GET /api/v1/channels/{channel_id}/messages/search (a DM, a group DM, or one
// channel). Answers {"total_results": N, "messages": [[message], ...]}. docs/search.md.
#include "api/route_support.hpp"
#include "net/router.hpp"

namespace hearth::domain {
class Search;
}

namespace hearth::api {

struct SearchDeps : ServerRouteDeps {
  domain::Search* search = nullptr;
};

void addSearchRoutes(net::Router& router, SearchDeps deps);

} // namespace hearth::api
