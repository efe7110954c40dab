// Discord's permission computation (API v10, "Permissions" topic): base permissions from the
// @everyone role and the member's roles, then the channel's overwrites in three layers, then the
// implicit denies and the timeout restriction. docs/permissions.md walks through it with numbers.
#include "domain/permissions.hpp"

#include <array>
#include <charconv>

namespace hearth::domain {
namespace {

using namespace perm;

constexpr Permissions kServerOnlyBits = kKickMembers | kBanMembers | kAdministrator | kManageGuild | kViewAuditLog |
                                        kViewGuildInsights | kChangeNickname | kManageNicknames |
                                        kManageGuildExpressions | kModerateMembers | kViewCreatorMonetizationAnalytics |
                                        kCreateGuildExpressions;

//! What a channel overwrite can change: every defined bit that isn't server-only. The API refuses
//! to store anything else in an overwrite; the computation ignores it should it get there anyway.
constexpr Permissions kOverwritable = kAll & ~kServerOnlyBits;

//! Discord: "Denying SEND_MESSAGES implicitly denies MENTION_EVERYONE, SEND_TTS_MESSAGES,
//! ATTACH_FILES, and EMBED_LINKS."
constexpr Permissions kNeedSendMessages = kMentionEveryone | kSendTtsMessages | kAttachFiles | kEmbedLinks;

//! In voice and stage channels, without CONNECT nothing that happens inside the call is possible:
//! speaking and its modes, streaming, the soundboard, moderating the people in the call, asking to
//! speak on stage, setting the channel's status. Discord's docs name MANAGE_CHANNELS as the example
//! of what a CONNECT deny takes away too, so it is on the list. Text-side permissions of the
//! channel's chat (send, read history, reactions, ...) and events are not: they don't need a call.
constexpr Permissions kNeedConnect = kSpeak | kMuteMembers | kDeafenMembers | kMoveMembers | kUseVad |
                                     kPrioritySpeaker | kStream | kRequestToSpeak | kUseSoundboard |
                                     kUseExternalSounds | kSetVoiceChannelStatus | kManageChannels;

//! Discord: "Timed out members will temporarily lose all permissions except VIEW_CHANNEL and
//! READ_MESSAGE_HISTORY. Owners and admin users with ADMINISTRATOR permissions are exempt."
constexpr Permissions kTimeoutKeeps = kViewChannel | kReadMessageHistory;

//! @everyone's permissions together with the member's roles', before timeouts; kAll for the owner
//! and for administrators. Anyone else lacks ADMINISTRATOR, so `== kAll` tells the two apart.
Permissions untimedBase(const PermissionSubject& subject) noexcept {
  if (subject.user_id == subject.owner_id) return kAll;
  Permissions bits = subject.everyone;
  for (const RolePermissions& role : subject.roles)
    bits |= role.permissions;
  if ((bits & kAdministrator) != 0) return kAll;
  return bits & kAll;
}

bool holdsRole(const PermissionSubject& subject, std::uint64_t role_id) noexcept {
  // @everyone's overwrite is its own layer; a role list that names it doesn't apply it twice.
  if (role_id == subject.guild_id) return false;
  for (const RolePermissions& role : subject.roles)
    if (role.id == role_id) return true;
  return false;
}

struct Layer {
  Permissions allow = 0;
  Permissions deny = 0;
  void add(const Overwrite& overwrite) noexcept {
    allow |= overwrite.allow;
    deny |= overwrite.deny;
  }
  Permissions applyTo(Permissions bits) const noexcept {
    return (bits & ~(deny & kOverwritable)) | (allow & kOverwritable);
  }
};

constexpr std::array<std::pair<Permissions, std::string_view>, 52> kNames{{
    {kCreateInstantInvite, "CREATE_INSTANT_INVITE"},
    {kKickMembers, "KICK_MEMBERS"},
    {kBanMembers, "BAN_MEMBERS"},
    {kAdministrator, "ADMINISTRATOR"},
    {kManageChannels, "MANAGE_CHANNELS"},
    {kManageGuild, "MANAGE_GUILD"},
    {kAddReactions, "ADD_REACTIONS"},
    {kViewAuditLog, "VIEW_AUDIT_LOG"},
    {kPrioritySpeaker, "PRIORITY_SPEAKER"},
    {kStream, "STREAM"},
    {kViewChannel, "VIEW_CHANNEL"},
    {kSendMessages, "SEND_MESSAGES"},
    {kSendTtsMessages, "SEND_TTS_MESSAGES"},
    {kManageMessages, "MANAGE_MESSAGES"},
    {kEmbedLinks, "EMBED_LINKS"},
    {kAttachFiles, "ATTACH_FILES"},
    {kReadMessageHistory, "READ_MESSAGE_HISTORY"},
    {kMentionEveryone, "MENTION_EVERYONE"},
    {kUseExternalEmojis, "USE_EXTERNAL_EMOJIS"},
    {kViewGuildInsights, "VIEW_GUILD_INSIGHTS"},
    {kConnect, "CONNECT"},
    {kSpeak, "SPEAK"},
    {kMuteMembers, "MUTE_MEMBERS"},
    {kDeafenMembers, "DEAFEN_MEMBERS"},
    {kMoveMembers, "MOVE_MEMBERS"},
    {kUseVad, "USE_VAD"},
    {kChangeNickname, "CHANGE_NICKNAME"},
    {kManageNicknames, "MANAGE_NICKNAMES"},
    {kManageRoles, "MANAGE_ROLES"},
    {kManageWebhooks, "MANAGE_WEBHOOKS"},
    {kManageGuildExpressions, "MANAGE_GUILD_EXPRESSIONS"},
    {kUseApplicationCommands, "USE_APPLICATION_COMMANDS"},
    {kRequestToSpeak, "REQUEST_TO_SPEAK"},
    {kManageEvents, "MANAGE_EVENTS"},
    {kManageThreads, "MANAGE_THREADS"},
    {kCreatePublicThreads, "CREATE_PUBLIC_THREADS"},
    {kCreatePrivateThreads, "CREATE_PRIVATE_THREADS"},
    {kUseExternalStickers, "USE_EXTERNAL_STICKERS"},
    {kSendMessagesInThreads, "SEND_MESSAGES_IN_THREADS"},
    {kUseEmbeddedActivities, "USE_EMBEDDED_ACTIVITIES"},
    {kModerateMembers, "MODERATE_MEMBERS"},
    {kViewCreatorMonetizationAnalytics, "VIEW_CREATOR_MONETIZATION_ANALYTICS"},
    {kUseSoundboard, "USE_SOUNDBOARD"},
    {kCreateGuildExpressions, "CREATE_GUILD_EXPRESSIONS"},
    {kCreateEvents, "CREATE_EVENTS"},
    {kUseExternalSounds, "USE_EXTERNAL_SOUNDS"},
    {kSendVoiceMessages, "SEND_VOICE_MESSAGES"},
    {kSetVoiceChannelStatus, "SET_VOICE_CHANNEL_STATUS"},
    {kSendPolls, "SEND_POLLS"},
    {kUseExternalApps, "USE_EXTERNAL_APPS"},
    {kPinMessages, "PIN_MESSAGES"},
    {kBypassSlowmode, "BYPASS_SLOWMODE"},
}};

} // namespace

namespace perm {

// The @everyone role of a server created today in Discord's client (no template, not a
// community server) reads "2248473465835073" in GUILD_CREATE payloads. That is the value below
// plus bit 47, which Discord's docs no longer list (a retired AI-assistant permission) and which
// Hearth doesn't define. It contains MENTION_EVERYONE: Discord grants it to @everyone by default
// (the Community setup is what offers to remove it), so we do too; an owner turns it off like any
// other bit. Not included, as in Discord: SEND_TTS_MESSAGES (dropped from the default years ago),
// every elevated or moderation bit, and the newer PIN_MESSAGES and BYPASS_SLOWMODE, which were
// split out of moderator permissions and stay moderator-only.
Permissions defaultEveryone() noexcept {
  return kCreateInstantInvite | kAddReactions | kStream | kViewChannel | kSendMessages | kEmbedLinks | kAttachFiles |
         kReadMessageHistory | kMentionEveryone | kUseExternalEmojis | kConnect | kSpeak | kUseVad | kChangeNickname |
         kUseApplicationCommands | kRequestToSpeak | kCreatePublicThreads | kCreatePrivateThreads |
         kUseExternalStickers | kSendMessagesInThreads | kUseEmbeddedActivities | kUseSoundboard |
         kCreateGuildExpressions | kCreateEvents | kUseExternalSounds | kSendVoiceMessages | kSetVoiceChannelStatus |
         kSendPolls | kUseExternalApps;
}

Permissions serverOnly() noexcept { return kServerOnlyBits; }

std::span<const std::pair<Permissions, std::string_view>> names() noexcept { return kNames; }

} // namespace perm

std::string permissionsToString(Permissions bits) { return std::to_string(bits); }

bool parsePermissions(std::string_view text, Permissions& out) {
  if (text.empty() || text.size() > 20) return false;
  for (char c : text)
    if (c < '0' || c > '9') return false;
  Permissions value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value, 10);
  if (error != std::errc{} || end != text.data() + text.size()) return false; // overflow
  if ((value & ~kAll) != 0) return false;
  out = value;
  return true;
}

Permissions basePermissions(const PermissionSubject& subject) noexcept {
  const Permissions bits = untimedBase(subject);
  if (bits == kAll) return kAll; // owner or administrator: timeouts don't apply
  return subject.timed_out ? bits & kTimeoutKeeps : bits;
}

Permissions channelPermissions(const PermissionSubject& subject, std::span<const Overwrite> overwrites,
                               ChannelKind kind) noexcept {
  Permissions bits = untimedBase(subject);
  if (bits == kAll) return kAll; // owner or administrator: overwrites and implicit denies don't apply

  // One pass sorts the overwrites into their layers; each layer applies its denies, then its allows.
  Layer everyone;
  Layer roles;
  Layer member;
  for (const Overwrite& overwrite : overwrites) {
    if (overwrite.type == OverwriteType::kRole) {
      if (overwrite.id == subject.guild_id)
        everyone.add(overwrite);
      else if (holdsRole(subject, overwrite.id))
        roles.add(overwrite);
    } else if (overwrite.type == OverwriteType::kMember && overwrite.id == subject.user_id) {
      member.add(overwrite);
    }
  }
  bits = member.applyTo(roles.applyTo(everyone.applyTo(bits)));

  if ((bits & kViewChannel) == 0) return 0;
  // In a thread, sending is SEND_MESSAGES_IN_THREADS' business: a parent that denies
  // SEND_MESSAGES may still allow discussion in its threads, with files and embeds.
  const bool thread = kind == ChannelKind::kPublicThread || kind == ChannelKind::kPrivateThread;
  if ((bits & (thread ? kSendMessagesInThreads : kSendMessages)) == 0) bits &= ~kNeedSendMessages;
  if ((kind == ChannelKind::kVoice || kind == ChannelKind::kStage) && (bits & kConnect) == 0) bits &= ~kNeedConnect;
  if (subject.timed_out) bits &= kTimeoutKeeps;
  return bits;
}

} // namespace hearth::domain
