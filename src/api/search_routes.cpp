#include "api/search_routes.hpp"

#include <algorithm>
#include <array>
#include <string_view>

#include "api/message_routes.hpp"
#include "core/snowflake.hpp"
#include "domain/search.hpp"
#include "store/pg.hpp"

namespace hearth::api {

namespace asio = boost::asio;
using net::Method;
using net::Request;
using net::Response;

namespace {

// Discord's `has` values. Hearth has no attachments, embeds, stickers, polls or forwards yet,
// so asking for one of those finds nothing (and excluding it excludes nothing).
constexpr std::array<std::string_view, 9> kHasValues{"link",  "embed",   "file", "image",   "video",
                                                     "sound", "sticker", "poll", "snapshot"};

std::size_t codePoints(std::string_view text) {
  std::size_t count = 0;
  for (const char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++count;
  }
  return count;
}

// A repeatable id filter (`?author_id=1&author_id=2`).
std::vector<std::uint64_t> idsParam(const Request& request, const char* name, std::vector<core::FieldError>& errors) {
  std::vector<std::uint64_t> out;
  const auto values = request.queryParams(name);
  if (values.size() > domain::Search::kMaxFilterValues) {
    errors.push_back({name, "BASE_TYPE_MAX_LENGTH",
                      "Must have at most " + std::to_string(domain::Search::kMaxFilterValues) + " values."});
    return out;
  }
  for (const auto& value : values) {
    if (const auto parsed = core::parseSnowflake(value)) {
      out.push_back(*parsed);
    } else {
      errors.push_back({name, "NUMBER_TYPE_COERCE", "Value \"" + value + "\" is not snowflake."});
      return out;
    }
  }
  return out;
}

// One of `choices`, `fallback` when absent; a field error otherwise.
std::string choiceParam(const Request& request, const char* name, std::initializer_list<std::string_view> choices,
                        std::string_view fallback, std::vector<core::FieldError>& errors) {
  const std::string value = request.queryParam(name);
  if (value.empty()) return std::string(fallback);
  for (const auto choice : choices) {
    if (value == choice) return value;
  }
  std::string listed;
  for (const auto choice : choices)
    listed += (listed.empty() ? "" : ", ") + std::string(choice);
  errors.push_back({name, "BASE_TYPE_CHOICES", "Value must be one of " + listed + "."});
  return std::string(fallback);
}

// The query string of either route. `in_guild`: channel_id is allowed.
core::Result<domain::SearchQuery> parseSearch(const Request& request, bool in_guild) {
  domain::SearchQuery query;
  std::vector<core::FieldError> errors;
  query.content = request.queryParam("content");
  if (codePoints(query.content) > domain::Search::kMaxContent) {
    errors.push_back({"content", "BASE_TYPE_MAX_LENGTH",
                      "Must be " + std::to_string(domain::Search::kMaxContent) + " or fewer in length."});
  }
  query.author_ids = idsParam(request, "author_id", errors);
  query.mentions = idsParam(request, "mentions", errors);
  if (in_guild) {
    query.channel_ids = idsParam(request, "channel_id", errors);
  } else if (!request.queryParams("channel_id").empty()) {
    errors.push_back({"channel_id", "SEARCH_CHANNEL_IN_DM", "channel_id is for server searches only."});
  }
  for (const auto& value : request.queryParams("has")) {
    const bool negated = value.starts_with('-');
    const std::string_view kind = negated ? std::string_view(value).substr(1) : std::string_view(value);
    if (std::find(kHasValues.begin(), kHasValues.end(), kind) == kHasValues.end()) {
      errors.push_back({"has", "BASE_TYPE_CHOICES",
                        "Value must be one of link, embed, file, image, video, sound, sticker, poll, snapshot "
                        "(or one of them after -)."});
      break;
    }
    if (kind == "link") {
      if (query.has_link && *query.has_link == negated) query.has_unavailable = true; // link and -link
      query.has_link = !negated;
    } else if (!negated) {
      query.has_unavailable = true;
    }
  }
  query.min_id = snowflakeParam(request, "min_id", errors);
  query.max_id = snowflakeParam(request, "max_id", errors);
  const std::string pinned = choiceParam(request, "pinned", {"true", "false"}, "", errors);
  if (!pinned.empty()) query.pinned = pinned == "true";
  query.by_relevance = choiceParam(request, "sort_by", {"relevance", "timestamp"}, "relevance", errors) == "relevance";
  query.ascending = choiceParam(request, "sort_order", {"desc", "asc"}, "desc", errors) == "asc";
  if (const std::string offset = request.queryParam("offset"); !offset.empty()) {
    int value = 0;
    bool valid = offset.size() <= 5;
    for (const char c : offset) {
      if (c < '0' || c > '9')
        valid = false;
      else if (valid)
        value = value * 10 + (c - '0');
    }
    if (!valid || value > domain::Search::kMaxOffset) {
      errors.push_back(
          {"offset", "NUMBER_TYPE_MAX", "Must be between 0 and " + std::to_string(domain::Search::kMaxOffset) + "."});
    } else {
      query.offset = value;
    }
  }
  query.limit = limitParam(request, domain::Search::kMaxLimit, domain::Search::kMaxLimit, errors)
                    .value_or(domain::Search::kMaxLimit);
  if (!errors.empty()) return std::unexpected(core::invalidFormBody(std::move(errors)));
  return query;
}

// Discord wraps each hit in an array (once the hit and the messages around it).
std::string resultJson(const domain::SearchResult& result) {
  std::string out = "{\"total_results\":" + std::to_string(result.total) + ",\"messages\":[";
  bool first = true;
  for (const auto& message : result.messages) {
    if (!first) out += ',';
    first = false;
    out += '[' + messageJson(message, true) + ']';
  }
  return out + "]}";
}

} // namespace

void addSearchRoutes(net::Router& router, SearchDeps deps) {
  router.add(Method::kGet, "/api/v1/guilds/{guild_id}/messages/search",
             [deps](Request& request) -> asio::awaitable<Response> {
               auto actor = co_await actorIn(deps, request);
               if (!actor) co_return net::errorResponse(actor.error());
               auto query = parseSearch(request, true);
               if (!query) co_return net::errorResponse(query.error());
               auto& pool = *deps.pools.at(request.worker);
               auto found = co_await deps.search->inGuild(pool, actor->context, std::move(*query));
               if (!found) co_return net::errorResponse(found.error());
               co_return net::jsonResponse(200, resultJson(*found));
             });

  router.add(Method::kGet, "/api/v1/channels/{channel_id}/messages/search",
             [deps](Request& request) -> asio::awaitable<Response> {
               auto actor = co_await actorInChannel(deps, request);
               if (!actor) co_return net::errorResponse(actor.error());
               auto query = parseSearch(request, false);
               if (!query) co_return net::errorResponse(query.error());
               auto& pool = *deps.pools.at(request.worker);
               auto found = co_await deps.search->inChannel(pool, actor->context, actor->channel, std::move(*query));
               if (!found) co_return net::errorResponse(found.error());
               co_return net::jsonResponse(200, resultJson(*found));
             });
}

} // namespace hearth::api
