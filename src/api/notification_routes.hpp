#pragma once
// Notification settings over REST, in Discord's shapes (docs/notifications.md):
// PATCH /users/@me/guilds/{guild_id}/settings (guild_id "@me": DMs) answers the whole object and
// publishes USER_GUILD_SETTINGS_UPDATE to the user's own sessions; GET
// /users/@me/guilds/{guild_id}/settings and GET /users/@me/guilds/settings read them.
#include <string>
#include <vector>

#include "api/route_support.hpp"
#include "domain/notification_settings.hpp"
#include "net/router.hpp"

namespace hearth::api {

struct NotificationDeps : ServerRouteDeps {
  domain::NotificationSettings* settings = nullptr;
};

void addNotificationRoutes(net::Router& router, NotificationDeps deps);

//! One user guild settings object (guild_id null for DMs).
std::string userGuildSettingsJson(const domain::UserGuildSettings& settings);
//! READY's `user_guild_settings`: {"version", "partial": false, "entries": [...]}.
std::string userGuildSettingsListJson(const std::vector<domain::UserGuildSettings>& entries, std::int64_t version);

} // namespace hearth::api
