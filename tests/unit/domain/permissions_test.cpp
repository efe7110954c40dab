// The permission computation, checked three ways: hand-written cases taken from Discord's docs,
// a property test against a reference implementation that shares no code with permissions.cpp
// (it decides each bit on its own with an explicit precedence ladder instead of masks), and the
// bit table itself against /work/shared/DISCORD-FACTS.md.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "domain/permissions.hpp"

namespace hearth::domain {
namespace {

using namespace perm;

// ---------------------------------------------------------------------------------------------
// (a) Hand-written cases
// ---------------------------------------------------------------------------------------------

constexpr std::uint64_t kGuild = 100; // also the @everyone role
constexpr std::uint64_t kOwner = 1;
constexpr std::uint64_t kUser = 2;
constexpr std::uint64_t kOtherUser = 3;
constexpr std::uint64_t kRoleA = 201;
constexpr std::uint64_t kRoleB = 202;
constexpr std::uint64_t kRoleNotHeld = 209;

PermissionSubject member(Permissions everyone, std::vector<RolePermissions> roles = {}) {
  PermissionSubject subject;
  subject.guild_id = kGuild;
  subject.owner_id = kOwner;
  subject.user_id = kUser;
  subject.everyone = everyone;
  subject.roles = std::move(roles);
  return subject;
}

Overwrite roleOw(std::uint64_t id, Permissions allow, Permissions deny) {
  return {id, OverwriteType::kRole, allow, deny};
}
Overwrite memberOw(std::uint64_t id, Permissions allow, Permissions deny) {
  return {id, OverwriteType::kMember, allow, deny};
}

Permissions in(const PermissionSubject& subject, const std::vector<Overwrite>& overwrites,
               ChannelKind kind = ChannelKind::kText) {
  return channelPermissions(subject, overwrites, kind);
}

constexpr Permissions kChat = kViewChannel | kSendMessages | kReadMessageHistory | kAddReactions;

TEST(Permissions, OwnerHasEverythingEverywhere) {
  PermissionSubject owner = member(0);
  owner.user_id = kOwner;
  EXPECT_EQ(basePermissions(owner), kAll);
  const std::vector<Overwrite> locked{roleOw(kGuild, 0, kAll), memberOw(kOwner, 0, kAll)};
  EXPECT_EQ(in(owner, locked), kAll);
  EXPECT_EQ(in(owner, locked, ChannelKind::kVoice), kAll);
  owner.timed_out = true; // cannot happen in practice; still all
  EXPECT_EQ(basePermissions(owner), kAll);
  EXPECT_EQ(in(owner, locked), kAll);
}

TEST(Permissions, AdministratorHasEverythingAndOverwritesCannotRemoveIt) {
  const PermissionSubject admin = member(kChat, {{kRoleA, kAdministrator}});
  EXPECT_EQ(basePermissions(admin), kAll);
  const std::vector<Overwrite> locked{roleOw(kGuild, 0, kAll), roleOw(kRoleA, 0, kAll), memberOw(kUser, 0, kAll)};
  EXPECT_EQ(in(admin, locked), kAll);
  EXPECT_EQ(in(admin, locked, ChannelKind::kStage), kAll);
  // ADMINISTRATOR on @everyone makes every member an administrator.
  EXPECT_EQ(basePermissions(member(kAdministrator)), kAll);
}

TEST(Permissions, BaseIsEveryoneUnionRoles) {
  const PermissionSubject subject =
      member(kViewChannel | kSendMessages, {{kRoleA, kKickMembers}, {kRoleB, kManageMessages | kSendMessages}});
  EXPECT_EQ(basePermissions(subject), kViewChannel | kSendMessages | kKickMembers | kManageMessages);
  EXPECT_EQ(basePermissions(subject), 2048u + 1024u + 2u + 8192u);
  // With no overwrites the channel sees the same bits (no implicit deny triggers).
  EXPECT_EQ(in(subject, {}), basePermissions(subject));
}

TEST(Permissions, RolesCannotTakeAwayWhatEveryoneGrants) {
  // Discord's docs: a "Muted" role without SEND_MESSAGES doesn't stop @everyone's SEND_MESSAGES.
  const PermissionSubject muted = member(kChat, {{kRoleA, 0}});
  EXPECT_NE(in(muted, {}) & kSendMessages, 0u);
  // Only a channel overwrite does.
  EXPECT_EQ(in(muted, {roleOw(kRoleA, 0, kSendMessages)}) & kSendMessages, 0u);
}

TEST(Permissions, WithinOneOverwriteDenyComesBeforeAllow) {
  // A bit both denied and allowed by the same overwrite ends up allowed, at every level.
  const PermissionSubject subject = member(kViewChannel, {{kRoleA, 0}});
  EXPECT_NE(in(subject, {roleOw(kGuild, kSendMessages, kSendMessages)}) & kSendMessages, 0u);
  EXPECT_NE(in(subject, {roleOw(kRoleA, kSendMessages, kSendMessages)}) & kSendMessages, 0u);
  EXPECT_NE(in(subject, {memberOw(kUser, kSendMessages, kSendMessages)}) & kSendMessages, 0u);
  // A role the member doesn't hold changes nothing: the base has no SEND_MESSAGES.
  EXPECT_EQ(in(subject, {roleOw(kRoleNotHeld, kSendMessages, 0)}) & kSendMessages, 0u);
}

TEST(Permissions, EveryoneOverwriteDeniesAndAllows) {
  const PermissionSubject subject = member(kChat);
  const Permissions result = in(subject, {roleOw(kGuild, kMentionEveryone, kAddReactions)});
  EXPECT_EQ(result, (kChat & ~kAddReactions) | kMentionEveryone);
}

TEST(Permissions, RoleAllowBeatsRoleDenyWhateverThePositions) {
  // Discord's docs: role A denies VIEW_CHANNEL on #coolstuff, role B allows it → the user sees it.
  const PermissionSubject subject = member(kChat, {{kRoleA, 0}, {kRoleB, 0}});
  const std::vector<Overwrite> coolstuff{roleOw(kRoleA, 0, kViewChannel), roleOw(kRoleB, kViewChannel, 0)};
  EXPECT_EQ(in(subject, coolstuff), kChat);
  // Order in the list doesn't matter either.
  EXPECT_EQ(in(subject, {coolstuff[1], coolstuff[0]}), kChat);
}

TEST(Permissions, RoleOverwriteBeatsEveryoneOverwrite) {
  // A private channel: @everyone denied VIEW_CHANNEL, the staff role allowed it.
  const std::vector<Overwrite> staffOnly{roleOw(kGuild, 0, kViewChannel), roleOw(kRoleA, kViewChannel, 0)};
  EXPECT_EQ(in(member(kChat), staffOnly), 0u);
  EXPECT_EQ(in(member(kChat, {{kRoleA, 0}}), staffOnly), kChat);
}

TEST(Permissions, MemberOverwriteBeatsRoleOverwrites) {
  const PermissionSubject subject = member(kChat, {{kRoleA, 0}});
  EXPECT_EQ(in(subject, {roleOw(kRoleA, kSendMessages, 0), memberOw(kUser, 0, kSendMessages)}) & kSendMessages, 0u);
  EXPECT_NE(in(subject, {roleOw(kRoleA, 0, kSendMessages), memberOw(kUser, kSendMessages, 0)}) & kSendMessages, 0u);
  // And the member's own overwrite opens a private channel for them alone.
  EXPECT_EQ(in(subject, {roleOw(kGuild, 0, kViewChannel), memberOw(kUser, kViewChannel, 0)}), kChat);
}

TEST(Permissions, NoViewChannelMeansNothing) {
  const PermissionSubject subject = member(kChat | kManageMessages | kConnect | kSpeak, {{kRoleA, kKickMembers}});
  EXPECT_EQ(in(subject, {roleOw(kGuild, kMentionEveryone, kViewChannel)}), 0u);
  EXPECT_EQ(in(subject, {roleOw(kRoleA, 0, kViewChannel)}, ChannelKind::kVoice), 0u);
  EXPECT_EQ(in(member(kSendMessages), {}), 0u) << "no VIEW_CHANNEL in the base either";
}

TEST(Permissions, NoSendMessagesDropsWhatSendingNeeds) {
  const Permissions rich = kChat | kMentionEveryone | kSendTtsMessages | kAttachFiles | kEmbedLinks;
  const Permissions result = in(member(rich), {roleOw(kGuild, 0, kSendMessages)});
  EXPECT_EQ(result, kViewChannel | kReadMessageHistory | kAddReactions);
  EXPECT_EQ(result, 1024u + 65536u + 64u);
}

TEST(Permissions, NoConnectDropsVoicePermissionsInVoiceAndStage) {
  const Permissions voice = kViewChannel | kConnect | kSpeak | kStream | kUseVad | kPrioritySpeaker | kMuteMembers |
                            kDeafenMembers | kMoveMembers | kRequestToSpeak | kUseSoundboard | kUseExternalSounds |
                            kSetVoiceChannelStatus | kManageChannels | kSendMessages | kReadMessageHistory;
  const std::vector<Overwrite> noConnect{roleOw(kGuild, 0, kConnect)};
  const Permissions textSide = kViewChannel | kSendMessages | kReadMessageHistory;
  EXPECT_EQ(in(member(voice), noConnect, ChannelKind::kVoice), textSide);
  EXPECT_EQ(in(member(voice), noConnect, ChannelKind::kStage), textSide);
  // In a text channel CONNECT means nothing, so nothing else goes with it.
  EXPECT_EQ(in(member(voice), noConnect, ChannelKind::kText), voice & ~kConnect);
  EXPECT_EQ(in(member(voice), {}, ChannelKind::kVoice), voice);
}

TEST(Permissions, TimedOutMemberKeepsOnlyViewAndHistory) {
  PermissionSubject subject = member(defaultEveryone(), {{kRoleA, kKickMembers | kManageMessages}});
  subject.timed_out = true;
  EXPECT_EQ(basePermissions(subject), kViewChannel | kReadMessageHistory);
  EXPECT_EQ(in(subject, {}), kViewChannel | kReadMessageHistory);
  EXPECT_EQ(in(subject, {memberOw(kUser, kSendMessages | kManageRoles, 0)}), kViewChannel | kReadMessageHistory);
  EXPECT_EQ(in(subject, {roleOw(kGuild, 0, kReadMessageHistory)}), kViewChannel);
  EXPECT_EQ(in(subject, {roleOw(kGuild, 0, kViewChannel)}), 0u);
  // Administrators (and the owner) are exempt.
  subject.roles.push_back({kRoleB, kAdministrator});
  EXPECT_EQ(basePermissions(subject), kAll);
  EXPECT_EQ(in(subject, {roleOw(kGuild, 0, kViewChannel)}), kAll);
}

TEST(Permissions, ForeignOverwritesAreIgnored) {
  const PermissionSubject subject = member(kChat, {{kRoleA, 0}});
  const std::vector<Overwrite> foreign{
      roleOw(kRoleNotHeld, 0, kChat), // a role the member doesn't have
      memberOw(kOtherUser, 0, kChat), // another member
      memberOw(kRoleA, 0, kChat), // a member overwrite whose id happens to be a held role's
      roleOw(kUser, 0, kChat), // a role overwrite whose id happens to be the member's
      memberOw(kGuild, 0, kChat), // @everyone's id, but typed member
  };
  EXPECT_EQ(in(subject, foreign), kChat);
}

TEST(Permissions, ServerOnlyAndUndefinedBitsInOverwritesAreIgnored) {
  const PermissionSubject subject = member(kChat, {{kRoleA, kKickMembers}});
  const Permissions result =
      in(subject, {roleOw(kGuild, kAdministrator | kBanMembers | (1ull << 47) | (1ull << 60), kKickMembers)});
  EXPECT_EQ(result, kChat | kKickMembers);
}

TEST(Permissions, UndefinedBitsInRolesAreDropped) {
  const PermissionSubject subject = member(kChat | (1ull << 47), {{kRoleA, 1ull << 53}, {kRoleB, 1ull << 63}});
  EXPECT_EQ(basePermissions(subject), kChat);
  EXPECT_EQ(in(subject, {}), kChat);
}

TEST(Permissions, DefaultEveryoneInAFreshServer) {
  const PermissionSubject subject = member(defaultEveryone());
  EXPECT_EQ(basePermissions(subject), defaultEveryone());
  const Permissions text = in(subject, {});
  EXPECT_NE(text & kSendMessages, 0u);
  EXPECT_NE(text & kConnect, 0u);
  EXPECT_EQ(text & (kManageMessages | kKickMembers | kManageChannels), 0u);
}

TEST(Permissions, DocsWorkedExamples) {
  // docs/permissions.md, "Worked examples": the numbers printed there.
  constexpr std::uint64_t kModerator = 201, kHelper = 202, kMuted = 203;
  constexpr Permissions kEveryone = 36949568, kModeratorBits = 1099532607490;
  const PermissionSubject ada = member(kEveryone);
  const PermissionSubject mo = member(kEveryone, {{kModerator, kModeratorBits}});
  const PermissionSubject hal = member(kEveryone, {{kHelper, 0}, {kMuted, 0}});
  const PermissionSubject max = member(kEveryone, {{kMuted, 0}});
  // 1
  EXPECT_EQ(in(ada, {}), 36949568u);
  EXPECT_EQ(in(mo, {}), 1099569557058u);
  // 2
  const std::vector<Overwrite> mods{roleOw(kGuild, 0, 1024), roleOw(kModerator, 1024, 0)};
  EXPECT_EQ(in(ada, mods), 0u);
  EXPECT_EQ(in(mo, mods), 1099569557058u);
  // 3
  std::vector<Overwrite> general{roleOw(kMuted, 0, 2112), roleOw(kHelper, 2048, 0)};
  EXPECT_EQ(in(max, general), 36767232u);
  EXPECT_EQ(in(hal, general), 36949504u);
  general.push_back(memberOw(kUser, 2048, 0));
  EXPECT_EQ(in(max, general), 36949504u);
  // 4
  const std::vector<Overwrite> lounge{roleOw(kGuild, 0, 1048576)};
  EXPECT_EQ(in(ada, lounge, ChannelKind::kVoice), 248896u);
  EXPECT_EQ(in(ada, lounge, ChannelKind::kText), 36949568u - 1048576u);
  // 5
  PermissionSubject timed = mo;
  timed.timed_out = true;
  EXPECT_EQ(basePermissions(timed), 66560u);
  EXPECT_EQ(in(timed, {}), 66560u);
  EXPECT_EQ(in(timed, mods), 66560u);
  timed.roles[0].permissions |= kAdministrator;
  EXPECT_EQ(in(timed, mods), 8866461766385663u);
  // The implicit-deny masks as printed in the table.
  EXPECT_EQ(in(member(kViewChannel | 184320), {}), kViewChannel);
  EXPECT_EQ(in(member(kViewChannel | 321061755290384), {}, ChannelKind::kStage), kViewChannel);
  EXPECT_EQ(serverOnly(), 12095903498414u);
}

// ---------------------------------------------------------------------------------------------
// (b) Reference implementation and property test
// ---------------------------------------------------------------------------------------------
//
// The reference works on its own model of a server (all roles, the member's role ids, a channel
// with its overwrites) and decides every bit separately: "who has the last word on this bit?"
// walking from the most specific rule to the least. Bit numbers come from the facts table, not
// from permissions.hpp's masks.

namespace ref {

struct Role {
  std::uint64_t id;
  Permissions bits;
};
struct Rule {
  std::uint64_t target;
  bool for_member; // false: a role (or @everyone when target == server id)
  Permissions allow;
  Permissions deny;
};
struct Server {
  std::uint64_t id;
  std::uint64_t owner;
  Permissions everyone;
  std::vector<Role> roles; // every role of the server except @everyone
};
struct Member {
  std::uint64_t user;
  std::vector<std::uint64_t> role_ids;
  bool timed_out;
};
struct Channel {
  int kind; // Discord's channel type number
  std::vector<Rule> rules;
};

constexpr int kAdminBit = 3;
constexpr int kViewBit = 10;
constexpr int kSendBit = 11;
constexpr int kHistoryBit = 16;
constexpr int kConnectBit = 20;

bool bit(Permissions bits, int n) { return ((bits >> n) & 1u) == 1u; }

bool defined(int n) { return n >= 0 && n <= 52 && n != 47; }

bool serverWide(int n) {
  switch (n) {
  case 1: // KICK_MEMBERS
  case 2: // BAN_MEMBERS
  case 3: // ADMINISTRATOR
  case 5: // MANAGE_GUILD
  case 7: // VIEW_AUDIT_LOG
  case 19: // VIEW_GUILD_INSIGHTS
  case 26: // CHANGE_NICKNAME
  case 27: // MANAGE_NICKNAMES
  case 30: // MANAGE_GUILD_EXPRESSIONS
  case 40: // MODERATE_MEMBERS
  case 41: // VIEW_CREATOR_MONETIZATION_ANALYTICS
  case 43: // CREATE_GUILD_EXPRESSIONS
    return true;
  default: return false;
  }
}

bool needsSending(int n) {
  return n == 12 /* TTS */ || n == 14 /* EMBED_LINKS */ || n == 15 /* ATTACH_FILES */ || n == 17 /* MENTION */;
}

bool needsCall(int n) {
  switch (n) {
  case 4: // MANAGE_CHANNELS (Discord's own example)
  case 8: // PRIORITY_SPEAKER
  case 9: // STREAM
  case 21: // SPEAK
  case 22: // MUTE_MEMBERS
  case 23: // DEAFEN_MEMBERS
  case 24: // MOVE_MEMBERS
  case 25: // USE_VAD
  case 32: // REQUEST_TO_SPEAK
  case 42: // USE_SOUNDBOARD
  case 45: // USE_EXTERNAL_SOUNDS
  case 48: // SET_VOICE_CHANNEL_STATUS
    return true;
  default: return false;
  }
}

bool isVoiceLike(int kind) { return kind == 2 || kind == 13; }

bool memberHas(const Member& m, std::uint64_t role_id) {
  return std::find(m.role_ids.begin(), m.role_ids.end(), role_id) != m.role_ids.end();
}

bool roleGrants(const Server& s, const Member& m, int n) {
  if (bit(s.everyone, n)) return true;
  for (const Role& r : s.roles)
    if (memberHas(m, r.id) && bit(r.bits, n)) return true;
  return false;
}

bool allPowerful(const Server& s, const Member& m) { return m.user == s.owner || roleGrants(s, m, kAdminBit); }

enum class Level { kEveryone, kRoles, kMember };

bool ruleApplies(const Server& s, const Member& m, const Rule& r, Level level) {
  switch (level) {
  case Level::kEveryone: return !r.for_member && r.target == s.id;
  case Level::kRoles: return !r.for_member && r.target != s.id && memberHas(m, r.target);
  case Level::kMember: return r.for_member && r.target == m.user;
  }
  return false;
}

// 1 = allowed at this level, 0 = denied at this level, -1 = this level says nothing.
int verdict(const Server& s, const Member& m, const Channel& c, Level level, int n) {
  bool allowed = false;
  bool denied = false;
  for (const Rule& r : c.rules) {
    if (!ruleApplies(s, m, r, level)) continue;
    allowed = allowed || bit(r.allow, n);
    denied = denied || bit(r.deny, n);
  }
  if (allowed) return 1; // within a level, allows are applied after denies
  if (denied) return 0;
  return -1;
}

// The bit after overwrites, before implicit denies (owner and administrators excluded).
bool afterOverwrites(const Server& s, const Member& m, const Channel& c, int n) {
  if (!serverWide(n)) {
    for (Level level : {Level::kMember, Level::kRoles, Level::kEveryone}) {
      const int v = verdict(s, m, c, level, n);
      if (v != -1) return v == 1;
    }
  }
  return roleGrants(s, m, n);
}

bool baseBit(const Server& s, const Member& m, int n) {
  if (!defined(n)) return false;
  if (allPowerful(s, m)) return true;
  if (m.timed_out && n != kViewBit && n != kHistoryBit) return false;
  return roleGrants(s, m, n);
}

bool channelBit(const Server& s, const Member& m, const Channel& c, int n) {
  if (!defined(n)) return false;
  if (allPowerful(s, m)) return true;
  if (!afterOverwrites(s, m, c, n)) return false;
  if (!afterOverwrites(s, m, c, kViewBit)) return false;
  if (needsSending(n) && !afterOverwrites(s, m, c, kSendBit)) return false;
  if (isVoiceLike(c.kind) && needsCall(n) && !afterOverwrites(s, m, c, kConnectBit)) return false;
  if (m.timed_out && n != kViewBit && n != kHistoryBit) return false;
  return true;
}

Permissions collect(auto&& decide) {
  Permissions out = 0;
  for (int n = 0; n < 64; ++n)
    if (decide(n)) out |= Permissions{1} << n;
  return out;
}

Permissions base(const Server& s, const Member& m) {
  return collect([&](int n) { return baseBit(s, m, n); });
}
Permissions inChannel(const Server& s, const Member& m, const Channel& c) {
  return collect([&](int n) { return channelBit(s, m, c, n); });
}

} // namespace ref

// What permissions.cpp sees of the reference model.
PermissionSubject toSubject(const ref::Server& s, const ref::Member& m) {
  PermissionSubject subject;
  subject.guild_id = s.id;
  subject.owner_id = s.owner;
  subject.user_id = m.user;
  subject.everyone = s.everyone;
  for (const ref::Role& r : s.roles)
    if (ref::memberHas(m, r.id)) subject.roles.push_back({r.id, r.bits});
  subject.timed_out = m.timed_out;
  return subject;
}

std::vector<Overwrite> toOverwrites(const ref::Channel& c) {
  std::vector<Overwrite> out;
  for (const ref::Rule& r : c.rules)
    out.push_back({r.target, r.for_member ? OverwriteType::kMember : OverwriteType::kRole, r.allow, r.deny});
  return out;
}

// A small deterministic generator (mt19937_64's output is fixed by the standard; distributions
// aren't, so we don't use them).
class Dice {
public:
  explicit Dice(std::uint64_t seed) : engine_(seed) {}
  std::uint64_t raw() { return engine_(); }
  std::uint64_t below(std::uint64_t n) { return engine_() % n; }
  bool chance(int percent) { return below(100) < static_cast<std::uint64_t>(percent); }

  // Bits in a mix of shapes: empty, sparse, dense, raw 64-bit noise (undefined bits included)
  // and "the bits that matter" (view, send, connect, history and what depends on them).
  Permissions bits() {
    static constexpr int kInteresting[] = {10, 11, 16, 20, 17, 12, 14, 15, 21, 9, 4, 3, 1, 47, 53, 63};
    switch (below(6)) {
    case 0: return 0;
    case 1: return sparse(8);
    case 2: return sparse(2);
    case 3: return raw();
    default: {
      Permissions out = 0;
      for (int n : kInteresting)
        if (chance(35)) out |= Permissions{1} << n;
      return out;
    }
    }
  }

private:
  Permissions sparse(std::uint64_t one_in) {
    Permissions out = 0;
    for (int n = 0; n < 53; ++n)
      if (below(one_in) == 0) out |= Permissions{1} << n;
    return out;
  }
  std::mt19937_64 engine_;
};

constexpr Permissions kAdminBitMask = Permissions{1} << ref::kAdminBit;

struct Scenario {
  ref::Server server;
  ref::Member member;
  std::vector<ref::Channel> channels;
};

Scenario randomScenario(std::uint64_t seed) {
  Dice dice(seed);
  Scenario sc;
  sc.server.id = 1'000'000 + dice.below(1'000'000);
  sc.server.everyone = dice.bits();
  if (!dice.chance(3)) sc.server.everyone &= ~kAdminBitMask;
  const int role_count = static_cast<int>(dice.below(9)); // 0-8
  for (int i = 0; i < role_count; ++i) {
    Permissions bits = dice.bits();
    if (!dice.chance(8)) bits &= ~kAdminBitMask;
    sc.server.roles.push_back({sc.server.id + 1 + static_cast<std::uint64_t>(i), bits});
  }
  sc.member.user = sc.server.id + 100;
  const std::uint64_t other_user = sc.server.id + 101;
  sc.server.owner = dice.chance(8) ? sc.member.user : other_user;
  for (const ref::Role& r : sc.server.roles)
    if (dice.chance(50)) sc.member.role_ids.push_back(r.id);
  sc.member.timed_out = dice.chance(20);

  static constexpr int kKinds[] = {0, 2, 4, 5, 13, 15};
  const int channel_count = 1 + static_cast<int>(dice.below(4));
  for (int i = 0; i < channel_count; ++i) {
    ref::Channel channel;
    channel.kind = kKinds[dice.below(6)];
    auto add = [&](std::uint64_t target, bool for_member) {
      channel.rules.push_back({target, for_member, dice.bits(), dice.bits()});
    };
    if (dice.chance(60)) add(sc.server.id, false);
    for (const ref::Role& r : sc.server.roles) // held and not held
      if (dice.chance(50)) add(r.id, false);
    if (dice.chance(40)) add(sc.member.user, true);
    if (dice.chance(30)) add(other_user, true);
    if (dice.chance(10) && !sc.server.roles.empty()) add(sc.server.roles[dice.below(sc.server.roles.size())].id, true);
    if (dice.chance(10)) add(sc.member.user, false); // typed role, id of the member
    if (dice.chance(5)) add(sc.server.id, true); // typed member, id of @everyone
    if (dice.chance(5) && !channel.rules.empty()) { // a duplicate target (storage forbids it; still defined)
      const ref::Rule copy = channel.rules[dice.below(channel.rules.size())];
      add(copy.target, copy.for_member);
    }
    for (std::size_t k = channel.rules.size(); k > 1; --k) // shuffle: order must not matter
      std::swap(channel.rules[k - 1], channel.rules[dice.below(k)]);
    sc.channels.push_back(std::move(channel));
  }
  return sc;
}

std::string describe(const Scenario& sc) {
  std::ostringstream out;
  out << "server " << sc.server.id << " owner " << sc.server.owner << " @everyone " << sc.server.everyone << "\n";
  for (const ref::Role& r : sc.server.roles)
    out << "  role " << r.id << " bits " << r.bits << (ref::memberHas(sc.member, r.id) ? " (held)" : "") << "\n";
  out << "member " << sc.member.user << (sc.member.timed_out ? " timed out" : "") << "\n";
  for (const ref::Channel& c : sc.channels) {
    out << "  channel kind " << c.kind << "\n";
    for (const ref::Rule& r : c.rules)
      out << "    " << (r.for_member ? "member " : "role ") << r.target << " allow " << r.allow << " deny " << r.deny
          << "\n";
  }
  return out.str();
}

std::uint64_t propertySeed() {
  if (const char* text = std::getenv("HEARTH_PERMISSION_SEED")) return std::strtoull(text, nullptr, 10);
  return 20240611;
}

TEST(PermissionsProperty, MatchesReferenceOnRandomServers) {
  constexpr int kServers = 20'000;
  const std::uint64_t seed = propertySeed();
  int failures = 0;
  int checked = 0;
  int nothing = 0;
  int everything = 0;
  int partial = 0;
  for (int i = 0; i < kServers && failures < 5; ++i) {
    const std::uint64_t server_seed = seed + static_cast<std::uint64_t>(i);
    const Scenario sc = randomScenario(server_seed);
    const PermissionSubject subject = toSubject(sc.server, sc.member);

    const Permissions expected_base = ref::base(sc.server, sc.member);
    const Permissions actual_base = basePermissions(subject);
    if (actual_base != expected_base) {
      ++failures;
      ADD_FAILURE() << "basePermissions differs; seed " << seed << " server #" << i
                    << " (HEARTH_PERMISSION_SEED=" << server_seed << " reproduces it as #0)\nexpected " << expected_base
                    << "\nactual   " << actual_base << "\n"
                    << describe(sc);
    }
    for (const ref::Channel& channel : sc.channels) {
      const std::vector<Overwrite> overwrites = toOverwrites(channel);
      const Permissions expected = ref::inChannel(sc.server, sc.member, channel);
      const Permissions actual = channelPermissions(subject, overwrites, static_cast<ChannelKind>(channel.kind));
      ++checked;
      if (expected == 0)
        ++nothing;
      else if (expected == kAll)
        ++everything;
      else
        ++partial;
      if (actual != expected) {
        ++failures;
        ADD_FAILURE() << "channelPermissions differs in a kind-" << channel.kind << " channel; seed " << seed
                      << " server #" << i << " (HEARTH_PERMISSION_SEED=" << server_seed
                      << " reproduces it as #0)\nexpected " << expected << "\nactual   " << actual << "\n"
                      << describe(sc);
        break;
      }
    }
  }
  // The generator must reach every kind of outcome, or the comparison proves little.
  EXPECT_GE(checked, kServers);
  EXPECT_GT(nothing, checked / 20) << "seed " << seed;
  EXPECT_GT(everything, checked / 20) << "seed " << seed;
  EXPECT_GT(partial, checked / 5) << "seed " << seed;
}

TEST(PermissionsProperty, ReferenceAgreesWithHandWrittenCases) {
  // The reference itself, on the docs' #coolstuff example and a timeout, so a bug shared by both
  // implementations would have to be written twice.
  ref::Server s{kGuild, kOwner, (Permissions{1} << 10) | (Permissions{1} << 11), {{kRoleA, 0}, {kRoleB, 0}}};
  ref::Member m{kUser, {kRoleA, kRoleB}, false};
  ref::Channel coolstuff{0, {{kRoleA, false, 0, Permissions{1} << 10}, {kRoleB, false, Permissions{1} << 10, 0}}};
  EXPECT_EQ(ref::inChannel(s, m, coolstuff), kViewChannel | kSendMessages);
  m.timed_out = true;
  EXPECT_EQ(ref::inChannel(s, m, coolstuff), kViewChannel);
  EXPECT_EQ(ref::base(s, m), kViewChannel);
}

// ---------------------------------------------------------------------------------------------
// (c) String form
// ---------------------------------------------------------------------------------------------

TEST(PermissionsString, RoundTrips) {
  std::vector<Permissions> values{0, kAll, defaultEveryone(), serverOnly(), kSendMessages | kAddReactions};
  for (const auto& [bit_value, name] : names())
    values.push_back(bit_value);
  Dice dice(7);
  for (int i = 0; i < 1000; ++i)
    values.push_back(dice.raw() & kAll);
  for (Permissions value : values) {
    const std::string text = permissionsToString(value);
    Permissions parsed = 12345;
    ASSERT_TRUE(parsePermissions(text, parsed)) << text;
    EXPECT_EQ(parsed, value) << text;
  }
  EXPECT_EQ(permissionsToString(kSendMessages | kAddReactions), "2112");
  EXPECT_EQ(permissionsToString(0), "0");
  EXPECT_EQ(permissionsToString(kAll), "8866461766385663");
}

TEST(PermissionsString, AcceptsLeadingZerosUpToTwentyDigits) {
  Permissions out = 0;
  EXPECT_TRUE(parsePermissions("0002048", out));
  EXPECT_EQ(out, kSendMessages);
  EXPECT_TRUE(parsePermissions("00000000000000002048", out)); // 20 digits
  EXPECT_EQ(out, kSendMessages);
}

TEST(PermissionsString, RejectsBadInputAndLeavesOutputAlone) {
  const char* bad[] = {
      "",
      "-1",
      "+1",
      " 1",
      "1 ",
      "1\n",
      "0x10",
      "1e3",
      "1.0",
      "12a",
      "２０４８", // full-width digits
      "000000000000000002048", // 21 digits
      "18446744073709551616", // 2^64: overflows
      "99999999999999999999", // overflows
      "18446744073709551615", // fits in 64 bits, but undefined bits
      "140737488355328", // bit 47
      "9007199254740992", // bit 53
      "9223372036854775808", // bit 63
      "8866461766385664", // kAll + 1
  };
  for (const char* text : bad) {
    Permissions out = 777;
    EXPECT_FALSE(parsePermissions(text, out)) << '"' << text << '"';
    EXPECT_EQ(out, 777u) << '"' << text << '"';
  }
  Permissions out = 0;
  EXPECT_FALSE(parsePermissions(std::string_view("20\0"
                                                 "48",
                                                 5),
                                out))
      << "embedded NUL";
}

// ---------------------------------------------------------------------------------------------
// (d) The bit table against the facts table
// ---------------------------------------------------------------------------------------------

struct FactRow {
  int bit;
  const char* name;
  bool server_only;
  Permissions constant;
};

// Copied by hand from DISCORD-FACTS.md "Permission bits" (column "applies to").
const FactRow kFacts[] = {
    {0, "CREATE_INSTANT_INVITE", false, kCreateInstantInvite},
    {1, "KICK_MEMBERS", true, kKickMembers},
    {2, "BAN_MEMBERS", true, kBanMembers},
    {3, "ADMINISTRATOR", true, kAdministrator},
    {4, "MANAGE_CHANNELS", false, kManageChannels},
    {5, "MANAGE_GUILD", true, kManageGuild},
    {6, "ADD_REACTIONS", false, kAddReactions},
    {7, "VIEW_AUDIT_LOG", true, kViewAuditLog},
    {8, "PRIORITY_SPEAKER", false, kPrioritySpeaker},
    {9, "STREAM", false, kStream},
    {10, "VIEW_CHANNEL", false, kViewChannel},
    {11, "SEND_MESSAGES", false, kSendMessages},
    {12, "SEND_TTS_MESSAGES", false, kSendTtsMessages},
    {13, "MANAGE_MESSAGES", false, kManageMessages},
    {14, "EMBED_LINKS", false, kEmbedLinks},
    {15, "ATTACH_FILES", false, kAttachFiles},
    {16, "READ_MESSAGE_HISTORY", false, kReadMessageHistory},
    {17, "MENTION_EVERYONE", false, kMentionEveryone},
    {18, "USE_EXTERNAL_EMOJIS", false, kUseExternalEmojis},
    {19, "VIEW_GUILD_INSIGHTS", true, kViewGuildInsights},
    {20, "CONNECT", false, kConnect},
    {21, "SPEAK", false, kSpeak},
    {22, "MUTE_MEMBERS", false, kMuteMembers},
    {23, "DEAFEN_MEMBERS", false, kDeafenMembers},
    {24, "MOVE_MEMBERS", false, kMoveMembers},
    {25, "USE_VAD", false, kUseVad},
    {26, "CHANGE_NICKNAME", true, kChangeNickname},
    {27, "MANAGE_NICKNAMES", true, kManageNicknames},
    {28, "MANAGE_ROLES", false, kManageRoles},
    {29, "MANAGE_WEBHOOKS", false, kManageWebhooks},
    {30, "MANAGE_GUILD_EXPRESSIONS", true, kManageGuildExpressions},
    {31, "USE_APPLICATION_COMMANDS", false, kUseApplicationCommands},
    {32, "REQUEST_TO_SPEAK", false, kRequestToSpeak},
    {33, "MANAGE_EVENTS", false, kManageEvents},
    {34, "MANAGE_THREADS", false, kManageThreads},
    {35, "CREATE_PUBLIC_THREADS", false, kCreatePublicThreads},
    {36, "CREATE_PRIVATE_THREADS", false, kCreatePrivateThreads},
    {37, "USE_EXTERNAL_STICKERS", false, kUseExternalStickers},
    {38, "SEND_MESSAGES_IN_THREADS", false, kSendMessagesInThreads},
    {39, "USE_EMBEDDED_ACTIVITIES", false, kUseEmbeddedActivities},
    {40, "MODERATE_MEMBERS", true, kModerateMembers},
    {41, "VIEW_CREATOR_MONETIZATION_ANALYTICS", true, kViewCreatorMonetizationAnalytics},
    {42, "USE_SOUNDBOARD", false, kUseSoundboard},
    {43, "CREATE_GUILD_EXPRESSIONS", true, kCreateGuildExpressions},
    {44, "CREATE_EVENTS", false, kCreateEvents},
    {45, "USE_EXTERNAL_SOUNDS", false, kUseExternalSounds},
    {46, "SEND_VOICE_MESSAGES", false, kSendVoiceMessages},
    {48, "SET_VOICE_CHANNEL_STATUS", false, kSetVoiceChannelStatus},
    {49, "SEND_POLLS", false, kSendPolls},
    {50, "USE_EXTERNAL_APPS", false, kUseExternalApps},
    {51, "PIN_MESSAGES", false, kPinMessages},
    {52, "BYPASS_SLOWMODE", false, kBypassSlowmode},
};

TEST(PermissionBits, MatchTheFactsTable) {
  const auto table = names();
  ASSERT_EQ(table.size(), std::size(kFacts));
  Permissions all = 0;
  Permissions server_only = 0;
  for (std::size_t i = 0; i < table.size(); ++i) {
    const FactRow& fact = kFacts[i];
    const Permissions expected = Permissions{1} << fact.bit;
    EXPECT_EQ(fact.constant, expected) << fact.name;
    EXPECT_EQ(table[i].first, expected) << fact.name;
    EXPECT_EQ(table[i].second, fact.name) << "bit " << fact.bit;
    EXPECT_EQ(permissionsToString(expected), std::to_string(1ull << fact.bit)) << fact.name;
    all |= expected;
    if (fact.server_only) server_only |= expected;
  }
  EXPECT_EQ(kAll, all);
  EXPECT_EQ(serverOnly(), server_only);
  EXPECT_EQ(kAll & (Permissions{1} << 47), 0u);
  EXPECT_EQ(kAll >> 53, 0u);
}

TEST(PermissionBits, NamesAreInBitOrderAndUnique) {
  const auto table = names();
  for (std::size_t i = 1; i < table.size(); ++i) {
    EXPECT_LT(table[i - 1].first, table[i].first);
    EXPECT_NE(table[i - 1].second, table[i].second);
  }
}

TEST(PermissionBits, DefaultEveryoneIsDiscordsAndHasNothingElevated) {
  // Discord's fresh-server @everyone, 2248473465835073, without the undocumented bit 47.
  EXPECT_EQ(defaultEveryone(), 2248473465835073ull & ~(1ull << 47));
  EXPECT_EQ(permissionsToString(defaultEveryone()), "2107735977479745");
  EXPECT_EQ(defaultEveryone() & ~kAll, 0u);
  const Permissions elevated = kKickMembers | kBanMembers | kAdministrator | kManageChannels | kManageGuild |
                               kManageMessages | kManageRoles | kManageWebhooks | kManageThreads |
                               kManageGuildExpressions | kModerateMembers | kViewCreatorMonetizationAnalytics;
  EXPECT_EQ(defaultEveryone() & elevated, 0u);
  EXPECT_EQ(defaultEveryone() & (kSendTtsMessages | kPinMessages | kBypassSlowmode | kViewAuditLog), 0u);
  EXPECT_NE(defaultEveryone() & kMentionEveryone, 0u) << "Discord grants it by default";
}

} // namespace
} // namespace hearth::domain
