#include "api/member_routes.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <spdlog/spdlog.h>

#include "api/auth_routes.hpp"
#include "api/guild_json.hpp"
#include "api/json_objects.hpp"
#include "api/route_support.hpp"
#include "core/snowflake.hpp"
#include "domain/accounts.hpp"
#include "domain/events.hpp"
#include "domain/guilds.hpp"
#include "domain/members.hpp"
#include "net/json_body.hpp"
#include "store/pg.hpp"

namespace hearth::api {

namespace asio = boost::asio;
namespace json = boost::json;
using net::Method;
using net::Request;
using net::Response;

namespace {

// {user_id}: a snowflake, or "@me" where `allow_me`.
std::optional<std::uint64_t> targetUser(const Request& request, std::uint64_t self, bool allow_me) {
  const std::string_view text = request.param("user_id");
  if (allow_me && text == "@me") return self;
  return core::parseSnowflake(text);
}

json::object memberObject(const domain::Member& member) {
  json::object out;
  out["user"] = publicUserObject(member.user);
  out["nick"] = orNull(member.nick);
  json::array roles;
  for (const auto role_id : member.roles)
    roles.push_back(json::value(core::snowflakeToString(role_id)));
  out["roles"] = std::move(roles);
  out["joined_at"] = member.joined_at;
  out["communication_disabled_until"] = orNull(member.communication_disabled_until);
  out["mute"] = member.mute;
  out["deaf"] = member.deaf;
  return out;
}

// The member object with guild_id, as GUILD_MEMBER_ADD / GUILD_MEMBER_UPDATE carry it.
std::string memberEvent(const domain::Member& member, std::uint64_t guild_id) {
  json::object out = memberObject(member);
  out["guild_id"] = core::snowflakeToString(guild_id);
  return json::serialize(out);
}

// `{guild_id, user}`: GUILD_MEMBER_REMOVE, GUILD_BAN_ADD, GUILD_BAN_REMOVE.
std::string guildUserEvent(std::uint64_t guild_id, const domain::UserSummary& user) {
  json::object out;
  out["guild_id"] = core::snowflakeToString(guild_id);
  out["user"] = publicUserObject(user);
  return json::serialize(out);
}

std::string guildGoneEvent(std::uint64_t guild_id) {
  json::object out;
  out["id"] = core::snowflakeToString(guild_id);
  out["unavailable"] = false;
  return json::serialize(out);
}

json::object banObject(const domain::Ban& ban) {
  json::object out;
  out["reason"] = orNull(ban.reason);
  out["user"] = publicUserObject(ban.user);
  return out;
}

json::object inviteObject(const domain::Invite& invite) {
  json::object out;
  out["type"] = 0;
  out["code"] = invite.code;
  json::object guild;
  guild["id"] = core::snowflakeToString(invite.guild.id);
  guild["name"] = invite.guild.name;
  guild["icon"] = orNull(invite.guild.icon);
  guild["description"] = orNull(invite.guild.description);
  out["guild"] = std::move(guild);
  json::object channel;
  channel["id"] = core::snowflakeToString(invite.channel.id);
  channel["name"] = invite.channel.name;
  channel["type"] = invite.channel.type;
  out["channel"] = std::move(channel);
  if (invite.inviter) out["inviter"] = publicUserObject(*invite.inviter);
  if (invite.member_count) out["approximate_member_count"] = *invite.member_count;
  out["expires_at"] = orNull(invite.expires_at);
  out["max_age"] = invite.max_age;
  out["max_uses"] = invite.max_uses;
  out["uses"] = invite.uses;
  out["temporary"] = false;
  out["created_at"] = invite.created_at;
  return out;
}

// INVITE_CREATE's data, as Discord shapes it.
std::string inviteCreateEvent(const domain::Invite& invite) {
  json::object out;
  out["channel_id"] = core::snowflakeToString(invite.channel.id);
  out["guild_id"] = core::snowflakeToString(invite.guild.id);
  out["code"] = invite.code;
  out["created_at"] = invite.created_at;
  if (invite.inviter) out["inviter"] = publicUserObject(*invite.inviter);
  out["max_age"] = invite.max_age;
  out["max_uses"] = invite.max_uses;
  out["temporary"] = false;
  out["uses"] = invite.uses;
  return json::serialize(out);
}

std::string inviteDeleteEvent(const domain::Invite& invite) {
  json::object out;
  out["channel_id"] = core::snowflakeToString(invite.channel.id);
  out["guild_id"] = core::snowflakeToString(invite.guild.id);
  out["code"] = invite.code;
  return json::serialize(out);
}

std::string invitesJson(const std::vector<domain::Invite>& invites) {
  json::array out;
  for (const auto& invite : invites)
    out.push_back(inviteObject(invite));
  return json::serialize(out);
}

// An optional JSON body: empty means `{}` (Discord clients send PUT /bans and POST /invites bare).
core::Result<json::object> optionalBody(const Request& request) {
  if (request.body.empty()) return json::object();
  return net::parseJsonBody(request);
}

// An integer field in [min, max]; `fallback` when absent or null.
int intField(const json::object& body, std::string_view name, int fallback, int min, int max,
             std::vector<core::FieldError>& errors) {
  const auto* value = body.if_contains(name);
  if (value == nullptr || value->is_null()) return fallback;
  std::int64_t number = 0;
  if (value->is_int64()) {
    number = value->as_int64();
  } else if (value->is_uint64() && value->as_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
    number = static_cast<std::int64_t>(value->as_uint64());
  } else {
    errors.push_back({std::string(name), "NUMBER_TYPE_COERCE", "Must be an integer."});
    return fallback;
  }
  if (number < min || number > max) {
    errors.push_back({std::string(name), "NUMBER_TYPE_MAX",
                      "Must be between " + std::to_string(min) + " and " + std::to_string(max) + "."});
    return fallback;
  }
  return static_cast<int>(number);
}

std::optional<bool> boolField(const json::object& body, std::string_view name, std::vector<core::FieldError>& errors) {
  const auto* value = body.if_contains(name);
  if (value == nullptr || value->is_null()) return std::nullopt;
  if (!value->is_bool()) {
    errors.push_back({std::string(name), "BASE_TYPE_BOOLEAN", "Must be true or false."});
    return std::nullopt;
  }
  return value->as_bool();
}

// A string that may be null (null and "" both mean "clear").
std::optional<std::string> nullableString(const json::object& body, std::string_view name,
                                          std::vector<core::FieldError>& errors) {
  const auto* value = body.if_contains(name);
  if (value == nullptr) return std::nullopt;
  if (value->is_null()) return std::string();
  if (!value->is_string()) {
    errors.push_back({std::string(name), "BASE_TYPE_STRING", "Must be a string."});
    return std::nullopt;
  }
  return std::string(value->as_string());
}

core::Result<domain::MemberInput> parseMemberInput(const Request& request, bool only_nick) {
  auto body = net::parseJsonBody(request);
  if (!body) return std::unexpected(body.error());
  std::vector<core::FieldError> errors;
  domain::MemberInput input;
  input.nick = nullableString(*body, "nick", errors);
  if (!only_nick) {
    if (const auto* roles = body->if_contains("roles"); roles != nullptr && !roles->is_null()) {
      std::vector<std::uint64_t> ids;
      bool valid = roles->is_array();
      if (valid) {
        for (const auto& item : roles->as_array()) {
          const auto parsed = item.is_string() ? core::parseSnowflake(item.as_string()) : std::nullopt;
          if (!parsed) {
            valid = false;
            break;
          }
          ids.push_back(*parsed);
        }
      }
      if (valid) {
        input.roles = std::move(ids);
      } else {
        errors.push_back({"roles", "BASE_TYPE_ARRAY", "Must be an array of role ids."});
      }
    }
    input.mute = boolField(*body, "mute", errors);
    input.deaf = boolField(*body, "deaf", errors);
    input.communication_disabled_until = nullableString(*body, "communication_disabled_until", errors);
  }
  if (!errors.empty()) return std::unexpected(core::invalidFormBody(std::move(errors)));
  return input;
}

} // namespace

asio::awaitable<core::Result<void>> requireMayJoinServers(domain::Accounts& accounts, store::PgPool& pool,
                                                          std::uint64_t user_id) {
  auto user = co_await accounts.user(pool, user_id);
  if (!user) co_return std::unexpected(user.error());
  if (!accounts.mayJoinServers(*user)) {
    co_return core::fail(core::ErrorCode::kMissingAccess, "Verify your email address to join servers");
  }
  co_return core::Result<void>{};
}

std::string memberJson(const domain::Member& member) { return json::serialize(memberObject(member)); }

namespace {

// A new member of a small server and its online members learn each other's presence at once
// (as a session's READY would tell them): PRESENCE_UPDATE of the newcomer into the server, and
// one of each online member to the newcomer.
asio::awaitable<void> exchangePresence(const MemberDeps& deps, store::PgPool& pool, std::uint64_t guild_id,
                                       std::uint64_t newcomer) {
  const auto withGuild = [guild_id](std::string presence) {
    presence.insert(presence.size() - 1, ",\"guild_id\":\"" + std::to_string(guild_id) + "\"");
    return presence;
  };
  if (std::string own = deps.current_presence(newcomer); !own.empty()) {
    publish(deps, "PRESENCE_UPDATE", guild_id, withGuild(std::move(own)));
  }
  store::Params params{std::to_string(guild_id), std::to_string(newcomer)};
  auto members =
      co_await pool.query("SELECT user_id FROM members WHERE guild_id = $1 AND user_id <> $2", std::move(params));
  if (!members) {
    spdlog::warn("presences of server {} not sent to its new member {}: {}", guild_id, newcomer,
                 members.error().message);
    co_return;
  }
  for (int row = 0; row < members->rows(); ++row) {
    const auto user = static_cast<std::uint64_t>(members->integer(row, 0).value_or(0));
    std::string presence = deps.current_presence(user);
    if (!presence.empty()) publish(deps, "PRESENCE_UPDATE", guild_id, withGuild(std::move(presence)), 0, {newcomer});
  }
}

} // namespace

void addMemberRoutes(net::Router& router, MemberDeps deps) {
  // --- members ---------------------------------------------------------------------------
  router.add(Method::kGet, "/api/v1/guilds/{guild_id}/members", [deps](Request& request) -> asio::awaitable<Response> {
    auto actor = co_await actorIn(deps, request);
    if (!actor) co_return net::errorResponse(actor.error());
    std::vector<core::FieldError> errors;
    const auto limit = limitParam(request, 1, domain::Members::kMaxListLimit, errors);
    const std::uint64_t after = snowflakeParam(request, "after", errors);
    if (!errors.empty()) co_return net::errorResponse(core::invalidFormBody(std::move(errors)));
    auto members = co_await deps.members->list(*deps.pools.at(request.worker), actor->context, *limit, after);
    if (!members) co_return net::errorResponse(members.error());
    json::array out;
    for (const auto& member : *members)
      out.push_back(memberObject(member));
    co_return net::jsonResponse(200, json::serialize(out));
  });

  // Discord's member search: a username, display name or nickname prefix.
  router.add(
      Method::kGet, "/api/v1/guilds/{guild_id}/members/search", [deps](Request& request) -> asio::awaitable<Response> {
        auto actor = co_await actorIn(deps, request);
        if (!actor) co_return net::errorResponse(actor.error());
        std::vector<core::FieldError> errors;
        const auto limit = limitParam(request, 1, domain::Members::kMaxListLimit, errors);
        const std::string query = request.queryParam("query");
        if (query.empty() || query.size() > 100) {
          errors.push_back({"query", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length."});
        }
        if (!errors.empty()) co_return net::errorResponse(core::invalidFormBody(std::move(errors)));
        auto members =
            co_await deps.members->search(*deps.pools.at(request.worker), actor->context.guild.id, query, *limit);
        if (!members) co_return net::errorResponse(members.error());
        json::array out;
        for (const auto& member : *members)
          out.push_back(memberObject(member));
        co_return net::jsonResponse(200, json::serialize(out));
      });

  router.add(Method::kGet, "/api/v1/guilds/{guild_id}/members/{user_id}",
             [deps](Request& request) -> asio::awaitable<Response> {
               auto actor = co_await actorIn(deps, request);
               if (!actor) co_return net::errorResponse(actor.error());
               const auto user_id = targetUser(request, actor->claims.user_id, true);
               if (!user_id) co_return net::errorResponse(core::ErrorCode::kUnknownMember, "Unknown Member");
               auto member =
                   co_await deps.members->get(*deps.pools.at(request.worker), actor->context.guild.id, *user_id);
               if (!member) co_return net::errorResponse(member.error());
               co_return net::jsonResponse(200, json::serialize(memberObject(*member)));
             });

  // PATCH .../members/@me changes only one's own nick (CHANGE_NICKNAME), as in Discord.
  router.add(Method::kPatch, "/api/v1/guilds/{guild_id}/members/{user_id}",
             [deps](Request& request) -> asio::awaitable<Response> {
               auto actor = co_await actorIn(deps, request);
               if (!actor) co_return net::errorResponse(actor.error());
               const bool me = request.param("user_id") == "@me";
               const auto user_id = targetUser(request, actor->claims.user_id, true);
               if (!user_id) co_return net::errorResponse(core::ErrorCode::kUnknownMember, "Unknown Member");
               auto input = parseMemberInput(request, me);
               if (!input) co_return net::errorResponse(input.error());
               std::string reason = reasonOf(request);
               auto member = co_await deps.members->modify(*deps.pools.at(request.worker), actor->context, *user_id,
                                                           std::move(*input), std::move(reason));
               if (!member) co_return net::errorResponse(member.error());
               publish(deps, "GUILD_MEMBER_UPDATE", actor->context.guild.id,
                       memberEvent(*member, actor->context.guild.id));
               co_return net::jsonResponse(200, json::serialize(memberObject(*member)));
             });

  router.add(Method::kDelete, "/api/v1/guilds/{guild_id}/members/{user_id}",
             [deps](Request& request) -> asio::awaitable<Response> {
               auto actor = co_await actorIn(deps, request);
               if (!actor) co_return net::errorResponse(actor.error());
               const auto user_id = targetUser(request, actor->claims.user_id, false);
               if (!user_id) co_return net::errorResponse(core::ErrorCode::kUnknownMember, "Unknown Member");
               std::string reason = reasonOf(request);
               auto kicked = co_await deps.members->kick(*deps.pools.at(request.worker), actor->context, *user_id,
                                                         std::move(reason));
               if (!kicked) co_return net::errorResponse(kicked.error());
               const std::uint64_t guild_id = actor->context.guild.id;
               publish(deps, "GUILD_MEMBER_REMOVE", guild_id, guildUserEvent(guild_id, *kicked));
               publish(deps, "GUILD_DELETE", guild_id, guildGoneEvent(guild_id), 0, {*user_id});
               co_return noContent();
             });

  const auto roleRoute = [deps](bool add) {
    return [deps, add](Request& request) -> asio::awaitable<Response> {
      auto actor = co_await actorIn(deps, request);
      if (!actor) co_return net::errorResponse(actor.error());
      const auto user_id = targetUser(request, actor->claims.user_id, true);
      if (!user_id) co_return net::errorResponse(core::ErrorCode::kUnknownMember, "Unknown Member");
      const auto role_id = core::parseSnowflake(request.param("role_id"));
      if (!role_id) co_return net::errorResponse(core::ErrorCode::kUnknownRole, "Unknown Role");
      std::string reason = reasonOf(request);
      auto changed = co_await deps.members->setRole(*deps.pools.at(request.worker), actor->context, *user_id, *role_id,
                                                    add, std::move(reason));
      if (!changed) co_return net::errorResponse(changed.error());
      if (*changed) {
        publish(deps, "GUILD_MEMBER_UPDATE", actor->context.guild.id, memberEvent(**changed, actor->context.guild.id));
      }
      co_return noContent();
    };
  };
  router.add(Method::kPut, "/api/v1/guilds/{guild_id}/members/{user_id}/roles/{role_id}", roleRoute(true));
  router.add(Method::kDelete, "/api/v1/guilds/{guild_id}/members/{user_id}/roles/{role_id}", roleRoute(false));

  // --- bans --------------------------------------------------------------------------------
  router.add(Method::kGet, "/api/v1/guilds/{guild_id}/bans", [deps](Request& request) -> asio::awaitable<Response> {
    auto actor = co_await actorIn(deps, request);
    if (!actor) co_return net::errorResponse(actor.error());
    std::vector<core::FieldError> errors;
    const auto limit = limitParam(request, domain::Members::kMaxListLimit, domain::Members::kMaxListLimit, errors);
    const std::uint64_t before = snowflakeParam(request, "before", errors);
    const std::uint64_t after = snowflakeParam(request, "after", errors);
    if (!errors.empty()) co_return net::errorResponse(core::invalidFormBody(std::move(errors)));
    auto bans = co_await deps.members->bans(*deps.pools.at(request.worker), actor->context, *limit, before, after);
    if (!bans) co_return net::errorResponse(bans.error());
    json::array out;
    for (const auto& ban : *bans)
      out.push_back(banObject(ban));
    co_return net::jsonResponse(200, json::serialize(out));
  });

  router.add(Method::kGet, "/api/v1/guilds/{guild_id}/bans/{user_id}",
             [deps](Request& request) -> asio::awaitable<Response> {
               auto actor = co_await actorIn(deps, request);
               if (!actor) co_return net::errorResponse(actor.error());
               const auto user_id = targetUser(request, actor->claims.user_id, false);
               if (!user_id) co_return net::errorResponse(core::ErrorCode::kUnknownBan, "Unknown Ban");
               auto ban = co_await deps.members->getBan(*deps.pools.at(request.worker), actor->context, *user_id);
               if (!ban) co_return net::errorResponse(ban.error());
               co_return net::jsonResponse(200, json::serialize(banObject(*ban)));
             });

  router.add(Method::kPut, "/api/v1/guilds/{guild_id}/bans/{user_id}",
             [deps](Request& request) -> asio::awaitable<Response> {
               auto actor = co_await actorIn(deps, request);
               if (!actor) co_return net::errorResponse(actor.error());
               const auto user_id = targetUser(request, actor->claims.user_id, false);
               if (!user_id) co_return net::errorResponse(core::ErrorCode::kUnknownUser, "Unknown User");
               auto body = optionalBody(request);
               if (!body) co_return net::errorResponse(body.error());
               std::vector<core::FieldError> errors;
               // delete_message_days (0-7) is the older spelling Discord still accepts.
               const int days = intField(*body, "delete_message_days", 0, 0, 7, errors);
               const int seconds = intField(*body, "delete_message_seconds", days * 86400, 0,
                                            domain::Members::kMaxDeleteMessageSeconds, errors);
               if (!errors.empty()) co_return net::errorResponse(core::invalidFormBody(std::move(errors)));
               std::string reason = reasonOf(request);
               auto banned = co_await deps.members->ban(*deps.pools.at(request.worker), actor->context, *user_id,
                                                        seconds, std::move(reason));
               if (!banned) co_return net::errorResponse(banned.error());
               const std::uint64_t guild_id = actor->context.guild.id;
               publish(deps, "GUILD_BAN_ADD", guild_id, guildUserEvent(guild_id, banned->user));
               if (banned->was_member) {
                 publish(deps, "GUILD_MEMBER_REMOVE", guild_id, guildUserEvent(guild_id, banned->user));
                 publish(deps, "GUILD_DELETE", guild_id, guildGoneEvent(guild_id), 0, {*user_id});
               }
               co_return noContent();
             });

  router.add(
      Method::kDelete, "/api/v1/guilds/{guild_id}/bans/{user_id}",
      [deps](Request& request) -> asio::awaitable<Response> {
        auto actor = co_await actorIn(deps, request);
        if (!actor) co_return net::errorResponse(actor.error());
        const auto user_id = targetUser(request, actor->claims.user_id, false);
        if (!user_id) co_return net::errorResponse(core::ErrorCode::kUnknownBan, "Unknown Ban");
        std::string reason = reasonOf(request);
        auto unbanned =
            co_await deps.members->unban(*deps.pools.at(request.worker), actor->context, *user_id, std::move(reason));
        if (!unbanned) co_return net::errorResponse(unbanned.error());
        publish(deps, "GUILD_BAN_REMOVE", actor->context.guild.id, guildUserEvent(actor->context.guild.id, *unbanned));
        co_return noContent();
      });

  // --- invites -----------------------------------------------------------------------------
  router.add(Method::kGet, "/api/v1/guilds/{guild_id}/invites", [deps](Request& request) -> asio::awaitable<Response> {
    auto actor = co_await actorIn(deps, request);
    if (!actor) co_return net::errorResponse(actor.error());
    auto invites = co_await deps.members->guildInvites(*deps.pools.at(request.worker), actor->context);
    if (!invites) co_return net::errorResponse(invites.error());
    co_return net::jsonResponse(200, invitesJson(*invites));
  });

  router.add(Method::kPost, "/api/v1/channels/{channel_id}/invites",
             [deps](Request& request) -> asio::awaitable<Response> {
               auto actor = co_await actorInChannel(deps, request);
               if (!actor) co_return net::errorResponse(actor.error());
               auto body = optionalBody(request);
               if (!body) co_return net::errorResponse(body.error());
               std::vector<core::FieldError> errors;
               domain::InviteInput input;
               input.max_age = intField(*body, "max_age", 86400, 0, domain::Members::kMaxInviteAge, errors);
               input.max_uses = intField(*body, "max_uses", 0, 0, domain::Members::kMaxInviteUses, errors);
               input.unique = boolField(*body, "unique", errors).value_or(false);
               if (!errors.empty()) co_return net::errorResponse(core::invalidFormBody(std::move(errors)));
               std::string reason = reasonOf(request);
               auto created = co_await deps.members->createInvite(*deps.pools.at(request.worker), actor->context,
                                                                  actor->channel, input, std::move(reason));
               if (!created) co_return net::errorResponse(created.error());
               if (created->created) {
                 publish(deps, "INVITE_CREATE", actor->context.guild.id, inviteCreateEvent(created->invite),
                         actor->channel.id);
               }
               co_return net::jsonResponse(200, json::serialize(inviteObject(created->invite)));
             });

  router.add(
      Method::kGet, "/api/v1/channels/{channel_id}/invites", [deps](Request& request) -> asio::awaitable<Response> {
        auto actor = co_await actorInChannel(deps, request);
        if (!actor) co_return net::errorResponse(actor.error());
        auto invites =
            co_await deps.members->channelInvites(*deps.pools.at(request.worker), actor->context, actor->channel);
        if (!invites) co_return net::errorResponse(invites.error());
        co_return net::jsonResponse(200, invitesJson(*invites));
      });

  // The invite preview needs no account: it is what a link shows before signing up.
  router.add(Method::kGet, "/api/v1/invites/{code}", [deps](Request& request) -> asio::awaitable<Response> {
    std::string code(request.param("code"));
    const bool with_counts = request.queryParam("with_counts") == "true";
    auto invite = co_await deps.members->invite(*deps.pools.at(request.worker), std::move(code), with_counts);
    if (!invite) co_return net::errorResponse(invite.error());
    co_return net::jsonResponse(200, json::serialize(inviteObject(*invite)));
  });

  router.add(Method::kPost, "/api/v1/invites/{code}", [deps](Request& request) -> asio::awaitable<Response> {
    auto& pool = *deps.pools.at(request.worker);
    auto claims = co_await authenticateLive(request, *deps.signer, *deps.accounts, pool);
    if (!claims) co_return net::errorResponse(claims.error());
    auto may_join = co_await requireMayJoinServers(*deps.accounts, pool, claims->user_id);
    if (!may_join && may_join.error().code != core::ErrorCode::kMissingAccess) {
      co_return net::errorResponse(may_join.error());
    }
    std::string code(request.param("code"));
    auto joined = co_await deps.members->join(pool, claims->user_id, std::move(code), may_join.has_value());
    if (!joined) co_return net::errorResponse(joined.error());
    const std::uint64_t guild_id = joined->context.guild.id;
    auto count = co_await deps.guilds->memberCount(pool, guild_id);
    if (!count) co_return net::errorResponse(count.error());
    const std::string guild = guildJson(joined->context.guild, joined->context.roles, *count);
    if (!joined->already_member) {
      publish(deps, "GUILD_MEMBER_ADD", guild_id, memberEvent(joined->member, guild_id));
      publish(deps, "GUILD_CREATE", guild_id, guild, 0, {claims->user_id});
      if (deps.current_presence && *count <= deps.large_threshold) {
        co_await exchangePresence(deps, pool, guild_id, claims->user_id);
      }
    }
    co_return net::jsonResponse(200, guild);
  });

  router.add(Method::kDelete, "/api/v1/invites/{code}", [deps](Request& request) -> asio::awaitable<Response> {
    auto& pool = *deps.pools.at(request.worker);
    auto claims = co_await authenticateLive(request, *deps.signer, *deps.accounts, pool);
    if (!claims) co_return net::errorResponse(claims.error());
    std::string code(request.param("code"));
    std::string reason = reasonOf(request);
    auto deleted = co_await deps.members->deleteInvite(pool, claims->user_id, std::move(code), std::move(reason));
    if (!deleted) co_return net::errorResponse(deleted.error());
    publish(deps, "INVITE_DELETE", deleted->guild.id, inviteDeleteEvent(*deleted), deleted->channel.id);
    co_return net::jsonResponse(200, json::serialize(inviteObject(*deleted)));
  });
}

} // namespace hearth::api
