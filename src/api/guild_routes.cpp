#include "api/guild_routes.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "api/auth_routes.hpp"
#include "api/guild_json.hpp"
#include "api/images.hpp"
#include "api/route_support.hpp"
#include "core/snowflake.hpp"
#include "domain/accounts.hpp"
#include "domain/events.hpp"
#include "domain/guilds.hpp"
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

// Server icons (data URIs) make these bodies large.
constexpr std::size_t kGuildBodyLimit = 12 * 1024 * 1024;

// An image field: bytes, or an empty string for null (remove it).
core::Result<std::string> imageField(const json::object& body, std::string_view name) {
  const auto* value = body.if_contains(name);
  if (value->is_null()) return std::string();
  std::optional<std::string> bytes;
  if (value->is_string()) bytes = decodeImageDataUri(value->as_string());
  if (!bytes) {
    return std::unexpected(core::invalidFormBody(
        {{std::string(name), "IMAGE_INVALID", "Send the image as a data:image/...;base64, URI."}}));
  }
  return std::move(*bytes);
}

std::string guildWithCount(const domain::GuildContext& context, std::size_t count) {
  return guildJson(context.guild, context.roles, count);
}

// A DM or group DM on a /channels/{id} route: handed to dm_routes.
asio::awaitable<Response> dmChannel(const GuildDeps& deps, Request& request, ChannelActor& actor) {
  if (!deps.dm_channel) co_return net::errorResponse(core::ErrorCode::kUnknownChannel, "Unknown Channel");
  co_return co_await deps.dm_channel(request, actor);
}

// A thread on a /channels/{id} route: handed to thread_routes.
asio::awaitable<Response> threadChannel(const GuildDeps& deps, Request& request, ChannelActor& actor) {
  if (!deps.thread_channel) co_return net::errorResponse(core::ErrorCode::kUnknownChannel, "Unknown Channel");
  co_return co_await deps.thread_channel(request, actor);
}

// Threads have no overwrites of their own: their parent's apply.
Response threadHasNoOverwrites() {
  return net::errorResponse(core::ErrorCode::kCannotExecuteOnChannelType, "Cannot execute action on this channel type");
}

} // namespace

void addGuildRoutes(net::Router& router, GuildDeps deps) {
  // --- servers ---------------------------------------------------------------------------
  router.add(
      Method::kPost, "/api/v1/guilds",
      [deps](Request& request) -> asio::awaitable<Response> {
        auto& pool = *deps.pools.at(request.worker);
        auto claims = co_await authenticateLive(request, *deps.signer, *deps.accounts, pool);
        if (!claims) co_return net::errorResponse(claims.error());
        auto user = co_await deps.accounts->user(pool, claims->user_id);
        if (!user) co_return net::errorResponse(user.error());
        if (!deps.accounts->mayJoinServers(*user)) {
          co_return net::errorResponse(core::ErrorCode::kMissingAccess,
                                       "Verify your email address to create or join servers");
        }
        auto body = net::parseJsonBody(request);
        if (!body) co_return net::errorResponse(body.error());
        const auto* name = body->if_contains("name");
        if (name == nullptr || !name->is_string()) {
          const core::Error error = core::invalidFormBody({{"name", "BASE_TYPE_REQUIRED", "This field is required"}});
          co_return net::errorResponse(error);
        }
        // The icon is stored before the server exists, under a folder named by the creator.
        std::string icon_hash;
        const std::uint64_t creator = claims->user_id;
        if (body->contains("icon")) {
          auto bytes = imageField(*body, "icon");
          if (!bytes) co_return net::errorResponse(bytes.error());
          if (!bytes->empty()) {
            std::filesystem::path dir = deps.icon_dir / "pending" / std::to_string(creator);
            std::string field = "icon";
            auto stored = co_await domain::storeImage(std::move(dir), *bytes, domain::ImageLimits{}, std::move(field));
            if (!stored) co_return net::errorResponse(stored.error());
            icon_hash = *stored;
          }
        }
        std::string guild_name(name->as_string());
        auto guild = co_await deps.guilds->create(pool, creator, std::move(guild_name), icon_hash);
        if (!guild) co_return net::errorResponse(guild.error());
        if (!icon_hash.empty()) {
          std::error_code error;
          std::filesystem::create_directories(deps.icon_dir / std::to_string(guild->id), error);
          const auto from = deps.icon_dir / "pending" / std::to_string(creator);
          const auto to = deps.icon_dir / std::to_string(guild->id);
          for (const int side : domain::kImageVariants) {
            const std::string variant = icon_hash + "_" + std::to_string(side);
            std::filesystem::rename(from / variant, to / variant, error); // absent for small icons
          }
          std::filesystem::rename(from / icon_hash, to / icon_hash, error);
        }
        auto context = co_await deps.guilds->context(pool, guild->id, creator);
        if (!context) co_return net::errorResponse(context.error());
        const std::string answer = guildWithCount(*context, 1);
        publish(deps, "GUILD_CREATE", guild->id, answer, 0, {creator});
        co_return net::jsonResponse(201, answer);
      },
      kGuildBodyLimit);

  router.add(Method::kGet, "/api/v1/guilds/{guild_id}", [deps](Request& request) -> asio::awaitable<Response> {
    auto actor = co_await actorIn(deps, request);
    if (!actor) co_return net::errorResponse(actor.error());
    auto count = co_await deps.guilds->memberCount(*deps.pools.at(request.worker), actor->context.guild.id);
    if (!count) co_return net::errorResponse(count.error());
    co_return net::jsonResponse(200, guildWithCount(actor->context, *count));
  });

  router.add(
      Method::kPatch, "/api/v1/guilds/{guild_id}",
      [deps](Request& request) -> asio::awaitable<Response> {
        auto actor = co_await actorIn(deps, request);
        if (!actor) co_return net::errorResponse(actor.error());
        auto body = net::parseJsonBody(request);
        if (!body) co_return net::errorResponse(body.error());
        std::vector<core::FieldError> errors;
        domain::GuildInput input;
        const auto text = [&](std::string_view name) -> std::optional<std::string> {
          const auto* value = body->if_contains(name);
          if (value == nullptr) return std::nullopt;
          if (value->is_null()) return std::string();
          if (!value->is_string()) {
            errors.push_back({std::string(name), "BASE_TYPE_STRING", "Must be a string"});
            return std::nullopt;
          }
          return std::string(value->as_string());
        };
        input.name = text("name");
        input.description = text("description");
        if (const auto* level = body->if_contains("default_message_notifications"); level != nullptr) {
          if (!level->is_int64()) {
            errors.push_back({"default_message_notifications", "BASE_TYPE_INTEGER", "Must be 0 or 1"});
          } else {
            input.default_message_notifications = static_cast<int>(level->as_int64());
          }
        }
        if (auto owner = text("owner_id")) {
          if (auto parsed = core::parseSnowflake(*owner)) {
            input.owner_id = *parsed;
          } else {
            errors.push_back({"owner_id", "SNOWFLAKE_INVALID", "Must be a user id"});
          }
        }
        if (!errors.empty()) {
          const core::Error error = core::invalidFormBody(std::move(errors));
          co_return net::errorResponse(error);
        }
        std::string icon_hash = actor->context.guild.icon;
        if (body->contains("icon")) {
          if ((actor->context.base() & domain::perm::kManageGuild) == 0) {
            co_return net::errorResponse(core::ErrorCode::kMissingPermissions, "Missing Permissions");
          }
          auto bytes = imageField(*body, "icon");
          if (!bytes) co_return net::errorResponse(bytes.error());
          input.icon_bytes = *bytes;
          icon_hash.clear();
          if (!bytes->empty()) {
            std::filesystem::path dir = deps.icon_dir / std::to_string(actor->context.guild.id);
            std::string field = "icon";
            auto stored = co_await domain::storeImage(std::move(dir), *bytes, domain::ImageLimits{}, std::move(field));
            if (!stored) co_return net::errorResponse(stored.error());
            icon_hash = *stored;
          }
        }
        auto& pool = *deps.pools.at(request.worker);
        auto changed = co_await deps.guilds->update(pool, actor->context, std::move(input), icon_hash);
        if (!changed) co_return net::errorResponse(changed.error());
        if (!changed->changes.empty()) {
          std::string reason = auditReason(request.headers.get("X-Audit-Log-Reason"));
          auto audited =
              co_await deps.guilds->audit(pool, actor->context.guild.id, actor->claims.user_id, actor->context.guild.id,
                                          domain::audit::kGuildUpdate, std::move(reason), changed->changes);
          if (!audited) co_return net::errorResponse(audited.error());
        }
        auto context = co_await deps.guilds->context(pool, actor->context.guild.id, actor->claims.user_id);
        if (!context) co_return net::errorResponse(context.error());
        const std::string answer = guildJson(context->guild, context->roles);
        if (!changed->changes.empty()) publish(deps, "GUILD_UPDATE", context->guild.id, answer);
        co_return net::jsonResponse(200, answer);
      },
      kGuildBodyLimit);

  router.add(Method::kDelete, "/api/v1/guilds/{guild_id}", [deps](Request& request) -> asio::awaitable<Response> {
    auto actor = co_await actorIn(deps, request);
    if (!actor) co_return net::errorResponse(actor.error());
    // The members are gone with the server, so whom to tell is read first.
    store::Params member_params{std::to_string(actor->context.guild.id)};
    auto members = co_await deps.pools.at(request.worker)
                       ->query("SELECT user_id FROM members WHERE guild_id = $1", std::move(member_params));
    if (!members) co_return net::errorResponse(members.error());
    std::vector<std::uint64_t> former;
    for (int row = 0; row < members->rows(); ++row)
      former.push_back(static_cast<std::uint64_t>(members->integer(row, 0).value_or(0)));
    auto removed = co_await deps.guilds->remove(*deps.pools.at(request.worker), actor->context);
    if (!removed) co_return net::errorResponse(removed.error());
    std::error_code error;
    std::filesystem::remove_all(deps.icon_dir / std::to_string(actor->context.guild.id), error);
    json::object data;
    data["id"] = core::snowflakeToString(actor->context.guild.id);
    publish(deps, "GUILD_DELETE", actor->context.guild.id, json::serialize(data), 0, std::move(former));
    co_return noContent();
  });

  router.add(Method::kGet, "/api/v1/users/@me/guilds", [deps](Request& request) -> asio::awaitable<Response> {
    auto& pool = *deps.pools.at(request.worker);
    auto claims = co_await authenticateLive(request, *deps.signer, *deps.accounts, pool);
    if (!claims) co_return net::errorResponse(claims.error());
    auto snapshots = co_await deps.guilds->snapshotsOf(pool, claims->user_id);
    if (!snapshots) co_return net::errorResponse(snapshots.error());
    // Discord's partial guild: id, name, icon, owner, permissions (the user's, server-wide).
    json::array list;
    for (const auto& snapshot : *snapshots) {
      const auto& guild = snapshot.context.guild;
      json::object item;
      item["id"] = core::snowflakeToString(guild.id);
      item["name"] = guild.name;
      item["icon"] = guild.icon.empty() ? json::value(nullptr) : json::value(guild.icon);
      item["owner"] = snapshot.context.isOwner();
      item["permissions"] = domain::permissionsToString(snapshot.context.base());
      list.push_back(std::move(item));
    }
    co_return net::jsonResponse(200, json::serialize(list));
  });

  router.add(
      Method::kDelete, "/api/v1/users/@me/guilds/{guild_id}", [deps](Request& request) -> asio::awaitable<Response> {
        auto actor = co_await actorIn(deps, request);
        if (!actor) co_return net::errorResponse(actor.error());
        auto left = co_await deps.guilds->leave(*deps.pools.at(request.worker), actor->context);
        if (!left) co_return net::errorResponse(left.error());
        json::object data;
        data["guild_id"] = core::snowflakeToString(actor->context.guild.id);
        json::object user;
        user["id"] = core::snowflakeToString(actor->claims.user_id);
        data["user"] = std::move(user);
        publish(deps, "GUILD_MEMBER_REMOVE", actor->context.guild.id, json::serialize(data));
        json::object gone;
        gone["id"] = core::snowflakeToString(actor->context.guild.id);
        publish(deps, "GUILD_DELETE", actor->context.guild.id, json::serialize(gone), 0, {actor->claims.user_id});
        co_return noContent();
      });

  router.add(Method::kGet, "/api/v1/icons/{guild_id}/{icon}", [deps](Request& request) -> asio::awaitable<Response> {
    const auto guild_id = core::parseSnowflake(request.param("guild_id"));
    const std::string icon(request.param("icon"));
    if (!guild_id || !domain::isImageHash(icon))
      co_return net::errorResponse(core::ErrorCode::kNotFound, "Unknown Icon");
    co_return imageFileResponse(request, deps.icon_dir / std::to_string(*guild_id) / icon, "Unknown Icon");
  });

  // --- channels --------------------------------------------------------------------------
  router.add(Method::kGet, "/api/v1/guilds/{guild_id}/channels", [deps](Request& request) -> asio::awaitable<Response> {
    auto actor = co_await actorIn(deps, request);
    if (!actor) co_return net::errorResponse(actor.error());
    auto channels = co_await deps.guilds->channels(*deps.pools.at(request.worker), actor->context.guild.id);
    if (!channels) co_return net::errorResponse(channels.error());
    std::erase_if(*channels, [&](const domain::Channel& channel) {
      return (actor->context.in(channel)&domain::perm::kViewChannel) == 0;
    });
    co_return net::jsonResponse(200, channelsJson(*channels));
  });

  router.add(
      Method::kPost, "/api/v1/guilds/{guild_id}/channels", [deps](Request& request) -> asio::awaitable<Response> {
        auto actor = co_await actorIn(deps, request);
        if (!actor) co_return net::errorResponse(actor.error());
        auto input = parseChannelInput(request);
        if (!input) co_return net::errorResponse(input.error());
        auto& pool = *deps.pools.at(request.worker);
        auto channel = co_await deps.guilds->createChannel(pool, actor->context, std::move(*input));
        if (!channel) co_return net::errorResponse(channel.error());
        const std::vector<domain::Change> changes{{"name", "", json::serialize(json::value(channel->name))}};
        std::string reason = auditReason(request.headers.get("X-Audit-Log-Reason"));
        auto audited = co_await deps.guilds->audit(pool, actor->context.guild.id, actor->claims.user_id, channel->id,
                                                   domain::audit::kChannelCreate, std::move(reason), changes);
        if (!audited) co_return net::errorResponse(audited.error());
        const std::string answer = channelJson(*channel);
        publish(deps, "CHANNEL_CREATE", channel->guild_id, answer, channel->id);
        co_return net::jsonResponse(201, answer);
      });

  router.add(
      Method::kPatch, "/api/v1/guilds/{guild_id}/channels", [deps](Request& request) -> asio::awaitable<Response> {
        auto actor = co_await actorIn(deps, request);
        if (!actor) co_return net::errorResponse(actor.error());
        auto body = net::parseJsonBodyAs(request, {"application/json"});
        if (!body) co_return net::errorResponse(body.error());
        if (!body->is_array()) co_return net::errorResponse(core::ErrorCode::kInvalidFormBody, "Expected an array");
        std::vector<domain::ChannelInput> moves;
        std::vector<std::uint64_t> ids;
        for (const auto& item : body->as_array()) {
          const auto* object = item.if_object();
          const auto* channel_id = object != nullptr ? object->if_contains("id") : nullptr;
          const auto parsed = channel_id != nullptr && channel_id->is_string()
                                  ? core::parseSnowflake(channel_id->as_string())
                                  : std::nullopt;
          if (!parsed) co_return net::errorResponse(core::ErrorCode::kInvalidFormBody, "Each item needs a channel id");
          domain::ChannelInput move;
          if (const auto* position = object->if_contains("position"); position != nullptr && position->is_int64()) {
            move.position = static_cast<int>(position->as_int64());
          }
          if (const auto* parent = object->if_contains("parent_id")) {
            if (parent->is_null()) {
              move.parent_id = 0;
            } else if (auto parent_id =
                           parent->is_string() ? core::parseSnowflake(parent->as_string()) : std::nullopt) {
              move.parent_id = *parent_id;
            }
          }
          moves.push_back(std::move(move));
          ids.push_back(*parsed);
        }
        auto channels = co_await deps.guilds->reorderChannels(*deps.pools.at(request.worker), actor->context,
                                                              std::move(moves), ids);
        if (!channels) co_return net::errorResponse(channels.error());
        for (const auto& channel : *channels) {
          if (std::find(ids.begin(), ids.end(), channel.id) != ids.end()) {
            publish(deps, "CHANNEL_UPDATE", channel.guild_id, channelJson(channel), channel.id);
          }
        }
        co_return noContent();
      });

  router.add(Method::kGet, "/api/v1/channels/{channel_id}", [deps](Request& request) -> asio::awaitable<Response> {
    auto actor = co_await actorInChannel(deps, request);
    if (!actor) co_return net::errorResponse(actor.error());
    if (actor->channel.guild_id == 0) co_return co_await dmChannel(deps, request, *actor);
    if (domain::isThread(actor->channel.type)) co_return co_await threadChannel(deps, request, *actor);
    co_return net::jsonResponse(200, channelJson(actor->channel));
  });

  router.add(
      Method::kPatch, "/api/v1/channels/{channel_id}",
      [deps](Request& request) -> asio::awaitable<Response> {
        auto actor = co_await actorInChannel(deps, request);
        if (!actor) co_return net::errorResponse(actor.error());
        if (actor->channel.guild_id == 0) co_return co_await dmChannel(deps, request, *actor);
        if (domain::isThread(actor->channel.type)) co_return co_await threadChannel(deps, request, *actor);
        auto input = parseChannelInput(request);
        if (!input) co_return net::errorResponse(input.error());
        auto& pool = *deps.pools.at(request.worker);
        auto changed = co_await deps.guilds->updateChannel(pool, actor->context, actor->channel, std::move(*input));
        if (!changed) co_return net::errorResponse(changed.error());
        if (!changed->changes.empty()) {
          std::string reason = auditReason(request.headers.get("X-Audit-Log-Reason"));
          auto audited =
              co_await deps.guilds->audit(pool, actor->context.guild.id, actor->claims.user_id, actor->channel.id,
                                          domain::audit::kChannelUpdate, std::move(reason), changed->changes);
          if (!audited) co_return net::errorResponse(audited.error());
        }
        const std::string answer = channelJson(changed->value);
        publishChannelUpdate(deps, actor->channel, changed->value, answer);
        co_return net::jsonResponse(200, answer);
      },
      kGuildBodyLimit); // a group DM's icon

  router.add(Method::kDelete, "/api/v1/channels/{channel_id}", [deps](Request& request) -> asio::awaitable<Response> {
    auto actor = co_await actorInChannel(deps, request);
    if (!actor) co_return net::errorResponse(actor.error());
    if (actor->channel.guild_id == 0) co_return co_await dmChannel(deps, request, *actor);
    if (domain::isThread(actor->channel.type)) co_return co_await threadChannel(deps, request, *actor);
    auto& pool = *deps.pools.at(request.worker);
    auto deleted = co_await deps.guilds->deleteChannel(pool, actor->context, actor->channel);
    if (!deleted) co_return net::errorResponse(deleted.error());
    const std::vector<domain::Change> changes{{"name", json::serialize(json::value(actor->channel.name)), ""}};
    std::string reason = auditReason(request.headers.get("X-Audit-Log-Reason"));
    auto audited = co_await deps.guilds->audit(pool, actor->context.guild.id, actor->claims.user_id, actor->channel.id,
                                               domain::audit::kChannelDelete, std::move(reason), changes);
    if (!audited) co_return net::errorResponse(audited.error());
    if (deps.events != nullptr) {
      domain::Event event;
      event.type = "CHANNEL_DELETE";
      event.guild_id = actor->channel.guild_id;
      event.channel_id = actor->channel.id;
      event.data = channelJson(actor->channel);
      event.channel_gone = true;
      event.channel_type = static_cast<int>(actor->channel.type);
      event.channel_overwrites = actor->channel.overwrites;
      deps.events->publish(event);
    }
    const std::string answer = channelJson(actor->channel);
    co_return net::jsonResponse(200, answer);
  });

  router.add(
      Method::kPut, "/api/v1/channels/{channel_id}/permissions/{overwrite_id}",
      [deps](Request& request) -> asio::awaitable<Response> {
        auto actor = co_await actorInChannel(deps, request);
        if (!actor) co_return net::errorResponse(actor.error());
        if (domain::isThread(actor->channel.type)) co_return threadHasNoOverwrites();
        const auto target = core::parseSnowflake(request.param("overwrite_id"));
        if (!target) co_return net::errorResponse(core::ErrorCode::kNotFound, "Unknown Overwrite");
        auto body = net::parseJsonBody(request);
        if (!body) co_return net::errorResponse(body.error());
        const auto* type = body->if_contains("type");
        domain::Permissions allow = 0;
        domain::Permissions deny = 0;
        const auto bitsOf = [&](std::string_view name, domain::Permissions& out) {
          const auto* value = body->if_contains(name);
          if (value == nullptr || value->is_null()) return true;
          return value->is_string() && domain::parsePermissions(value->as_string(), out);
        };
        const bool type_ok = type != nullptr && type->is_int64() && (type->as_int64() == 0 || type->as_int64() == 1);
        if (!type_ok || !bitsOf("allow", allow) || !bitsOf("deny", deny)) {
          const core::Error error =
              core::invalidFormBody({{"permission_overwrites", "OVERWRITE_INVALID",
                                      "Send type (0 role, 1 member) and allow/deny as decimal strings."}});
          co_return net::errorResponse(error);
        }
        const domain::Overwrite overwrite{*target, static_cast<domain::OverwriteType>(type->as_int64()), allow,
                                          deny & ~allow};
        const bool existed = std::any_of(actor->channel.overwrites.begin(), actor->channel.overwrites.end(),
                                         [&](const domain::Overwrite& o) { return o.id == *target; });
        auto& pool = *deps.pools.at(request.worker);
        auto channel = co_await deps.guilds->putOverwrite(pool, actor->context, actor->channel, overwrite);
        if (!channel) co_return net::errorResponse(channel.error());
        const std::vector<domain::Change> changes{
            {"allow", "", "\"" + domain::permissionsToString(overwrite.allow) + "\""},
            {"deny", "", "\"" + domain::permissionsToString(overwrite.deny) + "\""}};
        std::string reason = auditReason(request.headers.get("X-Audit-Log-Reason"));
        auto audited = co_await deps.guilds->audit(
            pool, actor->context.guild.id, actor->claims.user_id, actor->channel.id,
            existed ? domain::audit::kOverwriteUpdate : domain::audit::kOverwriteCreate, std::move(reason), changes);
        if (!audited) co_return net::errorResponse(audited.error());
        publishChannelUpdate(deps, actor->channel, *channel, channelJson(*channel));
        co_return noContent();
      });

  router.add(Method::kDelete, "/api/v1/channels/{channel_id}/permissions/{overwrite_id}",
             [deps](Request& request) -> asio::awaitable<Response> {
               auto actor = co_await actorInChannel(deps, request);
               if (!actor) co_return net::errorResponse(actor.error());
               if (domain::isThread(actor->channel.type)) co_return threadHasNoOverwrites();
               const auto target = core::parseSnowflake(request.param("overwrite_id"));
               if (!target) co_return net::errorResponse(core::ErrorCode::kNotFound, "Unknown Overwrite");
               auto& pool = *deps.pools.at(request.worker);
               auto channel = co_await deps.guilds->deleteOverwrite(pool, actor->context, actor->channel, *target);
               if (!channel) co_return net::errorResponse(channel.error());
               const std::vector<domain::Change> none;
               std::string reason = auditReason(request.headers.get("X-Audit-Log-Reason"));
               auto audited =
                   co_await deps.guilds->audit(pool, actor->context.guild.id, actor->claims.user_id, actor->channel.id,
                                               domain::audit::kOverwriteDelete, std::move(reason), none);
               if (!audited) co_return net::errorResponse(audited.error());
               publishChannelUpdate(deps, actor->channel, *channel, channelJson(*channel));
               co_return noContent();
             });

  // --- roles -----------------------------------------------------------------------------
  router.add(Method::kGet, "/api/v1/guilds/{guild_id}/roles", [deps](Request& request) -> asio::awaitable<Response> {
    auto actor = co_await actorIn(deps, request);
    if (!actor) co_return net::errorResponse(actor.error());
    co_return net::jsonResponse(200, rolesJson(actor->context.roles));
  });

  router.add(Method::kPost, "/api/v1/guilds/{guild_id}/roles", [deps](Request& request) -> asio::awaitable<Response> {
    auto actor = co_await actorIn(deps, request);
    if (!actor) co_return net::errorResponse(actor.error());
    auto input = parseRoleInput(request);
    if (!input) co_return net::errorResponse(input.error());
    auto& pool = *deps.pools.at(request.worker);
    auto role = co_await deps.guilds->createRole(pool, actor->context, std::move(*input));
    if (!role) co_return net::errorResponse(role.error());
    const std::vector<domain::Change> changes{
        {"name", "", json::serialize(json::value(role->name))},
        {"permissions", "", json::serialize(json::value(domain::permissionsToString(role->permissions)))}};
    std::string reason = auditReason(request.headers.get("X-Audit-Log-Reason"));
    auto audited = co_await deps.guilds->audit(pool, actor->context.guild.id, actor->claims.user_id, role->id,
                                               domain::audit::kRoleCreate, std::move(reason), changes);
    if (!audited) co_return net::errorResponse(audited.error());
    const std::string answer = roleJson(*role);
    publish(deps, "GUILD_ROLE_CREATE", actor->context.guild.id,
            "{\"guild_id\":\"" + core::snowflakeToString(actor->context.guild.id) + "\",\"role\":" + answer + "}");
    co_return net::jsonResponse(200, answer);
  });

  router.add(Method::kPatch, "/api/v1/guilds/{guild_id}/roles", [deps](Request& request) -> asio::awaitable<Response> {
    auto actor = co_await actorIn(deps, request);
    if (!actor) co_return net::errorResponse(actor.error());
    auto body = net::parseJsonBodyAs(request, {"application/json"});
    if (!body) co_return net::errorResponse(body.error());
    if (!body->is_array()) co_return net::errorResponse(core::ErrorCode::kInvalidFormBody, "Expected an array");
    std::vector<std::pair<std::uint64_t, int>> moves;
    for (const auto& item : body->as_array()) {
      const auto* object = item.if_object();
      const auto* role_id = object != nullptr ? object->if_contains("id") : nullptr;
      const auto* position = object != nullptr ? object->if_contains("position") : nullptr;
      const auto parsed =
          role_id != nullptr && role_id->is_string() ? core::parseSnowflake(role_id->as_string()) : std::nullopt;
      if (!parsed || position == nullptr || !position->is_int64()) {
        co_return net::errorResponse(core::ErrorCode::kInvalidFormBody, "Each item needs a role id and a position");
      }
      moves.emplace_back(*parsed, static_cast<int>(position->as_int64()));
    }
    auto roles = co_await deps.guilds->reorderRoles(*deps.pools.at(request.worker), actor->context, std::move(moves));
    if (!roles) co_return net::errorResponse(roles.error());
    for (const auto& role : *roles) {
      publish(deps, "GUILD_ROLE_UPDATE", actor->context.guild.id,
              "{\"guild_id\":\"" + core::snowflakeToString(actor->context.guild.id) + "\",\"role\":" + roleJson(role) +
                  "}");
    }
    co_return net::jsonResponse(200, rolesJson(*roles));
  });

  router.add(
      Method::kPatch, "/api/v1/guilds/{guild_id}/roles/{role_id}",
      [deps](Request& request) -> asio::awaitable<Response> {
        auto actor = co_await actorIn(deps, request);
        if (!actor) co_return net::errorResponse(actor.error());
        const auto role_id = core::parseSnowflake(request.param("role_id"));
        if (!role_id) co_return net::errorResponse(core::ErrorCode::kUnknownRole, "Unknown Role");
        auto input = parseRoleInput(request);
        if (!input) co_return net::errorResponse(input.error());
        auto& pool = *deps.pools.at(request.worker);
        auto changed = co_await deps.guilds->updateRole(pool, actor->context, *role_id, std::move(*input));
        if (!changed) co_return net::errorResponse(changed.error());
        if (!changed->changes.empty()) {
          std::string reason = auditReason(request.headers.get("X-Audit-Log-Reason"));
          auto audited = co_await deps.guilds->audit(pool, actor->context.guild.id, actor->claims.user_id, *role_id,
                                                     domain::audit::kRoleUpdate, std::move(reason), changed->changes);
          if (!audited) co_return net::errorResponse(audited.error());
        }
        const std::string answer = roleJson(changed->value);
        publish(deps, "GUILD_ROLE_UPDATE", actor->context.guild.id,
                "{\"guild_id\":\"" + core::snowflakeToString(actor->context.guild.id) + "\",\"role\":" + answer + "}");
        co_return net::jsonResponse(200, answer);
      });

  router.add(Method::kDelete, "/api/v1/guilds/{guild_id}/roles/{role_id}",
             [deps](Request& request) -> asio::awaitable<Response> {
               auto actor = co_await actorIn(deps, request);
               if (!actor) co_return net::errorResponse(actor.error());
               const auto role_id = core::parseSnowflake(request.param("role_id"));
               if (!role_id) co_return net::errorResponse(core::ErrorCode::kUnknownRole, "Unknown Role");
               auto& pool = *deps.pools.at(request.worker);
               const domain::Role* role = actor->context.role(*role_id);
               const std::string name = role != nullptr ? role->name : std::string();
               auto deleted = co_await deps.guilds->deleteRole(pool, actor->context, *role_id);
               if (!deleted) co_return net::errorResponse(deleted.error());
               const std::vector<domain::Change> changes{{"name", json::serialize(json::value(name)), ""}};
               std::string reason = auditReason(request.headers.get("X-Audit-Log-Reason"));
               auto audited =
                   co_await deps.guilds->audit(pool, actor->context.guild.id, actor->claims.user_id, *role_id,
                                               domain::audit::kRoleDelete, std::move(reason), changes);
               if (!audited) co_return net::errorResponse(audited.error());
               publish(deps, "GUILD_ROLE_DELETE", actor->context.guild.id,
                       "{\"guild_id\":\"" + core::snowflakeToString(actor->context.guild.id) + "\",\"role_id\":\"" +
                           core::snowflakeToString(*role_id) + "\"}");
               co_return noContent();
             });

  // --- audit log -------------------------------------------------------------------------
  router.add(
      Method::kGet, "/api/v1/guilds/{guild_id}/audit-logs", [deps](Request& request) -> asio::awaitable<Response> {
        auto actor = co_await actorIn(deps, request);
        if (!actor) co_return net::errorResponse(actor.error());
        if ((actor->context.base() & domain::perm::kViewAuditLog) == 0) {
          co_return net::errorResponse(core::ErrorCode::kMissingPermissions, "Missing Permissions");
        }
        // Filters: user_id (who acted), action_type, before (entry id), limit 1-100 (50).
        std::vector<core::FieldError> errors;
        const std::uint64_t user = snowflakeParam(request, "user_id", errors);
        const std::uint64_t before = snowflakeParam(request, "before", errors);
        const auto limit = limitParam(request, 50, 100, errors);
        if (!errors.empty()) co_return net::errorResponse(core::invalidFormBody(std::move(errors)));
        std::string sql =
            "SELECT id, user_id, target_id, action_type, reason, changes::text, options::text FROM audit_log "
            "WHERE guild_id = $1";
        store::Params params{std::to_string(actor->context.guild.id)};
        if (user != 0) {
          params.push_back(std::to_string(user));
          sql += " AND user_id = $" + std::to_string(params.size());
        }
        if (const auto action = request.queryParam("action_type"); !action.empty()) {
          if (action.find_first_not_of("0123456789") != std::string_view::npos || action.size() > 4) {
            co_return net::errorResponse(core::ErrorCode::kInvalidFormBody, "action_type must be a number");
          }
          params.push_back(std::string(action));
          sql += " AND action_type = $" + std::to_string(params.size()) + "::int";
        }
        if (before != 0) {
          params.push_back(std::to_string(before));
          sql += " AND id < $" + std::to_string(params.size());
        }
        sql += " ORDER BY id DESC LIMIT " + std::to_string(*limit);
        auto rows = co_await deps.pools.at(request.worker)->query(sql, std::move(params));
        if (!rows) co_return net::errorResponse(rows.error());
        json::array entries;
        for (int row = 0; row < rows->rows(); ++row) {
          json::object entry;
          entry["id"] = std::string(rows->text(row, 0));
          entry["user_id"] = rows->isNull(row, 1) ? json::value(nullptr) : json::value(std::string(rows->text(row, 1)));
          entry["target_id"] =
              rows->isNull(row, 2) ? json::value(nullptr) : json::value(std::string(rows->text(row, 2)));
          entry["action_type"] = rows->integer(row, 3).value_or(0);
          entry["reason"] = rows->isNull(row, 4) ? json::value(nullptr) : json::value(std::string(rows->text(row, 4)));
          entry["changes"] = json::parse(rows->text(row, 5));
          if (!rows->isNull(row, 6)) entry["options"] = json::parse(rows->text(row, 6));
          entries.push_back(std::move(entry));
        }
        json::object answer;
        answer["audit_log_entries"] = std::move(entries);
        co_return net::jsonResponse(200, json::serialize(answer));
      });
}

} // namespace hearth::api
