#include "domain/notification_settings.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "domain/guilds.hpp"
#include "domain/internal.hpp"
#include "store/pg.hpp"

namespace hearth::domain {

namespace asio = boost::asio;
using detail::id;
using detail::u64;

bool shouldNotify(const EffectiveSettings& settings, const NotifyFacts& facts, TimePoint now) {
  if (settings.level == NotifyLevel::kNothing) return false;
  const bool mentioned = facts.mentions_user || (facts.mentions_role_of_user && !settings.suppress_roles) ||
                         (facts.mentions_everyone && !settings.suppress_everyone);
  // As Discord's: a mute silences everything but mentions (a muted DM, everything).
  if (std::any_of(settings.mutes.begin(), settings.mutes.end(), [&](const Mute& mute) { return mute.activeAt(now); }))
    return mentioned && !facts.is_dm;
  return settings.level == NotifyLevel::kAll || facts.is_dm || mentioned;
}

namespace {

NotifyLevel levelOf(int value) {
  switch (value) {
  case 1: return NotifyLevel::kMentions;
  case 2: return NotifyLevel::kNothing;
  default: return NotifyLevel::kAll;
  }
}

bool validLevel(int value) { return value >= 0 && value <= kInheritLevel; }

// An override that says nothing (inherits, unmuted, unfolded) is not kept.
bool isDefault(const ChannelOverride& entry) {
  return entry.message_notifications == kInheritLevel && !entry.mute.muted && !entry.collapsed;
}

using store::idArray;

// Mute columns read as (muted, end time in Unix ms or NULL, window); one that has ended at `now`
// reads as none.
Mute muteFrom(const store::PgResult& rows, int row, int column, TimePoint now) {
  Mute mute;
  mute.muted = rows.text(row, column) == "t";
  if (!rows.isNull(row, column + 1))
    mute.end_time = TimePoint(std::chrono::milliseconds(rows.integer(row, column + 1).value_or(0)));
  mute.selected_time_window = static_cast<int>(rows.integer(row, column + 2).value_or(-1));
  if (!mute.activeAt(now)) mute = Mute{};
  return mute;
}

std::optional<std::string> endTimeParam(const Mute& mute) {
  if (!mute.muted || !mute.end_time) return std::nullopt;
  return std::to_string(
      std::chrono::duration_cast<std::chrono::milliseconds>(mute.end_time->time_since_epoch()).count());
}

constexpr const char* kEndMillis = "(extract(epoch FROM {}) * 1000)::bigint";

std::string endMillis(const std::string& column) {
  std::string out = kEndMillis;
  out.replace(out.find("{}"), 2, column);
  return out;
}

const std::string kSettingsColumns = "guild_id, message_notifications, muted, " + endMillis("mute_end_time") +
                                     ", mute_window, suppress_everyone, suppress_roles, version";
const std::string kOverrideColumns =
    "guild_id, channel_id, message_notifications, muted, " + endMillis("mute_end_time") + ", mute_window, collapsed";

UserGuildSettings settingsFrom(const store::PgResult& rows, int row, TimePoint now) {
  UserGuildSettings settings;
  settings.guild_id = u64(rows, row, 0);
  settings.message_notifications = detail::i32(rows, row, 1);
  settings.mute = muteFrom(rows, row, 2, now);
  settings.suppress_everyone = rows.text(row, 5) == "t";
  settings.suppress_roles = rows.text(row, 6) == "t";
  settings.version = rows.integer(row, 7).value_or(0);
  return settings;
}

// From kOverrideColumns (column 0, the server, is read by the caller).
ChannelOverride overrideFrom(const store::PgResult& rows, int row, TimePoint now) {
  ChannelOverride entry;
  entry.channel_id = u64(rows, row, 1);
  entry.message_notifications = detail::i32(rows, row, 2);
  entry.mute = muteFrom(rows, row, 3, now);
  entry.collapsed = rows.text(row, 6) == "t";
  return entry;
}

} // namespace

EffectiveSettings resolveSettings(const UserGuildSettings* settings, int guild_default,
                                  const std::vector<ChannelOverride>& chain) {
  EffectiveSettings out;
  std::optional<int> level;
  for (const auto& entry : chain) {
    if (!level && entry.message_notifications != kInheritLevel) level = entry.message_notifications;
    out.mutes.push_back(entry.mute);
  }
  if (settings != nullptr) {
    if (!level && settings->message_notifications != kInheritLevel) level = settings->message_notifications;
    out.mutes.push_back(settings->mute);
    out.suppress_everyone = settings->suppress_everyone;
    out.suppress_roles = settings->suppress_roles;
  }
  out.level = levelOf(level.value_or(guild_default));
  return out;
}

UserGuildSettings applyPatch(UserGuildSettings settings, const SettingsPatch& patch) {
  if (patch.message_notifications) settings.message_notifications = *patch.message_notifications;
  if (patch.muted) {
    settings.mute.muted = *patch.muted;
    if (!*patch.muted) settings.mute = Mute{};
  }
  if (patch.mute_config && settings.mute.muted) {
    settings.mute.end_time = patch.mute_config->end_time;
    settings.mute.selected_time_window = patch.mute_config->selected_time_window;
  }
  if (patch.suppress_everyone) settings.suppress_everyone = *patch.suppress_everyone;
  if (patch.suppress_roles) settings.suppress_roles = *patch.suppress_roles;
  for (const auto& change : patch.channel_overrides) {
    auto found = std::find_if(settings.channel_overrides.begin(), settings.channel_overrides.end(),
                              [&](const ChannelOverride& entry) { return entry.channel_id == change.channel_id; });
    if (found == settings.channel_overrides.end()) {
      settings.channel_overrides.push_back(ChannelOverride{change.channel_id, kInheritLevel, Mute{}, false});
      found = settings.channel_overrides.end() - 1;
    }
    if (change.message_notifications) found->message_notifications = *change.message_notifications;
    if (change.muted) {
      found->mute.muted = *change.muted;
      if (!*change.muted) found->mute = Mute{};
    }
    if (change.mute_config && found->mute.muted) {
      found->mute.end_time = change.mute_config->end_time;
      found->mute.selected_time_window = change.mute_config->selected_time_window;
    }
    if (change.collapsed) found->collapsed = *change.collapsed;
  }
  std::erase_if(settings.channel_overrides, isDefault);
  std::sort(settings.channel_overrides.begin(), settings.channel_overrides.end(),
            [](const ChannelOverride& a, const ChannelOverride& b) { return a.channel_id < b.channel_id; });
  return settings;
}

asio::awaitable<core::Result<UserGuildSettings>> NotificationSettings::get(store::PgPool& pool, std::uint64_t user_id,
                                                                           std::uint64_t guild_id, TimePoint now) {
  std::vector<store::Statement> statements;
  statements.push_back({"SELECT " + kSettingsColumns + " FROM user_guild_settings WHERE user_id = $1 AND guild_id = $2",
                        {id(user_id), id(guild_id)}});
  statements.push_back({"SELECT " + kOverrideColumns +
                            " FROM user_channel_overrides WHERE user_id = $1 AND guild_id = $2 ORDER BY channel_id",
                        {id(user_id), id(guild_id)}});
  auto results = co_await pool.pipeline(std::move(statements));
  if (!results) co_return std::unexpected(results.error());
  UserGuildSettings settings;
  settings.guild_id = guild_id;
  if ((*results)[0].rows() > 0) settings = settingsFrom((*results)[0], 0, now);
  for (int row = 0; row < (*results)[1].rows(); ++row)
    settings.channel_overrides.push_back(overrideFrom((*results)[1], row, now));
  co_return settings;
}

asio::awaitable<core::Result<std::pair<std::vector<UserGuildSettings>, std::int64_t>>>
NotificationSettings::all(store::PgPool& pool, std::uint64_t user_id, TimePoint now) {
  std::vector<store::Statement> statements;
  statements.push_back(
      {"SELECT " + kSettingsColumns + " FROM user_guild_settings WHERE user_id = $1 ORDER BY guild_id", {id(user_id)}});
  statements.push_back(
      {"SELECT " + kOverrideColumns + " FROM user_channel_overrides WHERE user_id = $1 ORDER BY guild_id, channel_id",
       {id(user_id)}});
  auto results = co_await pool.pipeline(std::move(statements));
  if (!results) co_return std::unexpected(results.error());
  std::map<std::uint64_t, UserGuildSettings> entries;
  std::int64_t version = 0;
  for (int row = 0; row < (*results)[0].rows(); ++row) {
    auto settings = settingsFrom((*results)[0], row, now);
    version = std::max(version, settings.version);
    entries[settings.guild_id] = std::move(settings);
  }
  for (int row = 0; row < (*results)[1].rows(); ++row) {
    const auto guild_id = u64((*results)[1], row, 0);
    auto& settings = entries[guild_id];
    settings.guild_id = guild_id;
    settings.channel_overrides.push_back(overrideFrom((*results)[1], row, now));
  }
  std::vector<UserGuildSettings> out;
  out.reserve(entries.size());
  for (auto& [guild_id, settings] : entries)
    out.push_back(std::move(settings));
  co_return std::pair{std::move(out), version};
}

asio::awaitable<core::Result<UserGuildSettings>> NotificationSettings::update(store::PgPool& pool,
                                                                              std::uint64_t user_id,
                                                                              const GuildContext* context,
                                                                              SettingsPatch patch, TimePoint now) {
  const std::uint64_t guild_id = context != nullptr ? context->guild.id : 0;
  std::vector<core::FieldError> errors;
  if (patch.message_notifications && !validLevel(*patch.message_notifications)) {
    errors.push_back({"message_notifications", "BASE_TYPE_CHOICES", "Must be 0, 1, 2 or 3."});
  }
  if (patch.channel_overrides.size() > kMaxOverrides) {
    errors.push_back({"channel_overrides", "BASE_TYPE_MAX_LENGTH", "Too many channel overrides."});
  }
  std::vector<std::uint64_t> named;
  for (std::size_t entry_idx = 0; entry_idx < patch.channel_overrides.size(); ++entry_idx) {
    const auto& entry = patch.channel_overrides[entry_idx];
    const std::string prefix = "channel_overrides." + std::to_string(entry_idx) + ".";
    if (entry.message_notifications && !validLevel(*entry.message_notifications)) {
      errors.push_back({prefix + "message_notifications", "BASE_TYPE_CHOICES", "Must be 0, 1, 2 or 3."});
    }
    named.push_back(entry.channel_id);
  }
  if (!errors.empty()) co_return detail::formError(std::move(errors));
  // The channels named must be the user's to see: a server's channel (not a thread), or their DM.
  std::set<std::uint64_t> allowed;
  if (!named.empty()) {
    if (context != nullptr) {
      auto channels = co_await guilds_.channels(pool, guild_id);
      if (!channels) co_return std::unexpected(channels.error());
      for (const auto& channel : *channels) {
        if ((context->in(channel)&perm::kViewChannel) != 0) allowed.insert(channel.id);
      }
    } else {
      store::Params params{id(user_id), idArray(named)};
      auto mine = co_await pool.query(
          "SELECT channel_id FROM channel_recipients WHERE user_id = $1 AND channel_id = ANY($2::bigint[])",
          std::move(params));
      if (!mine) co_return std::unexpected(mine.error());
      for (int row = 0; row < mine->rows(); ++row)
        allowed.insert(u64(*mine, row, 0));
    }
  }
  for (std::size_t entry_idx = 0; entry_idx < named.size(); ++entry_idx) {
    if (!allowed.contains(named[entry_idx])) {
      errors.push_back(
          {"channel_overrides." + std::to_string(entry_idx) + ".channel_id", "UNKNOWN_CHANNEL", "Unknown channel."});
    }
  }
  if (!errors.empty()) co_return detail::formError(std::move(errors));

  auto current = co_await get(pool, user_id, guild_id, now);
  if (!current) co_return std::unexpected(current.error());
  UserGuildSettings next = applyPatch(*current, patch);
  // A mute set to end in the past is no mute, as it would read back.
  if (!next.mute.activeAt(now)) next.mute = Mute{};
  for (auto& entry : next.channel_overrides) {
    if (!entry.mute.activeAt(now)) entry.mute = Mute{};
  }
  std::erase_if(next.channel_overrides, isDefault);
  if (next.channel_overrides.size() > kMaxOverrides)
    co_return detail::fieldError("channel_overrides", "BASE_TYPE_MAX_LENGTH", "Too many channel overrides.");

  const std::string user = id(user_id);
  const std::string guild = id(guild_id);
  std::vector<store::Statement> statements;
  statements.push_back(
      {"INSERT INTO user_guild_settings (user_id, guild_id, message_notifications, muted, mute_end_time, "
       "mute_window, suppress_everyone, suppress_roles, version) VALUES ($1, $2, $3, $4, "
       "to_timestamp($5::bigint / 1000.0), $6, $7, $8, "
       "(SELECT coalesce(max(version), 0) + 1 FROM user_guild_settings WHERE user_id = $1)) "
       "ON CONFLICT (user_id, guild_id) DO UPDATE SET message_notifications = excluded.message_notifications, "
       "muted = excluded.muted, mute_end_time = excluded.mute_end_time, mute_window = excluded.mute_window, "
       "suppress_everyone = excluded.suppress_everyone, suppress_roles = excluded.suppress_roles, "
       "version = excluded.version RETURNING version",
       {user, guild, std::to_string(next.message_notifications), next.mute.muted ? "true" : "false",
        endTimeParam(next.mute), std::to_string(next.mute.selected_time_window),
        next.suppress_everyone ? "true" : "false", next.suppress_roles ? "true" : "false"}});
  for (const auto channel_id : named) {
    const auto kept = std::find_if(next.channel_overrides.begin(), next.channel_overrides.end(),
                                   [&](const ChannelOverride& entry) { return entry.channel_id == channel_id; });
    if (kept == next.channel_overrides.end()) {
      statements.push_back(
          {"DELETE FROM user_channel_overrides WHERE user_id = $1 AND channel_id = $2", {user, id(channel_id)}});
      continue;
    }
    statements.push_back(
        {"INSERT INTO user_channel_overrides (user_id, channel_id, guild_id, message_notifications, muted, "
         "mute_end_time, mute_window, collapsed) VALUES ($1, $2, $3, $4, $5, to_timestamp($6::bigint / 1000.0), "
         "$7, $8) ON CONFLICT (user_id, channel_id) DO UPDATE SET message_notifications = "
         "excluded.message_notifications, muted = excluded.muted, mute_end_time = excluded.mute_end_time, "
         "mute_window = excluded.mute_window, collapsed = excluded.collapsed",
         {user, id(channel_id), guild, std::to_string(kept->message_notifications), kept->mute.muted ? "true" : "false",
          endTimeParam(kept->mute), std::to_string(kept->mute.selected_time_window),
          kept->collapsed ? "true" : "false"}});
  }
  auto written = co_await pool.pipeline(std::move(statements));
  if (!written) co_return std::unexpected(written.error());
  next.version = (*written)[0].integer(0, 0).value_or(0);
  co_return next;
}

asio::awaitable<core::Result<EffectiveSettings>> effectiveSettings(store::PgPool& pool, std::uint64_t user_id,
                                                                   std::uint64_t guild_id, std::uint64_t channel_id,
                                                                   std::uint64_t parent_channel_id) {
  const std::string user = id(user_id);
  std::vector<store::Statement> statements;
  statements.push_back({"SELECT " + kSettingsColumns + " FROM user_guild_settings WHERE user_id = $1 AND guild_id = $2",
                        {user, id(guild_id)}});
  statements.push_back(
      {"SELECT coalesce((SELECT default_message_notifications FROM guilds WHERE id = $1), 0)", {id(guild_id)}});
  // The channel's override, its parent's, and the parent's category's, nearest first.
  statements.push_back({"SELECT " + kOverrideColumns +
                            ", CASE channel_id WHEN $2 THEN 0 WHEN $3 THEN 1 ELSE 2 END AS depth "
                            "FROM user_channel_overrides WHERE user_id = $1 AND channel_id IN ($2, $3, "
                            "(SELECT parent_id FROM channels WHERE id = $3)) ORDER BY depth",
                        {user, id(channel_id), id(parent_channel_id)}});
  auto results = co_await pool.pipeline(std::move(statements));
  if (!results) co_return std::unexpected(results.error());
  const auto now = std::chrono::system_clock::now();
  std::optional<UserGuildSettings> settings;
  if ((*results)[0].rows() > 0) settings = settingsFrom((*results)[0], 0, now);
  std::vector<ChannelOverride> chain;
  for (int row = 0; row < (*results)[2].rows(); ++row)
    chain.push_back(overrideFrom((*results)[2], row, now));
  const int guild_default = guild_id == 0 ? 0 : detail::i32((*results)[1], 0, 0);
  co_return resolveSettings(settings ? &*settings : nullptr, guild_default, chain);
}

} // namespace hearth::domain
