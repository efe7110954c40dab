#include "api/notification_routes.hpp"

#include <ctime>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include "api/auth_routes.hpp"
#include "core/snowflake.hpp"
#include "domain/accounts.hpp"
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

std::string id(std::uint64_t value) { return core::snowflakeToString(value); }

std::string isoTime(domain::TimePoint time) {
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
  const std::time_t seconds = static_cast<std::time_t>(millis / 1000);
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}+00:00", parts.tm_year + 1900, parts.tm_mon + 1,
                     parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec, millis % 1000);
}

json::value muteConfig(const domain::Mute& mute) {
  if (!mute.muted) return nullptr;
  json::object out;
  out["end_time"] = mute.end_time ? json::value(isoTime(*mute.end_time)) : json::value(nullptr);
  out["selected_time_window"] = mute.selected_time_window;
  return out;
}

json::object settingsObject(const domain::UserGuildSettings& settings) {
  json::object out;
  out["guild_id"] = settings.guild_id == 0 ? json::value(nullptr) : json::value(id(settings.guild_id));
  out["message_notifications"] = settings.message_notifications;
  out["muted"] = settings.mute.muted;
  out["mute_config"] = muteConfig(settings.mute);
  out["suppress_everyone"] = settings.suppress_everyone;
  out["suppress_roles"] = settings.suppress_roles;
  json::array overrides;
  for (const auto& entry : settings.channel_overrides) {
    json::object one;
    one["channel_id"] = id(entry.channel_id);
    one["message_notifications"] = entry.message_notifications;
    one["muted"] = entry.mute.muted;
    one["mute_config"] = muteConfig(entry.mute);
    one["collapsed"] = entry.collapsed;
    overrides.push_back(std::move(one));
  }
  out["channel_overrides"] = std::move(overrides);
  out["version"] = settings.version;
  return out;
}

// Reads the fields of one body (or one override) that both share; type errors under `prefix`.
struct FieldReader {
  const json::object& object;
  std::string prefix;
  std::vector<core::FieldError>& errors;

  std::optional<bool> flag(std::string_view name) {
    const auto* value = object.if_contains(name);
    if (value == nullptr) return std::nullopt;
    if (!value->is_bool()) {
      errors.push_back({prefix + std::string(name), "BASE_TYPE_BOOLEAN", "Must be true or false."});
      return std::nullopt;
    }
    return value->get_bool();
  }

  // A level: 0-3, null for 3 (inherit).
  std::optional<int> level(std::string_view name) {
    const auto* value = object.if_contains(name);
    if (value == nullptr) return std::nullopt;
    if (value->is_null()) return domain::kInheritLevel;
    if (!value->is_int64() || value->get_int64() < 0 || value->get_int64() > domain::kInheritLevel) {
      errors.push_back({prefix + std::string(name), "BASE_TYPE_CHOICES", "Must be 0, 1, 2 or 3."});
      return std::nullopt;
    }
    return static_cast<int>(value->get_int64());
  }

  // mute_config: null, or {end_time: ISO 8601 | null, selected_time_window: integer}.
  std::optional<domain::Mute> mute() {
    const auto* value = object.if_contains("mute_config");
    if (value == nullptr) return std::nullopt;
    domain::Mute mute;
    mute.muted = true;
    if (value->is_null()) return mute;
    if (!value->is_object()) {
      errors.push_back({prefix + "mute_config", "MODEL_TYPE_CONVERT", "Must be an object or null."});
      return std::nullopt;
    }
    const auto& config = value->get_object();
    if (const auto* end = config.if_contains("end_time"); end != nullptr && !end->is_null()) {
      const auto millis = end->is_string() ? domain::parseIsoTimestamp(end->get_string()) : std::nullopt;
      if (!millis) {
        errors.push_back({prefix + "mute_config.end_time", "DATE_TIME_INVALID", "Must be an ISO 8601 time."});
        return std::nullopt;
      }
      mute.end_time = domain::TimePoint(std::chrono::milliseconds(*millis));
    }
    if (const auto* window = config.if_contains("selected_time_window"); window != nullptr && !window->is_null()) {
      if (!window->is_int64() || window->get_int64() < -1 || window->get_int64() > 366LL * 24 * 3600) {
        errors.push_back({prefix + "mute_config.selected_time_window", "BASE_TYPE_INTEGER", "Must be seconds, or -1."});
        return std::nullopt;
      }
      mute.selected_time_window = static_cast<int>(window->get_int64());
    }
    return mute;
  }
};

std::optional<domain::ChannelOverridePatch> overridePatch(const json::value& value, std::string prefix,
                                                          std::optional<std::uint64_t> keyed_id,
                                                          std::vector<core::FieldError>& errors) {
  if (!value.is_object()) {
    errors.push_back({prefix, "MODEL_TYPE_CONVERT", "Must be an object."});
    return std::nullopt;
  }
  const auto& object = value.get_object();
  domain::ChannelOverridePatch out;
  if (keyed_id) {
    out.channel_id = *keyed_id;
  } else {
    const auto* channel = object.if_contains("channel_id");
    const auto parsed = channel != nullptr && channel->is_string()
                            ? core::parseSnowflake(std::string_view(channel->get_string()))
                            : std::nullopt;
    if (!parsed) {
      errors.push_back({prefix + ".channel_id", "SNOWFLAKE_INVALID", "Must be a channel id."});
      return std::nullopt;
    }
    out.channel_id = *parsed;
  }
  FieldReader reader{object, prefix + ".", errors};
  out.message_notifications = reader.level("message_notifications");
  out.muted = reader.flag("muted");
  out.mute_config = reader.mute();
  out.collapsed = reader.flag("collapsed");
  return out;
}

core::Result<domain::SettingsPatch> patchFrom(const json::object& body) {
  std::vector<core::FieldError> errors;
  domain::SettingsPatch patch;
  FieldReader reader{body, "", errors};
  patch.message_notifications = reader.level("message_notifications");
  patch.muted = reader.flag("muted");
  patch.mute_config = reader.mute();
  patch.suppress_everyone = reader.flag("suppress_everyone");
  patch.suppress_roles = reader.flag("suppress_roles");
  // Discord's client sends overrides keyed by channel id; an array of objects is taken too.
  if (const auto* overrides = body.if_contains("channel_overrides"); overrides != nullptr) {
    if (overrides->is_array()) {
      const auto& list = overrides->get_array();
      if (list.size() > domain::NotificationSettings::kMaxOverrides) {
        errors.push_back({"channel_overrides", "BASE_TYPE_MAX_LENGTH", "Too many channel overrides."});
      } else {
        for (std::size_t entry_idx = 0; entry_idx < list.size(); ++entry_idx) {
          auto entry =
              overridePatch(list[entry_idx], "channel_overrides." + std::to_string(entry_idx), std::nullopt, errors);
          if (entry) patch.channel_overrides.push_back(std::move(*entry));
        }
      }
    } else if (overrides->is_object()) {
      const auto& map = overrides->get_object();
      if (map.size() > domain::NotificationSettings::kMaxOverrides) {
        errors.push_back({"channel_overrides", "BASE_TYPE_MAX_LENGTH", "Too many channel overrides."});
      } else {
        for (const auto& [key, value] : map) {
          const std::string prefix = "channel_overrides." + std::string(key);
          const auto channel_id = core::parseSnowflake(std::string_view(key));
          if (!channel_id) {
            errors.push_back({prefix, "SNOWFLAKE_INVALID", "Must be keyed by channel id."});
            continue;
          }
          auto entry = overridePatch(value, prefix, channel_id, errors);
          if (entry) patch.channel_overrides.push_back(std::move(*entry));
        }
      }
    } else if (!overrides->is_null()) {
      errors.push_back({"channel_overrides", "MODEL_TYPE_CONVERT", "Must be a list of channel overrides."});
    }
  }
  if (!errors.empty()) return std::unexpected(core::invalidFormBody(std::move(errors)));
  return patch;
}

struct Target {
  std::uint64_t user_id = 0;
  std::optional<domain::GuildContext> context; //!< none: DMs ("@me")
};

// The caller and the server of {guild_id} ("@me": their DMs); a server they are not in is
// Unknown Guild, as everywhere.
asio::awaitable<core::Result<Target>> targetOf(const NotificationDeps& deps, const Request& request) {
  if (request.param("guild_id") == "@me") {
    auto& pool = *deps.pools.at(request.worker);
    auto claims = co_await authenticateLive(request, *deps.signer, *deps.accounts, pool);
    if (!claims) co_return std::unexpected(claims.error());
    co_return Target{claims->user_id, std::nullopt};
  }
  auto actor = co_await actorIn(deps, request);
  if (!actor) co_return std::unexpected(actor.error());
  co_return Target{actor->claims.user_id, std::move(actor->context)};
}

} // namespace

std::string userGuildSettingsJson(const domain::UserGuildSettings& settings) {
  return json::serialize(settingsObject(settings));
}

std::string userGuildSettingsListJson(const std::vector<domain::UserGuildSettings>& entries, std::int64_t version) {
  json::object out;
  out["version"] = version;
  out["partial"] = false;
  json::array list;
  for (const auto& entry : entries)
    list.push_back(settingsObject(entry));
  out["entries"] = std::move(list);
  return json::serialize(out);
}

void addNotificationRoutes(net::Router& router, NotificationDeps deps) {
  constexpr const char* kPath = "/api/v1/users/@me/guilds/{guild_id}/settings";

  router.add(Method::kPatch, kPath, [deps](Request& request) -> asio::awaitable<Response> {
    auto target = co_await targetOf(deps, request);
    if (!target) co_return net::errorResponse(target.error());
    auto body = net::parseJsonBody(request);
    if (!body) co_return net::errorResponse(body.error());
    auto patch = patchFrom(*body);
    if (!patch) co_return net::errorResponse(patch.error());
    auto& pool = *deps.pools.at(request.worker);
    const domain::GuildContext* context = target->context ? &*target->context : nullptr;
    const auto now = std::chrono::system_clock::now();
    auto updated = co_await deps.settings->update(pool, target->user_id, context, std::move(*patch), now);
    if (!updated) co_return net::errorResponse(updated.error());
    std::string answer = userGuildSettingsJson(*updated);
    publish(deps, "USER_GUILD_SETTINGS_UPDATE", 0, answer, 0, {target->user_id});
    co_return net::jsonResponse(200, std::move(answer));
  });

  router.add(Method::kGet, kPath, [deps](Request& request) -> asio::awaitable<Response> {
    auto target = co_await targetOf(deps, request);
    if (!target) co_return net::errorResponse(target.error());
    auto& pool = *deps.pools.at(request.worker);
    const std::uint64_t guild_id = target->context ? target->context->guild.id : 0;
    auto settings = co_await deps.settings->get(pool, target->user_id, guild_id, std::chrono::system_clock::now());
    if (!settings) co_return net::errorResponse(settings.error());
    co_return net::jsonResponse(200, userGuildSettingsJson(*settings));
  });

  router.add(Method::kGet, "/api/v1/users/@me/guilds/settings", [deps](Request& request) -> asio::awaitable<Response> {
    auto& pool = *deps.pools.at(request.worker);
    auto claims = co_await authenticateLive(request, *deps.signer, *deps.accounts, pool);
    if (!claims) co_return net::errorResponse(claims.error());
    auto all = co_await deps.settings->all(pool, claims->user_id, std::chrono::system_clock::now());
    if (!all) co_return net::errorResponse(all.error());
    co_return net::jsonResponse(200, userGuildSettingsListJson(all->first, all->second));
  });
}

} // namespace hearth::api
