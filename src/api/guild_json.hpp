#pragma once
// Discord-shaped JSON for servers, channels, roles and audit log entries, shared by the REST
// routes and the events they publish. Boost.JSON stays inside guild_json.cpp.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "domain/guilds.hpp"
#include "net/http.hpp"

namespace hearth::api {

//! `{id, name, icon, description, owner_id, roles, approximate_member_count?}`.
std::string guildJson(const domain::Guild& guild, const std::vector<domain::Role>& roles,
                      std::optional<std::size_t> member_count = std::nullopt);
//! A server as READY and GUILD_CREATE carry it: the guild object plus `channels` (those the
//! user can see), `member_count` and `joined_at`-free Discord fields Hearth has; `threads_json`
//! (a JSON array) becomes `threads` when given.
std::string readyGuildJson(const domain::GuildContext& context, const std::vector<domain::Channel>& visible_channels,
                           std::size_t member_count, const std::string& threads_json = "");
std::string roleJson(const domain::Role& role);
std::string rolesJson(const std::vector<domain::Role>& roles);
//! `{id, type, guild_id, name, topic, position, parent_id, rate_limit_per_user, nsfw,
//! permission_overwrites, bitrate?, user_limit?}`.
std::string channelJson(const domain::Channel& channel);
std::string channelsJson(const std::vector<domain::Channel>& channels);

//! Parses a channel body (POST/PATCH). Field errors for wrong types.
core::Result<domain::ChannelInput> parseChannelInput(const net::Request& request);
//! Parses a role body (POST/PATCH).
core::Result<domain::RoleInput> parseRoleInput(const net::Request& request);

//! The `X-Audit-Log-Reason` header, percent-decoded, at most 512 bytes.
std::string auditReason(std::string_view header);

} // namespace hearth::api
