#pragma once
// DMs and group DMs over REST, Discord API v10 paths (docs/dms.md):
//   POST   /api/v1/users/@me/channels                      {recipient_id} → DM, {recipients} → group
//   GET    /api/v1/users/@me/channels                      open DMs and groups, most recent first
//   GET/PATCH/DELETE /api/v1/channels/{id}                 handed over by guild_routes for DM channels
//   PUT/DELETE /api/v1/channels/{id}/recipients/{user_id}  group membership
//   GET    /api/v1/channel-icons/{channel_id}/{hash}       group icons
// Events go to the recipients concerned only: CHANNEL_CREATE, CHANNEL_UPDATE, CHANNEL_DELETE,
// CHANNEL_RECIPIENT_ADD, CHANNEL_RECIPIENT_REMOVE. Messages use the ordinary message routes.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "api/guild_routes.hpp"
#include "api/route_support.hpp"
#include "net/router.hpp"

namespace hearth::domain {
class Dms;
struct DmChannel;
} // namespace hearth::domain

namespace hearth::api {

struct DmDeps : ServerRouteDeps {
  domain::Dms* dms = nullptr;
  std::filesystem::path icon_dir = "var/channel-icons"; //!< <icon_dir>/<channel id>/<hash>
};

//! Registers the routes above; returns the handler of /channels/{id} for DM channels
//! (GuildDeps::dm_channel).
DmChannelHandler addDmRoutes(net::Router& router, DmDeps deps);

//! MessageDeps::after_dm_message: reopens the DM for recipients who closed it and sends them
//! CHANNEL_CREATE.
std::function<boost::asio::awaitable<void>(std::size_t worker, std::uint64_t channel_id)> dmMessageHook(DmDeps deps);

//! READY's `private_channels`: each channel as `viewer` sees it (recipients without the viewer).
std::string privateChannelsJson(const std::vector<domain::DmChannel>& channels, std::uint64_t viewer);

} // namespace hearth::api
