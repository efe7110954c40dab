#include "api/thread_routes.hpp"

#include <algorithm>
#include <cctype>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <spdlog/spdlog.h>

#include "api/json_objects.hpp"
#include "api/message_routes.hpp"
#include "core/snowflake.hpp"
#include "domain/events.hpp"
#include "domain/members.hpp"
#include "domain/messages.hpp"
#include "domain/threads.hpp"
#include "net/json_body.hpp"
#include "store/pg.hpp"

namespace hearth::api {

namespace asio = boost::asio;
namespace json = boost::json;
using domain::ChannelType;
using net::Method;
using net::Request;
using net::Response;

namespace {

std::string idString(std::uint64_t value) { return core::snowflakeToString(value); }

json::object memberObject(const domain::ThreadMember& member) {
  json::object out;
  out["id"] = idString(member.thread_id);
  out["user_id"] = idString(member.user_id);
  out["join_timestamp"] = member.join_timestamp;
  out["flags"] = member.flags;
  return out;
}

json::object threadObject(const domain::Channel& thread) {
  const domain::ThreadState& state = *thread.thread;
  json::object out;
  out["id"] = idString(thread.id);
  out["type"] = static_cast<int>(thread.type);
  out["guild_id"] = idString(thread.guild_id);
  out["parent_id"] = idString(thread.parent_id);
  out["owner_id"] = idString(state.owner_id);
  out["name"] = thread.name;
  out["last_message_id"] =
      state.last_message_id == 0 ? json::value(nullptr) : json::value(idString(state.last_message_id));
  out["rate_limit_per_user"] = thread.rate_limit_per_user;
  out["message_count"] = state.message_count;
  out["member_count"] = state.member_count;
  out["total_message_sent"] = state.message_count;
  out["flags"] = 0;
  json::object metadata;
  metadata["archived"] = state.archived;
  metadata["auto_archive_duration"] = state.auto_archive_duration;
  metadata["archive_timestamp"] = state.archive_timestamp;
  metadata["locked"] = state.locked;
  if (thread.type == ChannelType::kPrivateThread) metadata["invitable"] = state.invitable;
  metadata["create_timestamp"] = state.create_timestamp;
  out["thread_metadata"] = std::move(metadata);
  return out;
}

json::object listObject(const domain::ThreadList& list, bool with_has_more) {
  json::object out;
  json::array threads;
  for (const auto& thread : list.threads)
    threads.push_back(threadObject(thread));
  out["threads"] = std::move(threads);
  json::array members;
  for (const auto& member : list.members)
    members.push_back(memberObject(member));
  out["members"] = std::move(members);
  if (with_has_more) out["has_more"] = list.has_more;
  return out;
}

// An event about the thread, to whoever may see it when it is sent.
void publishThread(const ThreadDeps& deps, std::string type, const domain::Channel& thread, std::string data,
                   std::vector<std::uint64_t> also_members = {}) {
  if (deps.events == nullptr) return;
  domain::Event event;
  event.type = std::move(type);
  event.guild_id = thread.guild_id;
  event.channel_id = thread.id;
  event.data = std::move(data);
  event.thread_members = std::move(also_members);
  deps.events->publish(event);
}

// THREAD_MEMBER_UPDATE to the member: their own membership, with the server's id.
void publishOwnMembership(const ThreadDeps& deps, const domain::Channel& thread, const domain::ThreadMember& member) {
  json::object data = memberObject(member);
  data["guild_id"] = idString(thread.guild_id);
  publish(deps, "THREAD_MEMBER_UPDATE", thread.guild_id, json::serialize(data), 0, {member.user_id});
}

// THREAD_MEMBERS_UPDATE {id, guild_id, member_count, added_members | removed_member_ids}.
void publishMembers(const ThreadDeps& deps, const domain::Channel& thread, const domain::ThreadMember& member,
                    bool added) {
  json::object data;
  data["id"] = idString(thread.id);
  data["guild_id"] = idString(thread.guild_id);
  data["member_count"] = thread.thread->member_count;
  std::vector<std::uint64_t> also;
  if (added) {
    json::array members;
    members.push_back(memberObject(member));
    data["added_members"] = std::move(members);
  } else {
    json::array removed;
    removed.push_back(json::value(idString(member.user_id)));
    data["removed_member_ids"] = std::move(removed);
    // Whoever left a private thread hears of it too, though it is hidden from them now.
    if (thread.type == ChannelType::kPrivateThread) also.push_back(member.user_id);
  }
  publishThread(deps, "THREAD_MEMBERS_UPDATE", thread, json::serialize(data), std::move(also));
}

// The member a route's {user_id} names: "@me" or an id (kUnknownMember otherwise).
core::Result<std::uint64_t> memberIdOf(const Request& request, std::uint64_t me) {
  const std::string_view text = request.param("user_id");
  if (text == "@me") return me;
  if (auto parsed = core::parseSnowflake(text)) return *parsed;
  return core::fail(core::ErrorCode::kUnknownMember, "Unknown Member");
}

core::Error notAThread() {
  return core::Error{core::ErrorCode::kCannotExecuteOnChannelType, "Cannot execute action on this channel type"};
}

// Optional typed fields of a thread body; a wrong type is a field error.
std::optional<std::string> stringField(const json::object& body, std::string_view name,
                                       std::vector<core::FieldError>& errors) {
  const auto* value = body.if_contains(name);
  if (value == nullptr || value->is_null()) return std::nullopt;
  if (!value->is_string()) {
    errors.push_back({std::string(name), "BASE_TYPE_STRING", "Must be a string"});
    return std::nullopt;
  }
  return std::string(value->as_string());
}

std::optional<int> intField(const json::object& body, std::string_view name, std::vector<core::FieldError>& errors) {
  const auto* value = body.if_contains(name);
  if (value == nullptr || value->is_null()) return std::nullopt;
  if (value->is_int64() && value->as_int64() >= INT32_MIN && value->as_int64() <= INT32_MAX) {
    return static_cast<int>(value->as_int64());
  }
  if (value->is_uint64() && value->as_uint64() <= INT32_MAX) return static_cast<int>(value->as_uint64());
  errors.push_back({std::string(name), "NUMBER_TYPE_COERCE", "Must be an integer"});
  return std::nullopt;
}

std::optional<bool> boolField(const json::object& body, std::string_view name, std::vector<core::FieldError>& errors) {
  const auto* value = body.if_contains(name);
  if (value == nullptr || value->is_null()) return std::nullopt;
  if (!value->is_bool()) {
    errors.push_back({std::string(name), "BASE_TYPE_BOOLEAN", "Must be true or false"});
    return std::nullopt;
  }
  return value->as_bool();
}

// POST bodies: {name, auto_archive_duration?, rate_limit_per_user?, type?, invitable?}.
core::Result<domain::ThreadInput> parseCreate(const Request& request, bool standalone) {
  auto body = net::parseJsonBody(request);
  if (!body) return std::unexpected(body.error());
  std::vector<core::FieldError> errors;
  domain::ThreadInput input;
  auto name = stringField(*body, "name", errors);
  if (!name && !body->contains("name")) errors.push_back({"name", "BASE_TYPE_REQUIRED", "This field is required"});
  input.name = name.value_or("");
  input.auto_archive_duration = intField(*body, "auto_archive_duration", errors);
  input.rate_limit_per_user = intField(*body, "rate_limit_per_user", errors);
  if (standalone) {
    if (auto type = intField(*body, "type", errors)) {
      if (*type != 11 && *type != 12) {
        errors.push_back({"type", "CHANNEL_TYPE_INVALID", "Use 11 (public thread) or 12 (private thread)."});
      } else {
        input.type = static_cast<ChannelType>(*type);
      }
    }
    input.invitable = boolField(*body, "invitable", errors);
  }
  if (!errors.empty()) return std::unexpected(core::invalidFormBody(std::move(errors)));
  return input;
}

core::Result<domain::ThreadPatch> parsePatch(const Request& request) {
  auto body = net::parseJsonBody(request);
  if (!body) return std::unexpected(body.error());
  std::vector<core::FieldError> errors;
  domain::ThreadPatch patch;
  patch.name = stringField(*body, "name", errors);
  patch.archived = boolField(*body, "archived", errors);
  patch.locked = boolField(*body, "locked", errors);
  patch.auto_archive_duration = intField(*body, "auto_archive_duration", errors);
  patch.invitable = boolField(*body, "invitable", errors);
  patch.rate_limit_per_user = intField(*body, "rate_limit_per_user", errors);
  if (!errors.empty()) return std::unexpected(core::invalidFormBody(std::move(errors)));
  return patch;
}

core::Result<domain::ArchivedQuery> parseArchived(const Request& request, domain::ArchivedScope scope) {
  domain::ArchivedQuery query;
  query.scope = scope;
  std::vector<core::FieldError> errors;
  query.limit = limitParam(request, query.limit, 100, errors).value_or(query.limit);
  const std::string before = request.queryParam("before");
  if (!before.empty()) {
    if (scope == domain::ArchivedScope::kJoinedPrivate) {
      query.before_id = snowflakeParam(request, "before", errors);
    } else {
      // Checked here so that PostgreSQL reads it without fail; passed on as written (microseconds).
      const auto millis = domain::parseIsoTimestamp(before);
      if (!millis || *millis < 0) {
        errors.push_back({"before", "DATE_TIME_TYPE_PARSE", "Must be an ISO 8601 timestamp."});
      } else {
        query.before = before;
        for (auto& c : query.before)
          c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      }
    }
  }
  if (!errors.empty()) return std::unexpected(core::invalidFormBody(std::move(errors)));
  return query;
}

// Writes the audit log entry of a thread change; a failure is logged, the change stands.
asio::awaitable<void> auditThread(const ThreadDeps& deps, store::PgPool& pool, const ChannelActor& actor,
                                  std::uint64_t thread_id, int action, const Request& request,
                                  const std::vector<domain::Change>& changes) {
  std::string reason = reasonOf(request);
  auto audited = co_await deps.guilds->audit(pool, actor.context.guild.id, actor.claims.user_id, thread_id, action,
                                             std::move(reason), changes);
  if (!audited) spdlog::warn("audit of thread {} not written: {}", thread_id, audited.error().message);
}

// POST .../threads: the new thread, its events and audit entry; 201 with the thread.
asio::awaitable<Response> created(const ThreadDeps& deps, store::PgPool& pool, const ChannelActor& actor,
                                  const Request& request, const domain::Channel& thread) {
  const std::vector<domain::Change> changes{{"name", "", json::serialize(json::value(thread.name))},
                                            {"type", "", std::to_string(static_cast<int>(thread.type))}};
  co_await auditThread(deps, pool, actor, thread.id, domain::audit::kThreadCreate, request, changes);
  json::object event = threadObject(thread);
  event["newly_created"] = true;
  publishThread(deps, "THREAD_CREATE", thread, json::serialize(event));
  auto member = co_await deps.threads->member(pool, thread, actor.claims.user_id);
  if (member) publishOwnMembership(deps, thread, *member);
  co_return net::jsonResponse(201, threadJson(thread));
}

// GET/PATCH/DELETE /channels/{id} for a thread (handed over by guild_routes).
asio::awaitable<Response> threadChannel(const ThreadDeps& deps, Request& request, ChannelActor& actor) {
  auto& pool = *deps.pools.at(request.worker);
  const domain::Channel& thread = actor.channel;
  if (request.method == Method::kGet) co_return net::jsonResponse(200, threadJson(thread));
  if (request.method == Method::kPatch) {
    auto patch = parsePatch(request);
    if (!patch) co_return net::errorResponse(patch.error());
    auto changed = co_await deps.threads->update(pool, actor.context, thread, std::move(*patch));
    if (!changed) co_return net::errorResponse(changed.error());
    std::string answer = threadJson(changed->value);
    if (!changed->changes.empty()) {
      co_await auditThread(deps, pool, actor, thread.id, domain::audit::kThreadUpdate, request, changed->changes);
      publishThread(deps, "THREAD_UPDATE", changed->value, answer);
    }
    co_return net::jsonResponse(200, std::move(answer));
  }
  auto members = co_await deps.threads->remove(pool, actor.context, thread);
  if (!members) co_return net::errorResponse(members.error());
  const std::vector<domain::Change> changes{{"name", json::serialize(json::value(thread.name)), ""}};
  co_await auditThread(deps, pool, actor, thread.id, domain::audit::kThreadDelete, request, changes);
  if (deps.events != nullptr) {
    json::object data;
    data["id"] = idString(thread.id);
    data["guild_id"] = idString(thread.guild_id);
    data["parent_id"] = idString(thread.parent_id);
    data["type"] = static_cast<int>(thread.type);
    // Gone: delivery judges by the thread as it was (its parent's overwrites, its members).
    domain::Event event;
    event.type = "THREAD_DELETE";
    event.guild_id = thread.guild_id;
    event.channel_id = thread.id;
    event.data = json::serialize(data);
    event.channel_gone = true;
    event.channel_type = static_cast<int>(thread.type);
    event.channel_overwrites = thread.overwrites;
    event.thread_members = std::move(*members);
    deps.events->publish(event);
  }
  co_return net::jsonResponse(200, threadJson(thread));
}

} // namespace

std::string threadJson(const domain::Channel& thread) { return json::serialize(threadObject(thread)); }

std::string readyThreadsJson(const std::vector<domain::ActiveThread>& threads) {
  json::array out;
  for (const auto& active : threads) {
    json::object thread = threadObject(active.thread);
    if (active.member) {
      // As in Discord's GUILD_CREATE: the viewer's membership without the ids around it.
      json::object member;
      member["join_timestamp"] = active.member->join_timestamp;
      member["flags"] = active.member->flags;
      thread["member"] = std::move(member);
    }
    out.push_back(std::move(thread));
  }
  return json::serialize(out);
}

std::function<asio::awaitable<void>(std::size_t, const ChannelActor&)> threadMessageHook(ThreadDeps deps) {
  return [deps](std::size_t worker, const ChannelActor& actor) -> asio::awaitable<void> {
    if (!domain::isThread(actor.channel.type)) co_return;
    auto& pool = *deps.pools.at(worker);
    auto activity = co_await deps.threads->noteMessage(pool, actor.channel, actor.claims.user_id);
    if (!activity) {
      // The message is stored and stays; only the thread's bookkeeping failed.
      spdlog::warn("thread {} not updated after a message: {}", actor.channel.id, activity.error().message);
      co_return;
    }
    if (activity->unarchived) publishThread(deps, "THREAD_UPDATE", activity->thread, threadJson(activity->thread));
    if (activity->joined) {
      publishOwnMembership(deps, activity->thread, *activity->joined);
      publishMembers(deps, activity->thread, *activity->joined, true);
    }
  };
}

DmChannelHandler addThreadRoutes(net::Router& router, ThreadDeps deps) {
  router.add(Method::kPost, "/api/v1/channels/{channel_id}/messages/{message_id}/threads",
             [deps](Request& request) -> asio::awaitable<Response> {
               auto actor = co_await actorInChannel(deps, request);
               if (!actor) co_return net::errorResponse(actor.error());
               const auto message_id = core::parseSnowflake(request.param("message_id"));
               if (!message_id) co_return net::errorResponse(core::ErrorCode::kUnknownMessage, "Unknown Message");
               auto input = parseCreate(request, false);
               if (!input) co_return net::errorResponse(input.error());
               auto& pool = *deps.pools.at(request.worker);
               auto thread = co_await deps.threads->createFromMessage(pool, actor->context, actor->channel, *message_id,
                                                                      std::move(*input));
               if (!thread) co_return net::errorResponse(thread.error());
               auto answer = co_await created(deps, pool, *actor, request, *thread);
               // The message now shows its thread (and HAS_THREAD) to everyone in the channel.
               auto message = co_await deps.messages->get(pool, actor->context, actor->channel, *message_id);
               if (message)
                 publish(deps, "MESSAGE_UPDATE", message->guild_id, messageJson(*message), message->channel_id);
               co_return answer;
             });

  router.add(Method::kPost, "/api/v1/channels/{channel_id}/threads",
             [deps](Request& request) -> asio::awaitable<Response> {
               auto actor = co_await actorInChannel(deps, request);
               if (!actor) co_return net::errorResponse(actor.error());
               auto input = parseCreate(request, true);
               if (!input) co_return net::errorResponse(input.error());
               auto& pool = *deps.pools.at(request.worker);
               auto thread = co_await deps.threads->create(pool, actor->context, actor->channel, std::move(*input));
               if (!thread) co_return net::errorResponse(thread.error());
               co_return co_await created(deps, pool, *actor, request, *thread);
             });

  router.add(Method::kPut, "/api/v1/channels/{channel_id}/thread-members/{user_id}",
             [deps](Request& request) -> asio::awaitable<Response> {
               auto actor = co_await actorInChannel(deps, request);
               if (!actor) co_return net::errorResponse(actor.error());
               if (!domain::isThread(actor->channel.type)) co_return net::errorResponse(notAThread());
               auto user_id = memberIdOf(request, actor->claims.user_id);
               if (!user_id) co_return net::errorResponse(user_id.error());
               auto& pool = *deps.pools.at(request.worker);
               auto change = co_await deps.threads->addMember(pool, actor->context, actor->channel, *user_id);
               if (!change) co_return net::errorResponse(change.error());
               if (change->changed) {
                 // Someone added to a private thread learns of it first (they couldn't see it).
                 if (change->thread.type == ChannelType::kPrivateThread && *user_id != actor->claims.user_id) {
                   publish(deps, "THREAD_CREATE", change->thread.guild_id, threadJson(change->thread), 0, {*user_id});
                 }
                 publishOwnMembership(deps, change->thread, change->member);
                 publishMembers(deps, change->thread, change->member, true);
               }
               co_return noContent();
             });

  router.add(Method::kDelete, "/api/v1/channels/{channel_id}/thread-members/{user_id}",
             [deps](Request& request) -> asio::awaitable<Response> {
               auto actor = co_await actorInChannel(deps, request);
               if (!actor) co_return net::errorResponse(actor.error());
               if (!domain::isThread(actor->channel.type)) co_return net::errorResponse(notAThread());
               auto user_id = memberIdOf(request, actor->claims.user_id);
               if (!user_id) co_return net::errorResponse(user_id.error());
               auto& pool = *deps.pools.at(request.worker);
               auto change = co_await deps.threads->removeMember(pool, actor->context, actor->channel, *user_id);
               if (!change) co_return net::errorResponse(change.error());
               if (change->changed) publishMembers(deps, change->thread, change->member, false);
               co_return noContent();
             });

  router.add(Method::kGet, "/api/v1/channels/{channel_id}/thread-members",
             [deps](Request& request) -> asio::awaitable<Response> {
               auto actor = co_await actorInChannel(deps, request);
               if (!actor) co_return net::errorResponse(actor.error());
               if (!domain::isThread(actor->channel.type)) co_return net::errorResponse(notAThread());
               auto members = co_await deps.threads->members(*deps.pools.at(request.worker), actor->channel);
               if (!members) co_return net::errorResponse(members.error());
               json::array out;
               for (const auto& member : *members)
                 out.push_back(memberObject(member));
               co_return net::jsonResponse(200, json::serialize(out));
             });

  router.add(Method::kGet, "/api/v1/channels/{channel_id}/thread-members/{user_id}",
             [deps](Request& request) -> asio::awaitable<Response> {
               auto actor = co_await actorInChannel(deps, request);
               if (!actor) co_return net::errorResponse(actor.error());
               if (!domain::isThread(actor->channel.type)) co_return net::errorResponse(notAThread());
               auto user_id = memberIdOf(request, actor->claims.user_id);
               if (!user_id) co_return net::errorResponse(user_id.error());
               auto member = co_await deps.threads->member(*deps.pools.at(request.worker), actor->channel, *user_id);
               if (!member) co_return net::errorResponse(member.error());
               co_return net::jsonResponse(200, json::serialize(memberObject(*member)));
             });

  router.add(Method::kGet, "/api/v1/guilds/{guild_id}/threads/active",
             [deps](Request& request) -> asio::awaitable<Response> {
               auto actor = co_await actorIn(deps, request);
               if (!actor) co_return net::errorResponse(actor.error());
               auto list = co_await deps.threads->active(*deps.pools.at(request.worker), actor->context);
               if (!list) co_return net::errorResponse(list.error());
               co_return net::jsonResponse(200, json::serialize(listObject(*list, false)));
             });

  const auto archivedRoute = [deps](domain::ArchivedScope scope) {
    return [deps, scope](Request& request) -> asio::awaitable<Response> {
      auto actor = co_await actorInChannel(deps, request);
      if (!actor) co_return net::errorResponse(actor.error());
      auto query = parseArchived(request, scope);
      if (!query) co_return net::errorResponse(query.error());
      auto list =
          co_await deps.threads->archived(*deps.pools.at(request.worker), actor->context, actor->channel, *query);
      if (!list) co_return net::errorResponse(list.error());
      co_return net::jsonResponse(200, json::serialize(listObject(*list, true)));
    };
  };
  router.add(Method::kGet, "/api/v1/channels/{channel_id}/threads/archived/public",
             archivedRoute(domain::ArchivedScope::kPublic));
  router.add(Method::kGet, "/api/v1/channels/{channel_id}/threads/archived/private",
             archivedRoute(domain::ArchivedScope::kPrivate));
  router.add(Method::kGet, "/api/v1/channels/{channel_id}/users/@me/threads/archived/private",
             archivedRoute(domain::ArchivedScope::kJoinedPrivate));

  return [deps](Request& request, ChannelActor& actor) -> asio::awaitable<Response> {
    co_return co_await threadChannel(deps, request, actor);
  };
}

} // namespace hearth::api
