#include "api/dm_routes.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "api/auth_routes.hpp"
#include "api/images.hpp"
#include "api/json_objects.hpp"
#include "core/snowflake.hpp"
#include "domain/dms.hpp"
#include "domain/images.hpp"
#include "net/json_body.hpp"
#include "store/pg.hpp"

namespace hearth::api {

namespace asio = boost::asio;
namespace json = boost::json;
using net::Method;
using net::Request;
using net::Response;

namespace {

json::object dmObject(const domain::DmChannel& channel, std::uint64_t viewer) {
  json::object out;
  out["id"] = core::snowflakeToString(channel.id);
  out["type"] = static_cast<int>(channel.type);
  out["last_message_id"] = channel.last_message_id == 0 ? json::value(nullptr)
                                                        : json::value(core::snowflakeToString(channel.last_message_id));
  out["flags"] = 0;
  json::array recipients;
  for (const auto& user : channel.recipients) {
    if (user.id != viewer) recipients.push_back(publicUserObject(user));
  }
  out["recipients"] = std::move(recipients);
  if (channel.isGroup()) {
    out["name"] = orNull(channel.name);
    out["icon"] = orNull(channel.icon);
    out["owner_id"] = core::snowflakeToString(channel.owner_id);
  }
  return out;
}

std::string dmJson(const domain::DmChannel& channel, std::uint64_t viewer) {
  return json::serialize(dmObject(channel, viewer));
}

// Sends `type` to each of `users`, with the channel as that user sees it.
void publishEach(const DmDeps& deps, const char* type, const domain::DmChannel& channel,
                 const std::vector<domain::UserSummary>& users) {
  for (const auto& user : users)
    publish(deps, type, 0, dmJson(channel, user.id), 0, {user.id});
}

// CHANNEL_RECIPIENT_ADD / _REMOVE: {channel_id, user} to `users`.
void publishRecipient(const DmDeps& deps, const char* type, const domain::DmChannel& channel,
                      const domain::UserSummary& user, const std::vector<domain::UserSummary>& users) {
  if (users.empty()) return;
  json::object data;
  data["channel_id"] = core::snowflakeToString(channel.id);
  data["user"] = publicUserObject(user);
  std::vector<std::uint64_t> to;
  for (const auto& recipient : users)
    to.push_back(recipient.id);
  publish(deps, type, 0, json::serialize(data), 0, std::move(to));
}

// The events of a group membership change: CHANNEL_DELETE to whoever left or was removed,
// CHANNEL_RECIPIENT_REMOVE to those who stay, and CHANNEL_UPDATE to them when the owner changed.
void publishRemoval(const DmDeps& deps, const domain::GroupChange& change) {
  publish(deps, "CHANNEL_DELETE", 0, dmJson(change.before, change.user.id), 0, {change.user.id});
  if (change.deleted) {
    std::error_code error;
    std::filesystem::remove_all(deps.icon_dir / std::to_string(change.before.id), error);
    return;
  }
  publishRecipient(deps, "CHANNEL_RECIPIENT_REMOVE", change.after, change.user, change.after.recipients);
  if (change.owner_changed) publishEach(deps, "CHANNEL_UPDATE", change.after, change.after.recipients);
}

// A snowflake given as a JSON string or a positive integer.
std::optional<std::uint64_t> snowflakeValue(const json::value& value) {
  if (value.is_string()) return core::parseSnowflake(value.get_string());
  if (value.is_uint64()) return value.get_uint64();
  if (value.is_int64() && value.get_int64() > 0) return static_cast<std::uint64_t>(value.get_int64());
  return std::nullopt;
}

// POST /users/@me/channels: {recipients: [ids]} makes a group, else {recipient_id} a DM.
struct OpenRequest {
  std::optional<std::uint64_t> recipient;
  std::optional<std::vector<std::uint64_t>> group;
};

core::Result<OpenRequest> parseOpen(const Request& request) {
  auto body = net::parseJsonBody(request);
  if (!body) return std::unexpected(body.error());
  OpenRequest out;
  if (const auto* recipients = body->if_contains("recipients"); recipients != nullptr && !recipients->is_null()) {
    const auto* list = recipients->if_array();
    std::vector<std::uint64_t> ids;
    bool valid = list != nullptr && list->size() <= 100;
    if (valid) {
      for (const auto& item : *list) {
        const auto parsed = snowflakeValue(item);
        if (!parsed) valid = false;
        if (parsed) ids.push_back(*parsed);
      }
    }
    if (!valid) {
      return std::unexpected(
          core::invalidFormBody({{"recipients", "BASE_TYPE_ARRAY", "Must be an array of user ids"}}));
    }
    out.group = std::move(ids);
    return out;
  }
  const auto* recipient = body->if_contains("recipient_id");
  out.recipient = recipient == nullptr ? std::nullopt : snowflakeValue(*recipient);
  if (!out.recipient) {
    return std::unexpected(core::invalidFormBody({{"recipient_id", "BASE_TYPE_REQUIRED", "Must be a user id"}}));
  }
  return out;
}

// PATCH on a group: {name?, icon?}; null clears either.
struct GroupPatch {
  domain::GroupInput input;
  std::optional<std::string> icon_bytes; //!< set: a new icon (empty: remove it)
};

core::Result<GroupPatch> parseGroupPatch(const Request& request) {
  auto body = net::parseJsonBody(request);
  if (!body) return std::unexpected(body.error());
  GroupPatch out;
  std::vector<core::FieldError> errors;
  if (const auto* name = body->if_contains("name")) {
    if (name->is_null()) {
      out.input.name = std::string();
    } else if (name->is_string()) {
      out.input.name = std::string(name->get_string());
    } else {
      errors.push_back({"name", "BASE_TYPE_STRING", "Must be a string"});
    }
  }
  if (const auto* icon = body->if_contains("icon")) {
    std::optional<std::string> bytes;
    if (icon->is_null()) {
      bytes = std::string();
    } else if (icon->is_string()) {
      bytes = decodeImageDataUri(icon->get_string());
    }
    if (!bytes) {
      errors.push_back({"icon", "IMAGE_INVALID", "Send the image as a data:image/...;base64, URI."});
    } else {
      out.icon_bytes = std::move(*bytes);
    }
  }
  if (!errors.empty()) return std::unexpected(core::invalidFormBody(std::move(errors)));
  return out;
}

asio::awaitable<Response> getChannel(const DmDeps& deps, Request& request, ChannelActor& actor) {
  auto channel = co_await deps.dms->get(*deps.pools.at(request.worker), actor.channel.id);
  if (!channel) co_return net::errorResponse(channel.error());
  co_return net::jsonResponse(200, dmJson(*channel, actor.claims.user_id));
}

asio::awaitable<Response> patchChannel(const DmDeps& deps, Request& request, ChannelActor& actor) {
  if (actor.channel.type != domain::ChannelType::kGroupDm) {
    co_return net::errorResponse(core::ErrorCode::kCannotExecuteOnDm, "Cannot execute action on a DM channel");
  }
  auto patch = parseGroupPatch(request);
  if (!patch) co_return net::errorResponse(patch.error());
  if (patch->icon_bytes) {
    patch->input.icon_hash = std::string();
    if (!patch->icon_bytes->empty()) {
      std::filesystem::path dir = deps.icon_dir / std::to_string(actor.channel.id);
      std::string field = "icon";
      auto stored =
          co_await domain::storeImage(std::move(dir), *patch->icon_bytes, domain::ImageLimits{}, std::move(field));
      if (!stored) co_return net::errorResponse(stored.error());
      patch->input.icon_hash = *stored;
    }
  }
  auto updated = co_await deps.dms->updateGroup(*deps.pools.at(request.worker), actor.channel.id, actor.claims.user_id,
                                                std::move(patch->input));
  if (!updated) co_return net::errorResponse(updated.error());
  const auto& [before, after] = *updated;
  if (before.name != after.name || before.icon != after.icon) {
    publishEach(deps, "CHANNEL_UPDATE", after, after.recipients);
  }
  co_return net::jsonResponse(200, dmJson(after, actor.claims.user_id));
}

asio::awaitable<Response> deleteChannel(const DmDeps& deps, Request& request, ChannelActor& actor) {
  auto change = co_await deps.dms->close(*deps.pools.at(request.worker), actor.channel.id, actor.claims.user_id);
  if (!change) co_return net::errorResponse(change.error());
  if (change->before.isGroup()) {
    publishRemoval(deps, *change);
  } else if (change->changed) {
    publish(deps, "CHANNEL_DELETE", 0, dmJson(change->before, actor.claims.user_id), 0, {actor.claims.user_id});
  }
  co_return net::jsonResponse(200, dmJson(change->before, actor.claims.user_id));
}

} // namespace

std::string privateChannelsJson(const std::vector<domain::DmChannel>& channels, std::uint64_t viewer) {
  json::array list;
  for (const auto& channel : channels)
    list.push_back(dmObject(channel, viewer));
  return json::serialize(list);
}

std::function<asio::awaitable<void>(std::size_t, std::uint64_t)> dmMessageHook(DmDeps deps) {
  return [deps](std::size_t worker, std::uint64_t channel_id) -> asio::awaitable<void> {
    auto& pool = *deps.pools.at(worker);
    auto reopened = co_await deps.dms->reopen(pool, channel_id);
    if (!reopened || reopened->empty()) co_return;
    auto channel = co_await deps.dms->get(pool, channel_id);
    if (!channel) co_return;
    for (const auto user : *reopened)
      publish(deps, "CHANNEL_CREATE", 0, dmJson(*channel, user), 0, {user});
  };
}

DmChannelHandler addDmRoutes(net::Router& router, DmDeps deps) {
  router.add(Method::kPost, "/api/v1/users/@me/channels", [deps](Request& request) -> asio::awaitable<Response> {
    auto& pool = *deps.pools.at(request.worker);
    auto claims = co_await authenticateLive(request, *deps.signer, *deps.accounts, pool);
    if (!claims) co_return net::errorResponse(claims.error());
    auto parsed = parseOpen(request);
    if (!parsed) co_return net::errorResponse(parsed.error());
    const std::uint64_t me = claims->user_id;
    if (parsed->group) {
      auto group = co_await deps.dms->createGroup(pool, me, std::move(*parsed->group));
      if (!group) co_return net::errorResponse(group.error());
      publishEach(deps, "CHANNEL_CREATE", *group, group->recipients);
      co_return net::jsonResponse(200, dmJson(*group, me));
    }
    auto opened = co_await deps.dms->open(pool, me, *parsed->recipient);
    if (!opened) co_return net::errorResponse(opened.error());
    std::string answer = dmJson(opened->channel, me);
    if (opened->shown) publish(deps, "CHANNEL_CREATE", 0, answer, 0, {me});
    co_return net::jsonResponse(200, std::move(answer));
  });

  router.add(Method::kGet, "/api/v1/users/@me/channels", [deps](Request& request) -> asio::awaitable<Response> {
    auto& pool = *deps.pools.at(request.worker);
    auto claims = co_await authenticateLive(request, *deps.signer, *deps.accounts, pool);
    if (!claims) co_return net::errorResponse(claims.error());
    auto channels = co_await deps.dms->openChannels(pool, claims->user_id);
    if (!channels) co_return net::errorResponse(channels.error());
    co_return net::jsonResponse(200, privateChannelsJson(*channels, claims->user_id));
  });

  router.add(Method::kPut, "/api/v1/channels/{channel_id}/recipients/{user_id}",
             [deps](Request& request) -> asio::awaitable<Response> {
               auto actor = co_await actorInChannel(deps, request);
               if (!actor) co_return net::errorResponse(actor.error());
               if (actor->channel.type != domain::ChannelType::kGroupDm) {
                 co_return net::errorResponse(core::ErrorCode::kCannotExecuteOnDm, "Only group DMs have recipients");
               }
               const auto user = core::parseSnowflake(request.param("user_id"));
               if (!user) co_return net::errorResponse(core::ErrorCode::kUnknownUser, "Unknown User");
               auto change = co_await deps.dms->addRecipient(*deps.pools.at(request.worker), actor->channel.id,
                                                             actor->claims.user_id, *user);
               if (!change) co_return net::errorResponse(change.error());
               if (change->changed) {
                 publish(deps, "CHANNEL_CREATE", 0, dmJson(change->after, *user), 0, {*user});
                 publishRecipient(deps, "CHANNEL_RECIPIENT_ADD", change->after, change->user,
                                  change->before.recipients);
               }
               co_return noContent();
             });

  router.add(Method::kDelete, "/api/v1/channels/{channel_id}/recipients/{user_id}",
             [deps](Request& request) -> asio::awaitable<Response> {
               auto actor = co_await actorInChannel(deps, request);
               if (!actor) co_return net::errorResponse(actor.error());
               if (actor->channel.type != domain::ChannelType::kGroupDm) {
                 co_return net::errorResponse(core::ErrorCode::kCannotExecuteOnDm, "Only group DMs have recipients");
               }
               const auto user = core::parseSnowflake(request.param("user_id"));
               if (!user) co_return net::errorResponse(core::ErrorCode::kUnknownUser, "Unknown User");
               auto change = co_await deps.dms->removeRecipient(*deps.pools.at(request.worker), actor->channel.id,
                                                                actor->claims.user_id, *user);
               if (!change) co_return net::errorResponse(change.error());
               publishRemoval(deps, *change);
               co_return noContent();
             });

  router.add(Method::kGet, "/api/v1/channel-icons/{channel_id}/{icon}",
             [deps](Request& request) -> asio::awaitable<Response> {
               const auto channel_id = core::parseSnowflake(request.param("channel_id"));
               const std::string icon(request.param("icon"));
               if (!channel_id || !domain::isImageHash(icon)) {
                 co_return net::errorResponse(core::ErrorCode::kNotFound, "Unknown Icon");
               }
               co_return imageFileResponse(request, deps.icon_dir / std::to_string(*channel_id) / icon, "Unknown Icon");
             });

  return [deps](Request& request, ChannelActor& actor) -> asio::awaitable<Response> {
    switch (request.method) {
    case Method::kGet: co_return co_await getChannel(deps, request, actor);
    case Method::kPatch: co_return co_await patchChannel(deps, request, actor);
    case Method::kDelete: co_return co_await deleteChannel(deps, request, actor);
    default: co_return net::errorResponse(core::ErrorCode::kMethodNotAllowed, "Method Not Allowed");
    }
  };
}

} // namespace hearth::api
