#pragma once
// Notification settings (docs/notifications.md): each user's settings per server (guild_id 0
// stands for their DMs, Discord's "@me"), with overrides per channel, in Discord's "user guild
// settings" shape; which level and mutes apply to one channel (`effectiveSettings`), and whether a
// message there notifies (`shouldNotify`, pure). Mutes end by themselves: one whose end time has
// passed reads as no mute, so nothing has to run when it expires.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "core/error.hpp"

namespace hearth::store {
class PgPool;
}

namespace hearth::domain {

struct GuildContext;
class Guilds;

//! A notification level; the stored value 3 (kInherit) means "as the level above".
enum class NotifyLevel { kAll = 0, kMentions = 1, kNothing = 2 };
constexpr int kInheritLevel = 3;

using TimePoint = std::chrono::system_clock::time_point;

//! A mute: `muted` until `end_time` (none: until turned off).
struct Mute {
  bool muted = false;
  std::optional<TimePoint> end_time;
  //! The duration the user picked, in seconds (-1: indefinitely); shown back by clients.
  int selected_time_window = -1;

  //! Whether it silences anything at `now`.
  bool activeAt(TimePoint now) const noexcept { return muted && (!end_time || now < *end_time); }
};

struct ChannelOverride {
  std::uint64_t channel_id = 0;
  int message_notifications = kInheritLevel; //!< 0-2, or 3: inherit
  Mute mute;
  bool collapsed = false; //!< a category folded in the channel list
};

//! One user's settings in one server (guild_id 0: DMs).
struct UserGuildSettings {
  std::uint64_t guild_id = 0;
  int message_notifications = kInheritLevel; //!< 0-2, or 3: the server's default
  Mute mute;
  bool suppress_everyone = false;
  bool suppress_roles = false;
  std::vector<ChannelOverride> channel_overrides; //!< by channel id
  std::int64_t version = 0; //!< the user's settings version when this was last written
};

//! A partial update: absent fields stay; overrides are merged by channel_id.
struct ChannelOverridePatch {
  std::uint64_t channel_id = 0;
  std::optional<int> message_notifications;
  std::optional<bool> muted;
  //! Present: replaces the mute's end time and window (end_time nullopt: indefinitely).
  std::optional<Mute> mute_config;
  std::optional<bool> collapsed;
};

struct SettingsPatch {
  std::optional<int> message_notifications;
  std::optional<bool> muted;
  std::optional<Mute> mute_config; //!< only end_time and selected_time_window are read
  std::optional<bool> suppress_everyone;
  std::optional<bool> suppress_roles;
  std::vector<ChannelOverridePatch> channel_overrides;
};

//! What decides whether a message in one channel notifies one user.
struct EffectiveSettings {
  NotifyLevel level = NotifyLevel::kAll;
  //! Every mute that covers the channel: the server's (or DMs'), the channel's, its parent's (a
  //! thread's channel, or a channel's category) and the parent's category.
  std::vector<Mute> mutes;
  bool suppress_everyone = false;
  bool suppress_roles = false;
};

//! The facts of one message for one recipient.
struct NotifyFacts {
  bool is_dm = false;
  bool mentions_user = false;
  bool mentions_role_of_user = false;
  bool mentions_everyone = false; //!< @everyone or @here that counted (the author could)
};

//! Whether the message notifies: never at "nothing"; under a mute in force (Discord's), only when
//! the user, one of their roles (unless suppress_roles) or everyone (unless suppress_everyone) is
//! mentioned, and never in a muted DM; otherwise a DM at "all" or "mentions" (a DM speaks to the
//! user), any message at "all", and at "mentions" the mentions as above.
bool shouldNotify(const EffectiveSettings& settings, const NotifyFacts& facts, TimePoint now);

//! The level and mutes that apply from stored settings: the nearest override with a level of its
//! own (channel, then its parent, then the parent's category), else the server setting, else the
//! server's `guild_default` (DMs: all). `chain` holds the overrides found, nearest first (absent
//! ones skipped); `settings` is null when the user has changed nothing in that server.
EffectiveSettings resolveSettings(const UserGuildSettings* settings, int guild_default,
                                  const std::vector<ChannelOverride>& chain);

//! Applies a patch to settings (pure): overrides merged by channel_id, an override back to all
//! defaults dropped. Expired mutes are not cleared here (they read as unmuted).
UserGuildSettings applyPatch(UserGuildSettings settings, const SettingsPatch& patch);

//! Reads and writes the settings; the caller publishes USER_GUILD_SETTINGS_UPDATE.
class NotificationSettings {
public:
  static constexpr std::size_t kMaxOverrides = 500;

  explicit NotificationSettings(Guilds& guilds) : guilds_(guilds) {}

  //! The user's settings in a server (0: DMs); defaults when they changed nothing. Mutes that have
  //! ended at `now` read as unmuted.
  boost::asio::awaitable<core::Result<UserGuildSettings>> get(store::PgPool& pool, std::uint64_t user_id,
                                                              std::uint64_t guild_id, TimePoint now);
  //! Every entry the user has written (READY's and GET /users/@me/guilds/settings' entries), and
  //! the newest version.
  boost::asio::awaitable<core::Result<std::pair<std::vector<UserGuildSettings>, std::int64_t>>>
  all(store::PgPool& pool, std::uint64_t user_id, TimePoint now);
  //! Checks and applies a patch: `context` is the user's standing in the server (null for DMs);
  //! each override must name a channel of that server the user can see (not a thread), or a DM
  //! channel of theirs. Answers the whole object after the write.
  boost::asio::awaitable<core::Result<UserGuildSettings>>
  update(store::PgPool& pool, std::uint64_t user_id, const GuildContext* context, SettingsPatch patch, TimePoint now);

private:
  Guilds& guilds_;
};

//! The settings that apply to a message in `channel_id` for `user_id`: one round trip. guild_id
//! 0 for a DM; `parent_channel_id` is a thread's channel or a channel's category (0: none); the
//! parent's own category is looked up. For the push sender and any other notifier.
boost::asio::awaitable<core::Result<EffectiveSettings>> effectiveSettings(store::PgPool& pool, std::uint64_t user_id,
                                                                          std::uint64_t guild_id,
                                                                          std::uint64_t channel_id,
                                                                          std::uint64_t parent_channel_id);

} // namespace hearth::domain
