#pragma once
// Discord's permission model: the bits (same values as Discord's API v10) and the one pure
// function that computes what a member may do on a server or in a channel. docs/permissions.md
// explains the model with examples; tests/unit/domain/permissions_test.cpp checks the function
// against an independent reference implementation on many random servers.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hearth::domain {

using Permissions = std::uint64_t;

namespace perm {
inline constexpr Permissions kCreateInstantInvite = 1ull << 0;
inline constexpr Permissions kKickMembers = 1ull << 1;
inline constexpr Permissions kBanMembers = 1ull << 2;
inline constexpr Permissions kAdministrator = 1ull << 3;
inline constexpr Permissions kManageChannels = 1ull << 4;
inline constexpr Permissions kManageGuild = 1ull << 5;
inline constexpr Permissions kAddReactions = 1ull << 6;
inline constexpr Permissions kViewAuditLog = 1ull << 7;
inline constexpr Permissions kPrioritySpeaker = 1ull << 8;
inline constexpr Permissions kStream = 1ull << 9;
inline constexpr Permissions kViewChannel = 1ull << 10;
inline constexpr Permissions kSendMessages = 1ull << 11;
inline constexpr Permissions kSendTtsMessages = 1ull << 12;
inline constexpr Permissions kManageMessages = 1ull << 13;
inline constexpr Permissions kEmbedLinks = 1ull << 14;
inline constexpr Permissions kAttachFiles = 1ull << 15;
inline constexpr Permissions kReadMessageHistory = 1ull << 16;
inline constexpr Permissions kMentionEveryone = 1ull << 17;
inline constexpr Permissions kUseExternalEmojis = 1ull << 18;
inline constexpr Permissions kViewGuildInsights = 1ull << 19;
inline constexpr Permissions kConnect = 1ull << 20;
inline constexpr Permissions kSpeak = 1ull << 21;
inline constexpr Permissions kMuteMembers = 1ull << 22;
inline constexpr Permissions kDeafenMembers = 1ull << 23;
inline constexpr Permissions kMoveMembers = 1ull << 24;
inline constexpr Permissions kUseVad = 1ull << 25;
inline constexpr Permissions kChangeNickname = 1ull << 26;
inline constexpr Permissions kManageNicknames = 1ull << 27;
inline constexpr Permissions kManageRoles = 1ull << 28;
inline constexpr Permissions kManageWebhooks = 1ull << 29;
inline constexpr Permissions kManageGuildExpressions = 1ull << 30;
inline constexpr Permissions kUseApplicationCommands = 1ull << 31;
inline constexpr Permissions kRequestToSpeak = 1ull << 32;
inline constexpr Permissions kManageEvents = 1ull << 33;
inline constexpr Permissions kManageThreads = 1ull << 34;
inline constexpr Permissions kCreatePublicThreads = 1ull << 35;
inline constexpr Permissions kCreatePrivateThreads = 1ull << 36;
inline constexpr Permissions kUseExternalStickers = 1ull << 37;
inline constexpr Permissions kSendMessagesInThreads = 1ull << 38;
inline constexpr Permissions kUseEmbeddedActivities = 1ull << 39;
inline constexpr Permissions kModerateMembers = 1ull << 40;
inline constexpr Permissions kViewCreatorMonetizationAnalytics = 1ull << 41;
inline constexpr Permissions kUseSoundboard = 1ull << 42;
inline constexpr Permissions kCreateGuildExpressions = 1ull << 43;
inline constexpr Permissions kCreateEvents = 1ull << 44;
inline constexpr Permissions kUseExternalSounds = 1ull << 45;
inline constexpr Permissions kSendVoiceMessages = 1ull << 46;
inline constexpr Permissions kSetVoiceChannelStatus = 1ull << 48;
inline constexpr Permissions kSendPolls = 1ull << 49;
inline constexpr Permissions kUseExternalApps = 1ull << 50;
inline constexpr Permissions kPinMessages = 1ull << 51;
inline constexpr Permissions kBypassSlowmode = 1ull << 52;

//! Every defined bit (bit 47 is unused).
inline constexpr Permissions kAll = ((1ull << 53) - 1) & ~(1ull << 47);
//! What @everyone gets on a new server (Discord's defaults for a community-less server;
//! permissions.cpp says where the value comes from).
Permissions defaultEveryone() noexcept;
//! Bits that only mean something server-wide (kick, ban, administrator, manage server, ...):
//! channel overwrites may not set them, and channelPermissions ignores them in overwrites.
Permissions serverOnly() noexcept;

//! The name of each bit, in bit order ("CREATE_INSTANT_INVITE", ...), for docs and the client.
std::span<const std::pair<Permissions, std::string_view>> names() noexcept;
} // namespace perm

//! Decimal string form used in JSON ("2048"). parse accepts 1-20 ASCII digits only (no sign,
//! space or hex), returns false on overflow or any bit outside kAll, and leaves `out` untouched
//! when it fails.
std::string permissionsToString(Permissions bits);
bool parsePermissions(std::string_view text, Permissions& out);

enum class OverwriteType : int { kRole = 0, kMember = 1 };

struct Overwrite {
  std::uint64_t id = 0; //!< a role id (the server's id for @everyone) or a user id
  OverwriteType type = OverwriteType::kRole;
  Permissions allow = 0;
  Permissions deny = 0;
};

struct RolePermissions {
  std::uint64_t id = 0;
  Permissions permissions = 0;
};

//! Everything the computation needs about one member of one server.
struct PermissionSubject {
  std::uint64_t guild_id = 0; //!< also the @everyone role's id
  std::uint64_t owner_id = 0;
  std::uint64_t user_id = 0;
  Permissions everyone = 0; //!< the @everyone role's permissions
  std::vector<RolePermissions> roles; //!< the member's other roles
  bool timed_out = false; //!< communication_disabled_until is in the future
};

//! Server-wide permissions: owner → all; base = @everyone | roles; ADMINISTRATOR → all;
//! a timed-out member (not owner or admin) keeps only VIEW_CHANNEL and READ_MESSAGE_HISTORY.
Permissions basePermissions(const PermissionSubject& subject) noexcept;

//! Channel types that matter for implicit denies (Discord's values). A thread's overwrites are its
//! parent's; the thread kinds make SEND_MESSAGES_IN_THREADS play SEND_MESSAGES' part.
enum class ChannelKind : int {
  kText = 0,
  kVoice = 2,
  kCategory = 4,
  kAnnouncement = 5,
  kPublicThread = 11,
  kPrivateThread = 12,
  kStage = 13
};

//! Permissions in one channel, following Discord's documented order: owner and ADMINISTRATOR →
//! all; then the @everyone overwrite (deny, then allow), the member's role overwrites together
//! (all denies, then all allows), the member's own overwrite; then implicit denies: no
//! VIEW_CHANNEL → nothing; no SEND_MESSAGES (in a thread: no SEND_MESSAGES_IN_THREADS) → no
//! MENTION_EVERYONE, SEND_TTS_MESSAGES, ATTACH_FILES, EMBED_LINKS; no CONNECT (voice and stage) → no voice permissions
//! (the list is in permissions.cpp and docs/permissions.md); timed out → only VIEW_CHANNEL and READ_MESSAGE_HISTORY
//! (when they survived the rest).
Permissions channelPermissions(const PermissionSubject& subject, std::span<const Overwrite> overwrites,
                               ChannelKind kind) noexcept;

} // namespace hearth::domain
