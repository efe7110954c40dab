#include "api/reaction_routes.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "api/auth_routes.hpp"
#include "api/json_objects.hpp"
#include "api/message_routes.hpp"
#include "core/snowflake.hpp"
#include "domain/reactions.hpp"
#include "domain/read_states.hpp"
#include "net/json_body.hpp"
#include "store/pg.hpp"

namespace hearth::api {

namespace asio = boost::asio;
namespace json = boost::json;
using net::Method;
using net::Request;
using net::Response;

namespace {

constexpr const char* kMessagePath = "/api/v1/channels/{channel_id}/messages/{message_id}";

std::string path(const char* suffix) { return std::string(kMessagePath) + suffix; }

std::optional<std::uint64_t> messageIdOf(const Request& request) {
  return core::parseSnowflake(request.param("message_id"));
}

// {emoji} arrives percent-encoded; a broken escape decodes to nothing, which no emoji is.
std::string emojiOf(const Request& request) {
  std::string out;
  if (!net::percentDecode(request.param("emoji"), out, false)) return {};
  return out;
}

std::string id(std::uint64_t value) { return core::snowflakeToString(value); }

// The ids every reaction event carries; guild_id only in a server (a DM has none).
json::object eventBase(const domain::Channel& channel, std::uint64_t message_id) {
  json::object out;
  out["channel_id"] = id(channel.id);
  out["message_id"] = id(message_id);
  if (channel.guild_id != 0) out["guild_id"] = id(channel.guild_id);
  return out;
}

json::object emojiObject(const std::string& emoji) { return json::object{{"id", nullptr}, {"name", emoji}}; }

// ?name=true|false, `fallback` when absent.
bool flagParam(const Request& request, const char* name, bool fallback, std::vector<core::FieldError>& errors) {
  const std::string text = request.queryParam(name);
  if (text.empty()) return fallback;
  if (text == "true") return true;
  if (text == "false") return false;
  errors.push_back({name, "BASE_TYPE_BOOLEAN", "Must be true or false."});
  return fallback;
}

Response unknownMessage() { return net::errorResponse(core::ErrorCode::kUnknownMessage, "Unknown Message"); }

// Pin and unpin share everything but the direction.
net::Handler pinHandler(ReactionDeps deps, bool pinned) {
  return [deps, pinned](Request& request) -> asio::awaitable<Response> {
    auto actor = co_await actorInChannel(deps, request);
    if (!actor) co_return net::errorResponse(actor.error());
    const auto message_id = messageIdOf(request);
    if (!message_id) co_return unknownMessage();
    auto& pool = *deps.pools.at(request.worker);
    std::string reason = reasonOf(request);
    core::Result<domain::PinChange> change;
    if (pinned) {
      change = co_await deps.reactions->pin(pool, actor->context, actor->channel, *message_id, std::move(reason));
    } else {
      change = co_await deps.reactions->unpin(pool, actor->context, actor->channel, *message_id, std::move(reason));
    }
    if (!change) co_return net::errorResponse(change.error());
    if (change->changed) {
      const auto& channel = actor->channel;
      publish(deps, "MESSAGE_UPDATE", channel.guild_id, messageJson(change->message, false), channel.id);
      json::object data;
      if (channel.guild_id != 0) data["guild_id"] = id(channel.guild_id);
      data["channel_id"] = id(channel.id);
      data["last_pin_timestamp"] = orNull(change->last_pin_timestamp);
      publish(deps, "CHANNEL_PINS_UPDATE", channel.guild_id, json::serialize(data), channel.id);
    }
    co_return noContent();
  };
}

// DELETE of one user's reaction (@me or {user_id}).
net::Handler removeReactionHandler(ReactionDeps deps, bool own) {
  return [deps, own](Request& request) -> asio::awaitable<Response> {
    auto actor = co_await actorInChannel(deps, request);
    if (!actor) co_return net::errorResponse(actor.error());
    const auto message_id = messageIdOf(request);
    if (!message_id) co_return unknownMessage();
    std::uint64_t user_id = actor->claims.user_id;
    if (!own) {
      const auto parsed = core::parseSnowflake(request.param("user_id"));
      if (!parsed) co_return net::errorResponse(core::ErrorCode::kUnknownUser, "Unknown User");
      user_id = *parsed;
    }
    std::string emoji = emojiOf(request);
    auto& pool = *deps.pools.at(request.worker);
    auto change = co_await deps.reactions->remove(pool, actor->context, actor->channel, *message_id, emoji, user_id);
    if (!change) co_return net::errorResponse(change.error());
    if (change->changed) {
      json::object data = eventBase(actor->channel, *message_id);
      data["user_id"] = id(user_id);
      data["emoji"] = emojiObject(emoji);
      data["burst"] = false;
      data["type"] = 0;
      publish(deps, "MESSAGE_REACTION_REMOVE", actor->channel.guild_id, json::serialize(data), actor->channel.id);
    }
    co_return noContent();
  };
}

} // namespace

void addReactionRoutes(net::Router& router, ReactionDeps deps) {
  // --- reactions ------------------------------------------------------------------------
  router.add(Method::kPut, path("/reactions/{emoji}/@me"), [deps](Request& request) -> asio::awaitable<Response> {
    auto actor = co_await actorInChannel(deps, request);
    if (!actor) co_return net::errorResponse(actor.error());
    const auto message_id = messageIdOf(request);
    if (!message_id) co_return unknownMessage();
    std::string emoji = emojiOf(request);
    auto& pool = *deps.pools.at(request.worker);
    auto change = co_await deps.reactions->add(pool, actor->context, actor->channel, *message_id, emoji);
    if (!change) co_return net::errorResponse(change.error());
    if (change->changed) {
      json::object data = eventBase(actor->channel, *message_id);
      data["user_id"] = id(actor->claims.user_id);
      data["emoji"] = emojiObject(emoji);
      data["message_author_id"] = id(change->message_author_id);
      data["burst"] = false;
      data["type"] = 0;
      publish(deps, "MESSAGE_REACTION_ADD", actor->channel.guild_id, json::serialize(data), actor->channel.id);
    }
    co_return noContent();
  });
  router.add(Method::kDelete, path("/reactions/{emoji}/@me"), removeReactionHandler(deps, true));
  router.add(Method::kDelete, path("/reactions/{emoji}/{user_id}"), removeReactionHandler(deps, false));

  router.add(Method::kGet, path("/reactions/{emoji}"), [deps](Request& request) -> asio::awaitable<Response> {
    auto actor = co_await actorInChannel(deps, request);
    if (!actor) co_return net::errorResponse(actor.error());
    const auto message_id = messageIdOf(request);
    if (!message_id) co_return unknownMessage();
    std::vector<core::FieldError> errors;
    const auto limit =
        limitParam(request, domain::Reactions::kDefaultUserPage, domain::Reactions::kMaxUserPage, errors);
    const auto after = snowflakeParam(request, "after", errors);
    if (!errors.empty()) co_return net::errorResponse(core::invalidFormBody(std::move(errors)));
    std::string emoji = emojiOf(request);
    auto& pool = *deps.pools.at(request.worker);
    auto users = co_await deps.reactions->users(pool, actor->context, actor->channel, *message_id, std::move(emoji),
                                                after, *limit);
    if (!users) co_return net::errorResponse(users.error());
    json::array out;
    for (const auto& user : *users)
      out.push_back(publicUserObject(user));
    co_return net::jsonResponse(200, json::serialize(out));
  });

  router.add(Method::kDelete, path("/reactions"), [deps](Request& request) -> asio::awaitable<Response> {
    auto actor = co_await actorInChannel(deps, request);
    if (!actor) co_return net::errorResponse(actor.error());
    const auto message_id = messageIdOf(request);
    if (!message_id) co_return unknownMessage();
    auto& pool = *deps.pools.at(request.worker);
    auto removed = co_await deps.reactions->removeAll(pool, actor->context, actor->channel, *message_id);
    if (!removed) co_return net::errorResponse(removed.error());
    if (*removed) {
      publish(deps, "MESSAGE_REACTION_REMOVE_ALL", actor->channel.guild_id,
              json::serialize(eventBase(actor->channel, *message_id)), actor->channel.id);
    }
    co_return noContent();
  });

  router.add(Method::kDelete, path("/reactions/{emoji}"), [deps](Request& request) -> asio::awaitable<Response> {
    auto actor = co_await actorInChannel(deps, request);
    if (!actor) co_return net::errorResponse(actor.error());
    const auto message_id = messageIdOf(request);
    if (!message_id) co_return unknownMessage();
    std::string emoji = emojiOf(request);
    auto& pool = *deps.pools.at(request.worker);
    auto removed = co_await deps.reactions->removeEmoji(pool, actor->context, actor->channel, *message_id, emoji);
    if (!removed) co_return net::errorResponse(removed.error());
    if (*removed) {
      json::object data = eventBase(actor->channel, *message_id);
      data["emoji"] = emojiObject(emoji);
      publish(deps, "MESSAGE_REACTION_REMOVE_EMOJI", actor->channel.guild_id, json::serialize(data), actor->channel.id);
    }
    co_return noContent();
  });

  // --- pins -----------------------------------------------------------------------------
  router.add(Method::kGet, "/api/v1/channels/{channel_id}/pins", [deps](Request& request) -> asio::awaitable<Response> {
    auto actor = co_await actorInChannel(deps, request);
    if (!actor) co_return net::errorResponse(actor.error());
    auto& pool = *deps.pools.at(request.worker);
    auto pins = co_await deps.reactions->pins(pool, actor->context, actor->channel);
    if (!pins) co_return net::errorResponse(pins.error());
    co_return net::jsonResponse(200, messagesJson(*pins));
  });
  router.add(Method::kPut, "/api/v1/channels/{channel_id}/pins/{message_id}", pinHandler(deps, true));
  router.add(Method::kDelete, "/api/v1/channels/{channel_id}/pins/{message_id}", pinHandler(deps, false));
  router.add(
      Method::kPost, "/api/v1/channels/{channel_id}/pins/ack", [deps](Request& request) -> asio::awaitable<Response> {
        auto actor = co_await actorInChannel(deps, request);
        if (!actor) co_return net::errorResponse(actor.error());
        auto& pool = *deps.pools.at(request.worker);
        auto acked = co_await deps.read_states->ackPins(pool, actor->context, actor->channel);
        if (!acked) co_return net::errorResponse(acked.error());
        if (acked->moved) {
          json::object data;
          data["channel_id"] = id(actor->channel.id);
          data["timestamp"] = orNull(acked->timestamp);
          data["version"] = acked->version;
          publish(deps, "CHANNEL_PINS_ACK", actor->channel.guild_id, json::serialize(data), 0, {actor->claims.user_id});
        }
        co_return noContent();
      });

  // --- read states ----------------------------------------------------------------------
  router.add(Method::kPost, path("/ack"), [deps](Request& request) -> asio::awaitable<Response> {
    auto actor = co_await actorInChannel(deps, request);
    if (!actor) co_return net::errorResponse(actor.error());
    const auto message_id = messageIdOf(request);
    if (!message_id) co_return unknownMessage();
    // The body is optional ({"token": null} from Discord clients); `manual: true` sets the
    // marker exactly instead of only forward.
    bool manual = false;
    if (!request.body.empty()) {
      auto body = net::parseJsonBody(request);
      if (!body) co_return net::errorResponse(body.error());
      if (const auto* value = body->if_contains("manual"); value != nullptr && !value->is_null()) {
        if (!value->is_bool()) {
          std::vector<core::FieldError> errors{{"manual", "BASE_TYPE_BOOLEAN", "Must be true or false."}};
          co_return net::errorResponse(core::invalidFormBody(std::move(errors)));
        }
        manual = value->get_bool();
      }
    }
    auto& pool = *deps.pools.at(request.worker);
    auto acked = co_await deps.read_states->ack(pool, actor->context, actor->channel, *message_id, manual);
    if (!acked) co_return net::errorResponse(acked.error());
    if (acked->moved) {
      json::object data;
      data["channel_id"] = id(actor->channel.id);
      data["message_id"] = id(acked->message_id);
      data["version"] = acked->version;
      data["mention_count"] = acked->mention_count;
      publish(deps, "MESSAGE_ACK", actor->channel.guild_id, json::serialize(data), 0, {actor->claims.user_id});
    }
    co_return net::jsonResponse(200, R"({"token":null})");
  });

  router.add(Method::kGet, "/api/v1/users/@me/read-states", [deps](Request& request) -> asio::awaitable<Response> {
    auto& pool = *deps.pools.at(request.worker);
    auto claims = co_await authenticateLive(request, *deps.signer, *deps.accounts, pool);
    if (!claims) co_return net::errorResponse(claims.error());
    auto state = co_await deps.read_states->readyJson(pool, claims->user_id);
    if (!state) co_return net::errorResponse(state.error());
    co_return net::jsonResponse(200, std::move(*state));
  });

  router.add(Method::kGet, "/api/v1/users/@me/mentions", [deps](Request& request) -> asio::awaitable<Response> {
    auto& pool = *deps.pools.at(request.worker);
    auto claims = co_await authenticateLive(request, *deps.signer, *deps.accounts, pool);
    if (!claims) co_return net::errorResponse(claims.error());
    std::vector<core::FieldError> errors;
    domain::MentionQuery query;
    const auto limit =
        limitParam(request, domain::ReadStates::kDefaultMentionPage, domain::ReadStates::kMaxMentionPage, errors);
    query.limit = limit.value_or(domain::ReadStates::kDefaultMentionPage);
    query.before = snowflakeParam(request, "before", errors);
    query.guild_id = snowflakeParam(request, "guild_id", errors);
    query.roles = flagParam(request, "roles", true, errors);
    query.everyone = flagParam(request, "everyone", true, errors);
    if (!errors.empty()) co_return net::errorResponse(core::invalidFormBody(std::move(errors)));
    auto found = co_await deps.read_states->mentions(pool, claims->user_id, query);
    if (!found) co_return net::errorResponse(found.error());
    co_return net::jsonResponse(200, messagesJson(*found));
  });
}

} // namespace hearth::api
