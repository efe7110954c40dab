#include "api/route_support.hpp"

#include <algorithm>
#include <atomic>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "api/auth_routes.hpp"
#include "api/guild_json.hpp"
#include "core/snowflake.hpp"
#include "domain/accounts.hpp"
#include "domain/channel_access.hpp"
#include "domain/events.hpp"
#include "store/pg.hpp"

namespace hearth::api {

namespace asio = boost::asio;

asio::awaitable<core::Result<Actor>> actorIn(const ServerRouteDeps& deps, const net::Request& request) {
  auto& pool = *deps.pools.at(request.worker);
  auto claims = co_await authenticateLive(request, *deps.signer, *deps.accounts, pool);
  if (!claims) co_return std::unexpected(claims.error());
  const auto guild_id = core::parseSnowflake(request.param("guild_id"));
  if (!guild_id) co_return core::fail(core::ErrorCode::kUnknownGuild, "Unknown Guild");
  auto context = co_await deps.guilds->context(pool, *guild_id, claims->user_id);
  if (!context) co_return std::unexpected(context.error());
  co_return Actor{*claims, std::move(*context)};
}

asio::awaitable<core::Result<ChannelActor>> actorInChannel(const ServerRouteDeps& deps, const net::Request& request,
                                                           domain::LastMessage last_message,
                                                           domain::CachedAccess cached) {
  auto& pool = *deps.pools.at(request.worker);
  const auto channel_id = core::parseSnowflake(request.param("channel_id"));
  if (!channel_id) {
    auto claims = co_await authenticateLive(request, *deps.signer, *deps.accounts, pool);
    if (!claims) co_return std::unexpected(claims.error());
    co_return core::fail(core::ErrorCode::kUnknownChannel, "Unknown Channel");
  }
  // authenticateLive and Guilds::visibleChannel in one round trip: every channel route (and each
  // message sent) starts with them.
  auto claims = authenticate(request, *deps.signer);
  if (!claims) co_return std::unexpected(claims.error());
  if (last_message == domain::LastMessage::kSkip) {
    // A send: a plain channel of a server in two statements, read together with other sends; a
    // DM or a thread as below.
    auto access = co_await domain::readSendAccess(pool, *channel_id, claims->user_id, claims->session_id, cached);
    if (!access) co_return std::unexpected(access.error());
    auto& read = *access;
    if (!read.session_active) co_return core::fail(core::ErrorCode::kUnauthorized, "Session ended; sign in again");
    if (read.found) {
      if (!*read.found) co_return std::unexpected(read.found->error());
      co_return ChannelActor{*claims, std::move((*read.found)->first), std::move((*read.found)->second), read.guard};
    }
  }
  std::vector<store::Statement> statements{domain::sessionActiveStatement(claims->session_id)};
  for (auto& statement : domain::visibleChannelStatements(*channel_id, claims->user_id, last_message))
    statements.push_back(std::move(statement));
  auto results = co_await pool.pipeline(std::move(statements));
  if (!results) co_return std::unexpected(results.error());
  if (!domain::sessionActiveFrom(results->front())) {
    co_return core::fail(core::ErrorCode::kUnauthorized, "Session ended; sign in again");
  }
  auto found = domain::visibleChannelFrom(std::span<const store::PgResult>(*results).subspan(1), claims->user_id);
  if (!found) co_return std::unexpected(found.error());
  co_return ChannelActor{*claims, std::move(found->first), std::move(found->second), std::nullopt};
}

namespace {

domain::Event eventOf(std::string type, std::uint64_t guild_id, std::string data, std::uint64_t channel_id,
                      std::vector<std::uint64_t> only_users = {}) {
  domain::Event event;
  event.type = std::move(type);
  event.guild_id = guild_id;
  event.channel_id = channel_id;
  event.data = std::move(data);
  event.only_users = std::move(only_users);
  return event;
}

} // namespace

void publish(const ServerRouteDeps& deps, std::string type, std::uint64_t guild_id, std::string data,
             std::uint64_t channel_id, std::vector<std::uint64_t> only_users) {
  if (deps.events == nullptr) return;
  deps.events->publish(eventOf(std::move(type), guild_id, std::move(data), channel_id, std::move(only_users)));
}

void deliverHere(const ServerRouteDeps& deps, std::string type, std::uint64_t guild_id, std::string data,
                 std::vector<std::uint64_t> only_users) {
  if (deps.events == nullptr) return;
  deps.events->deliverLocal(eventOf(std::move(type), guild_id, std::move(data), 0, std::move(only_users)));
}

asio::awaitable<void> publishStored(const ServerRouteDeps& deps, std::string type, std::uint64_t guild_id,
                                    std::string data, std::uint64_t channel_id, std::chrono::milliseconds limit) {
  if (deps.events == nullptr) co_return;
  const domain::Event event = eventOf(std::move(type), guild_id, std::move(data), channel_id);
  const auto executor = co_await asio::this_coro::executor;
  // The bus says "stored" from its own thread: that cancels this wait, on this one.
  auto timer = std::make_shared<asio::steady_timer>(executor, limit);
  auto stored = std::make_shared<std::atomic<bool>>(false);
  deps.events->publish(event, [timer, stored, executor] {
    stored->store(true);
    asio::post(executor, [timer] { timer->cancel(); });
  });
  if (stored->load()) co_return; // in-process: delivered already
  co_await timer->async_wait(asio::as_tuple(asio::use_awaitable));
}

void publishChannelUpdate(const ServerRouteDeps& deps, const domain::Channel& before, const domain::Channel& after,
                          std::string data) {
  if (deps.events == nullptr) return;
  domain::Event event;
  event.type = "CHANNEL_UPDATE";
  event.guild_id = after.guild_id;
  event.channel_id = after.id;
  event.data = std::move(data);
  const auto same = [](const domain::Overwrite& a, const domain::Overwrite& b) {
    return a.id == b.id && a.type == b.type && a.allow == b.allow && a.deny == b.deny;
  };
  event.overwrites_changed = !std::equal(before.overwrites.begin(), before.overwrites.end(), after.overwrites.begin(),
                                         after.overwrites.end(), same);
  event.previous_overwrites = before.overwrites;
  deps.events->publish(event);
}

std::optional<int> limitParam(const net::Request& request, int fallback, int max,
                              std::vector<core::FieldError>& errors) {
  const std::string text = request.queryParam("limit");
  if (text.empty()) return fallback;
  int value = 0;
  bool digits = text.size() <= 6;
  for (const char c : text) {
    if (c < '0' || c > '9')
      digits = false;
    else if (digits)
      value = value * 10 + (c - '0');
  }
  if (!digits || value < 1 || value > max) {
    errors.push_back({"limit", "NUMBER_TYPE_MAX", "Must be between 1 and " + std::to_string(max) + "."});
    return std::nullopt;
  }
  return value;
}

std::uint64_t snowflakeParam(const net::Request& request, std::string_view name,
                             std::vector<core::FieldError>& errors) {
  const std::string text = request.queryParam(name);
  if (text.empty()) return 0;
  if (const auto parsed = core::parseSnowflake(text)) return *parsed;
  errors.push_back({std::string(name), "NUMBER_TYPE_COERCE", "Value is not snowflake."});
  return 0;
}

std::string reasonOf(const net::Request& request) { return auditReason(request.headers.get("X-Audit-Log-Reason")); }

net::Response noContent() {
  net::Response response;
  response.status = 204;
  return response;
}

} // namespace hearth::api
