// The notification decision (shouldNotify), the inheritance of levels and mutes (resolveSettings)
// and the merge of a partial update (applyPatch): pure functions, no database.
#include <chrono>

#include <gtest/gtest.h>

#include "domain/notification_settings.hpp"

namespace hearth::domain {
namespace {

using namespace std::chrono_literals;

const TimePoint kNow = TimePoint(std::chrono::milliseconds(1'800'000'000'000));

Mute mutedUntil(std::optional<TimePoint> end) { return Mute{true, end, 3600}; }

enum class MuteState { kNone, kInForce, kForever, kExpired };

Mute muteOf(MuteState state) {
  switch (state) {
  case MuteState::kInForce: return mutedUntil(kNow + 1min);
  case MuteState::kForever: return mutedUntil(std::nullopt);
  case MuteState::kExpired: return mutedUntil(kNow - 1ms);
  case MuteState::kNone: break;
  }
  return Mute{};
}

// Every level x mute (in force, forever, expired, none; on the server or the channel) x
// suppress_everyone x DM x what the message mentions, against the rule written out in full.
TEST(ShouldNotify, EveryCombination) {
  const NotifyLevel levels[] = {NotifyLevel::kAll, NotifyLevel::kMentions, NotifyLevel::kNothing};
  const MuteState mutes[] = {MuteState::kNone, MuteState::kInForce, MuteState::kForever, MuteState::kExpired};
  int checked = 0;
  for (const auto level : levels) {
    for (const auto mute_state : mutes) {
      for (const bool on_channel : {false, true}) {
        for (const bool suppress_everyone : {false, true}) {
          for (const bool suppress_roles : {false, true}) {
            for (const bool is_dm : {false, true}) {
              for (int mention_bits = 0; mention_bits < 8; ++mention_bits) {
                EffectiveSettings settings;
                settings.level = level;
                settings.suppress_everyone = suppress_everyone;
                settings.suppress_roles = suppress_roles;
                settings.mutes = on_channel ? std::vector<Mute>{muteOf(mute_state), Mute{}}
                                            : std::vector<Mute>{Mute{}, muteOf(mute_state)};
                NotifyFacts facts;
                facts.is_dm = is_dm;
                facts.mentions_user = (mention_bits & 1) != 0;
                facts.mentions_role_of_user = (mention_bits & 2) != 0;
                facts.mentions_everyone = (mention_bits & 4) != 0;
                const bool muted = mute_state == MuteState::kInForce || mute_state == MuteState::kForever;
                const bool mentioned = facts.mentions_user || (facts.mentions_role_of_user && !suppress_roles) ||
                                       (facts.mentions_everyone && !suppress_everyone);
                bool expected = false;
                if (level == NotifyLevel::kNothing)
                  expected = false;
                else if (muted)
                  expected = mentioned && !is_dm; // Discord's mute: mentions still notify
                else
                  expected = level == NotifyLevel::kAll || is_dm || mentioned;
                EXPECT_EQ(shouldNotify(settings, facts, kNow), expected)
                    << "level " << static_cast<int>(level) << " mute " << static_cast<int>(mute_state) << " on_channel "
                    << on_channel << " suppress_everyone " << suppress_everyone << " dm " << is_dm << " mentions "
                    << mention_bits;
                ++checked;
              }
            }
          }
        }
      }
    }
  }
  EXPECT_EQ(checked, 3 * 4 * 2 * 2 * 2 * 2 * 8);
}

TEST(ShouldNotify, AMuteEndsAtItsEndTime) {
  EffectiveSettings settings;
  settings.mutes = {mutedUntil(kNow + 15min)};
  const NotifyFacts chatter{false, false, false, false};
  const NotifyFacts mention{false, true, false, false};
  EXPECT_FALSE(shouldNotify(settings, chatter, kNow));
  EXPECT_FALSE(shouldNotify(settings, chatter, kNow + 15min - 1ms));
  EXPECT_TRUE(shouldNotify(settings, chatter, kNow + 15min));
  EXPECT_TRUE(shouldNotify(settings, mention, kNow));
}

ChannelOverride override(std::uint64_t channel_id, int level, Mute mute = {}) {
  return ChannelOverride{channel_id, level, mute, false};
}

TEST(ResolveSettings, TheNearestLevelWins) {
  UserGuildSettings server;
  server.message_notifications = kInheritLevel;
  // Nothing set anywhere: the server's default.
  EXPECT_EQ(resolveSettings(nullptr, 1, {}).level, NotifyLevel::kMentions);
  EXPECT_EQ(resolveSettings(&server, 0, {}).level, NotifyLevel::kAll);
  // The user's server setting beats the default.
  server.message_notifications = 2;
  EXPECT_EQ(resolveSettings(&server, 0, {}).level, NotifyLevel::kNothing);
  // A category's override beats the server setting; the channel's beats the category's.
  EXPECT_EQ(resolveSettings(&server, 0, {override(5, 0)}).level, NotifyLevel::kAll);
  EXPECT_EQ(resolveSettings(&server, 0, {override(4, 1), override(5, 0)}).level, NotifyLevel::kMentions);
  // An override that inherits passes on to the next one.
  EXPECT_EQ(resolveSettings(&server, 0, {override(4, kInheritLevel), override(5, 0)}).level, NotifyLevel::kAll);
  EXPECT_EQ(resolveSettings(&server, 1, {override(4, kInheritLevel)}).level, NotifyLevel::kNothing);
}

TEST(ResolveSettings, EveryMuteOnTheWayCounts) {
  UserGuildSettings server;
  server.suppress_everyone = true;
  const auto resolved = resolveSettings(&server, 0, {override(4, 0), override(5, kInheritLevel, mutedUntil({}))});
  EXPECT_TRUE(resolved.suppress_everyone);
  EXPECT_FALSE(shouldNotify(resolved, NotifyFacts{}, kNow)); // the category is muted
  EXPECT_TRUE(shouldNotify(resolved, NotifyFacts{false, true, false, false}, kNow)); // a mention gets through
  server.mute = mutedUntil(kNow + 1h);
  EXPECT_FALSE(shouldNotify(resolveSettings(&server, 0, {override(4, 0)}), NotifyFacts{}, kNow));
  EXPECT_TRUE(shouldNotify(resolveSettings(&server, 0, {override(4, 0)}), NotifyFacts{}, kNow + 2h));
}

TEST(ApplyPatch, MergesOverridesByChannelAndDropsEmptyOnes) {
  UserGuildSettings settings;
  settings.channel_overrides = {override(10, 1), override(20, kInheritLevel, mutedUntil({}))};
  SettingsPatch patch;
  patch.suppress_everyone = true;
  ChannelOverridePatch first;
  first.channel_id = 20;
  first.message_notifications = 2; // keeps its mute
  ChannelOverridePatch second;
  second.channel_id = 30;
  second.muted = true;
  second.mute_config = mutedUntil(kNow + 1h);
  ChannelOverridePatch third;
  third.channel_id = 10;
  third.message_notifications = kInheritLevel; // nothing left: dropped
  patch.channel_overrides = {first, second, third};
  const auto next = applyPatch(settings, patch);
  EXPECT_TRUE(next.suppress_everyone);
  ASSERT_EQ(next.channel_overrides.size(), 2U);
  EXPECT_EQ(next.channel_overrides[0].channel_id, 20U);
  EXPECT_EQ(next.channel_overrides[0].message_notifications, 2);
  EXPECT_TRUE(next.channel_overrides[0].mute.muted);
  EXPECT_EQ(next.channel_overrides[1].channel_id, 30U);
  EXPECT_EQ(next.channel_overrides[1].mute.end_time, kNow + 1h);
  EXPECT_EQ(next.channel_overrides[1].mute.selected_time_window, 3600);
}

TEST(ApplyPatch, UnmutingClearsTheMuteConfig) {
  UserGuildSettings settings;
  settings.mute = mutedUntil(kNow + 1h);
  SettingsPatch patch;
  patch.muted = false;
  const auto next = applyPatch(settings, patch);
  EXPECT_FALSE(next.mute.muted);
  EXPECT_FALSE(next.mute.end_time.has_value());
}

} // namespace
} // namespace hearth::domain
