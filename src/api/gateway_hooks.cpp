#include "api/gateway_hooks.hpp"

#include <chrono>
#include <mutex>
#include <unordered_map>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <spdlog/spdlog.h>

#include "api/auth_routes.hpp"
#include "api/member_routes.hpp"
#include "domain/accounts.hpp"
#include "domain/events.hpp"
#include "domain/guilds.hpp"
#include "domain/members.hpp"
#include "store/pg.hpp"

namespace hearth::api {

namespace asio = boost::asio;

namespace {

// Typing is announced at most once per user and channel in this window (clients repeat it
// every 8-10 s while typing); repeats inside it answer 204 without an event.
constexpr std::chrono::seconds kTypingRepeat{5};

class TypingThrottle {
public:
  //! True when (user, channel) may announce typing now.
  bool admit(std::uint64_t user_id, std::uint64_t channel_id) {
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard lock(mutex_);
    if (last_.size() > 100000) {
      std::erase_if(last_, [&](const auto& entry) { return now - entry.second >= kTypingRepeat; });
    }
    auto& last = last_[key(user_id, channel_id)];
    if (last.time_since_epoch().count() != 0 && now - last < kTypingRepeat) return false;
    last = now;
    return true;
  }

private:
  static std::uint64_t key(std::uint64_t user_id, std::uint64_t channel_id) {
    return user_id * 0x9E3779B97F4A7C15ULL ^ channel_id;
  }
  std::mutex mutex_;
  std::unordered_map<std::uint64_t, std::chrono::steady_clock::time_point> last_;
};

} // namespace

gateway::AuthenticateFn authenticateHook(GatewayHookDeps deps) {
  return [deps](std::string token, std::size_t worker) -> asio::awaitable<core::Result<gateway::Principal>> {
    auto claims = deps.signer->verify(token);
    if (!claims) co_return std::unexpected(claims.error());
    auto active = co_await deps.accounts->sessionActive(*deps.pools.at(worker), claims->session_id);
    if (!active) co_return std::unexpected(active.error());
    if (!*active) co_return core::fail(core::ErrorCode::kUnauthorized, "Session ended");
    co_return gateway::Principal{claims->user_id, claims->session_id};
  };
}

gateway::RequestMembersFn requestMembersHook(GatewayHookDeps deps) {
  return [deps](gateway::Principal who, gateway::MemberRequest request,
                std::size_t worker) -> asio::awaitable<core::Result<gateway::MemberAnswer>> {
    auto& pool = *deps.pools.at(worker);
    gateway::MemberAnswer answer;
    // Not a member (or no such server): an empty answer, as for a query that matches nobody.
    auto context = co_await deps.guilds->context(pool, request.guild_id, who.user_id);
    if (!context) {
      if (context.error().code == core::ErrorCode::kUnknownGuild) co_return answer;
      co_return std::unexpected(context.error());
    }
    core::Result<std::vector<domain::Member>> members = std::vector<domain::Member>{};
    if (!request.user_ids.empty()) {
      members = co_await deps.members->some(pool, request.guild_id, request.user_ids);
    } else {
      const int limit = request.limit == 0 ? domain::Members::kMaxListLimit : request.limit;
      if (request.query.empty()) {
        members = co_await deps.members->list(pool, *context, limit, 0);
      } else {
        members = co_await deps.members->search(pool, request.guild_id, request.query, limit);
      }
    }
    if (!members) co_return std::unexpected(members.error());
    for (const auto& member : *members) {
      answer.members_json.push_back(memberJson(member));
      answer.user_ids.push_back(member.user.id);
    }
    for (const auto asked : request.user_ids) {
      if (std::find(answer.user_ids.begin(), answer.user_ids.end(), asked) == answer.user_ids.end()) {
        answer.not_found.push_back(asked);
      }
    }
    co_return answer;
  };
}

namespace {

// A presence object as others see it now: offline when there is none.
std::string presenceNow(std::uint64_t user_id, const std::function<std::string(std::uint64_t)>& current_presence) {
  std::string presence = current_presence(user_id);
  if (presence.empty()) {
    presence = "{\"user\":{\"id\":\"" + std::to_string(user_id) +
               "\"},\"status\":\"offline\",\"activities\":[],\"client_status\":{}}";
  }
  return presence;
}

// SQL: the server in `guild_column` has at most the number in `limit_param` members, from the
// count kept with the server (migration 0010), so a large server costs no more than a small one.
std::string atMostMembers(const std::string& guild_column, const std::string& limit_param) {
  return "(SELECT g.member_count FROM guilds g WHERE g.id = " + guild_column + ") <= " + limit_param + "::bigint";
}

// {user, status, activities, client_status} plus guild_id.
std::string inGuild(std::string presence, std::uint64_t guild_id) {
  presence.insert(presence.size() - 1, ",\"guild_id\":\"" + std::to_string(guild_id) + "\"");
  return presence;
}

} // namespace

asio::awaitable<core::Result<std::vector<gateway::ReplayEvent>>>
presenceReplay(store::PgPool& pool, std::uint64_t user_id, const std::vector<std::uint64_t>& changed,
               std::size_t large_threshold, const std::function<std::string(std::uint64_t)>& current_presence) {
  std::vector<gateway::ReplayEvent> out;
  if (changed.empty()) co_return out;
  const std::string user = std::to_string(user_id);
  const std::string list = store::idArray(changed);
  std::vector<store::Statement> statements;
  // The servers of at most large_threshold members that both are in (as presenceHook counts).
  statements.push_back({"SELECT a.user_id, a.guild_id FROM members a JOIN members b ON b.guild_id = a.guild_id AND "
                        "b.user_id = $1 WHERE a.user_id = ANY($2::bigint[]) AND " +
                            atMostMembers("a.guild_id", "$3") + " ORDER BY a.user_id, a.guild_id",
                        {user, list, std::to_string(large_threshold)}});
  statements.push_back({"SELECT other_id FROM relationships WHERE user_id = $1 AND type = 1 AND "
                        "other_id = ANY($2::bigint[]) ORDER BY other_id",
                        {user, list}});
  auto found = co_await pool.pipeline(std::move(statements));
  if (!found) co_return std::unexpected(found.error());
  const auto& shared = (*found)[0];
  for (int row = 0; row < shared.rows(); ++row) {
    const auto other = static_cast<std::uint64_t>(shared.integer(row, 0).value_or(0));
    const auto guild_id = static_cast<std::uint64_t>(shared.integer(row, 1).value_or(0));
    out.push_back({"PRESENCE_UPDATE",
                   std::make_shared<const std::string>(inGuild(presenceNow(other, current_presence), guild_id)), 0});
  }
  const auto& friends = (*found)[1];
  for (int row = 0; row < friends.rows(); ++row) {
    const auto other = static_cast<std::uint64_t>(friends.integer(row, 0).value_or(0));
    out.push_back({"PRESENCE_UPDATE", std::make_shared<const std::string>(presenceNow(other, current_presence)), 0});
  }
  co_return out;
}

gateway::PresenceChangedFn presenceHook(GatewayHookDeps deps) {
  return [deps](std::uint64_t user_id, const std::string&, const std::string&) {
    const std::size_t worker = user_id % deps.executors.size();
    asio::co_spawn(
        deps.executors[worker],
        [deps, user_id, worker]() -> asio::awaitable<void> {
          const std::string user = std::to_string(user_id);
          std::vector<store::Statement> statements;
          // The user's servers of at most large_threshold members.
          statements.push_back(
              {"SELECT m.guild_id FROM members m WHERE m.user_id = $1 AND " + atMostMembers("m.guild_id", "$2"),
               {user, std::to_string(deps.large_threshold)}});
          statements.push_back({"SELECT other_id FROM relationships WHERE user_id = $1 AND type = 1", {user}});
          auto found = co_await deps.pools.at(worker)->pipeline(std::move(statements));
          if (!found) {
            spdlog::warn("presence of user {} not announced: {}", user_id, found.error().message);
            co_return;
          }
          const std::string presence = presenceNow(user_id, deps.current_presence);
          const auto& guilds = (*found)[0];
          for (int row = 0; row < guilds.rows(); ++row) {
            const auto guild_id = static_cast<std::uint64_t>(guilds.integer(row, 0).value_or(0));
            deliverHere(deps, "PRESENCE_UPDATE", guild_id, inGuild(presence, guild_id));
          }
          // Friends hear of it whether or not they share a server (without guild_id).
          const auto& friends = (*found)[1];
          std::vector<std::uint64_t> friend_ids;
          for (int row = 0; row < friends.rows(); ++row)
            friend_ids.push_back(static_cast<std::uint64_t>(friends.integer(row, 0).value_or(0)));
          if (!friend_ids.empty()) deliverHere(deps, "PRESENCE_UPDATE", 0, presence, std::move(friend_ids));
        },
        asio::detached);
  };
}

asio::awaitable<core::Result<std::vector<std::uint64_t>>>
presenceCandidates(store::PgPool& pool, std::uint64_t user_id, const std::vector<std::uint64_t>& small_guilds) {
  std::vector<std::uint64_t> users;
  if (small_guilds.empty()) co_return users;
  store::Params params{store::idArray(small_guilds), std::to_string(user_id)};
  auto found = co_await pool.query(
      "SELECT DISTINCT user_id FROM members WHERE guild_id = ANY($1::bigint[]) AND user_id <> $2", std::move(params));
  if (!found) co_return std::unexpected(found.error());
  users.reserve(static_cast<std::size_t>(found->rows()));
  for (int row = 0; row < found->rows(); ++row)
    users.push_back(static_cast<std::uint64_t>(found->integer(row, 0).value_or(0)));
  co_return users;
}

void addTypingRoute(net::Router& router, ServerRouteDeps deps) {
  auto throttle = std::make_shared<TypingThrottle>();
  router.add(net::Method::kPost, "/api/v1/channels/{channel_id}/typing",
             [deps, throttle](net::Request& request) -> asio::awaitable<net::Response> {
               auto actor = co_await actorInChannel(deps, request);
               if (!actor) co_return net::errorResponse(actor.error());
               const auto permissions = actor->context.in(actor->channel);
               if ((permissions & domain::perm::kSendMessages) == 0) {
                 co_return net::errorResponse(core::ErrorCode::kMissingPermissions, "Missing Permissions");
               }
               const auto user_id = actor->claims.user_id;
               const auto channel_id = actor->channel.id;
               if (throttle->admit(user_id, channel_id)) {
                 const auto guild_id = actor->context.guild.id;
                 const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                                      std::chrono::system_clock::now().time_since_epoch())
                                      .count();
                 std::string data = "{\"channel_id\":\"" + std::to_string(channel_id) + "\"";
                 if (guild_id != 0) data += ",\"guild_id\":\"" + std::to_string(guild_id) + "\"";
                 data += ",\"user_id\":\"" + std::to_string(user_id) + "\",\"timestamp\":" + std::to_string(now) + "}";
                 publish(deps, "TYPING_START", guild_id, std::move(data), channel_id);
               }
               co_return noContent();
             });
}

} // namespace hearth::api
