#pragma once
// Servers (guilds): the server itself, its channels with permission overwrites, and its roles.
// Every operation takes the acting user and checks permissions and the role hierarchy here, so
// no route can forget a check. A resource the actor may not see fails exactly like a missing
// one (kUnknownGuild / kUnknownChannel / kUnknownRole), never with 403.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "core/error.hpp"
#include "domain/permissions.hpp"

namespace hearth::core {
class SnowflakeGenerator;
}
namespace hearth::store {
class PgPool;
class PgResult;
struct Statement;
} // namespace hearth::store

namespace hearth::domain {

struct Guild {
  std::uint64_t id = 0;
  std::string name;
  std::string icon; //!< hash, empty for none
  std::string description;
  std::uint64_t owner_id = 0;
  std::string created_at;
  int default_message_notifications = 0; //!< 0: all messages, 1: only mentions (members who set nothing)
};

struct Role {
  std::uint64_t id = 0;
  std::uint64_t guild_id = 0;
  std::string name;
  int color = 0;
  bool hoist = false;
  bool mentionable = false;
  Permissions permissions = 0;
  int position = 0; //!< @everyone is 0; higher ranks above
};

//! kDm and kGroupDm have no server (guild_id 0): see domain/dms.hpp. Threads: domain/threads.hpp.
enum class ChannelType : int {
  kText = 0,
  kDm = 1,
  kVoice = 2,
  kGroupDm = 3,
  kCategory = 4,
  kPublicThread = 11,
  kPrivateThread = 12
};

inline bool isThread(ChannelType type) noexcept {
  return type == ChannelType::kPublicThread || type == ChannelType::kPrivateThread;
}

//! What a thread has besides a channel's fields (domain/threads.hpp), as read now: `archived`
//! is also true once the thread has been inactive for auto_archive_duration.
struct ThreadState {
  std::uint64_t owner_id = 0;
  bool archived = false;
  int auto_archive_duration = 1440; //!< minutes
  std::string archive_timestamp; //!< ISO 8601: the last archive change (or the auto-archive time)
  bool locked = false;
  bool invitable = true;
  std::string create_timestamp;
  std::uint64_t last_message_id = 0;
  int message_count = 0;
  int member_count = 0;
  //! Private threads: the members who count for GuildContext::in (all of them when one thread
  //! is looked up; only the viewer, if a member, in lists).
  std::vector<std::uint64_t> members;
};

struct Channel {
  std::uint64_t id = 0;
  std::uint64_t guild_id = 0;
  ChannelType type = ChannelType::kText;
  std::string name;
  std::string topic;
  int position = 0;
  std::uint64_t parent_id = 0; //!< a category, or 0
  int rate_limit_per_user = 0; //!< slowmode seconds (0-21600)
  int bitrate = 0; //!< voice: bits per second
  int user_limit = 0; //!< voice: 0 = unlimited
  bool nsfw = false;
  //! A thread's are its parent's (it has none of its own), so in() gives the parent's permissions.
  std::vector<Overwrite> overwrites;
  std::uint64_t last_message_id = 0; //!< the newest message sent in it, or 0
  std::string last_pin_timestamp; //!< ISO 8601 time of its newest pin, or empty
  std::optional<ThreadState> thread; //!< set for threads only
};

//! The acting user's standing in one server, loaded once per request.
struct GuildContext {
  Guild guild;
  std::vector<Role> roles; //!< all of the server's roles, @everyone included
  bool is_member = false;
  std::vector<std::uint64_t> member_roles; //!< the actor's roles (not @everyone)
  bool timed_out = false;
  std::uint64_t user_id = 0;

  PermissionSubject subject() const;
  Permissions base() const;
  //! In a thread: the parent's permissions with the thread's rules (domain::threadPermissions).
  Permissions in(const Channel& channel) const;
  bool isOwner() const noexcept { return user_id == guild.owner_id; }
  //! The actor's highest role position (the owner ranks above every role).
  int highestPosition() const;
  const Role* role(std::uint64_t role_id) const;
  //! The highest role position of another member with these roles.
  int highestPositionOf(const std::vector<std::uint64_t>& role_ids) const;
};

//! One of a user's servers with everything a client needs at connect time.
struct GuildSnapshot {
  GuildContext context;
  std::vector<Channel> channels; //!< all of them but threads; filter with context.in()
  std::size_t member_count = 0;
};

//! Field changes for the audit log: [{key, old_value, new_value}] as JSON text.
struct Change {
  std::string key;
  std::string old_json; //!< JSON value, or empty when absent
  std::string new_json;
};

struct GuildInput {
  std::optional<std::string> name;
  std::optional<std::string> icon_bytes; //!< image bytes; empty removes
  std::optional<std::string> description;
  std::optional<std::uint64_t> owner_id; //!< transfer (owner only)
  std::optional<int> default_message_notifications; //!< 0 or 1
};

struct ChannelInput {
  std::optional<std::string> name;
  std::optional<int> type;
  std::optional<std::string> topic;
  std::optional<int> position;
  std::optional<std::uint64_t> parent_id; //!< 0 clears
  std::optional<int> rate_limit_per_user;
  std::optional<int> bitrate;
  std::optional<int> user_limit;
  std::optional<bool> nsfw;
  std::optional<std::vector<Overwrite>> overwrites;
  bool sync_with_parent = false; //!< copy the category's overwrites (lock permissions)
};

struct RoleInput {
  std::optional<std::string> name;
  std::optional<int> color;
  std::optional<bool> hoist;
  std::optional<bool> mentionable;
  std::optional<Permissions> permissions;
};

//! What an operation changed, for the caller to publish (event name + the new state).
template <typename T> struct Changed {
  T value;
  std::vector<Change> changes;
};

class Guilds {
public:
  static constexpr std::size_t kMaxGuildsPerUser = 100;
  static constexpr std::size_t kMaxChannels = 500;
  static constexpr std::size_t kMaxRoles = 250;

  explicit Guilds(core::SnowflakeGenerator& ids) : ids_(ids) {}

  //! The actor's view of a server; kUnknownGuild if it doesn't exist or they aren't a member.
  boost::asio::awaitable<core::Result<GuildContext>> context(store::PgPool& pool, std::uint64_t guild_id,
                                                             std::uint64_t user_id);
  //! A channel the actor can see (VIEW_CHANNEL), with the context of its server. For a DM or
  //! group DM: only its recipients see it, with the stand-in context of domain::dmContext. A
  //! thread comes with its state and its parent's overwrites (private: members or MANAGE_THREADS).
  boost::asio::awaitable<core::Result<std::pair<GuildContext, Channel>>>
  visibleChannel(store::PgPool& pool, std::uint64_t channel_id, std::uint64_t user_id);

  //! Creates a server owned by the actor with @everyone, #general, a Text Channels and a Voice
  //! Channels category and a General voice channel.
  boost::asio::awaitable<core::Result<Guild>> create(store::PgPool& pool, std::uint64_t owner_id, std::string name,
                                                     std::string icon_hash);
  boost::asio::awaitable<core::Result<Changed<Guild>>> update(store::PgPool& pool, const GuildContext& context,
                                                              GuildInput input, std::string icon_hash);
  //! Owner only.
  boost::asio::awaitable<core::Result<void>> remove(store::PgPool& pool, const GuildContext& context);
  //! The owner can't leave (transfer or delete first).
  boost::asio::awaitable<core::Result<void>> leave(store::PgPool& pool, const GuildContext& context);
  //! Every server the user is in, with roles, channels and member counts, in one round trip
  //! whatever their number (READY, the server list).
  boost::asio::awaitable<core::Result<std::vector<GuildSnapshot>>> snapshotsOf(store::PgPool& pool,
                                                                               std::uint64_t user_id);
  boost::asio::awaitable<core::Result<std::size_t>> memberCount(store::PgPool& pool, std::uint64_t guild_id);

  //! All channels of the server but its threads (visibility is filtered by the caller with
  //! context.in()).
  boost::asio::awaitable<core::Result<std::vector<Channel>>> channels(store::PgPool& pool, std::uint64_t guild_id);
  boost::asio::awaitable<core::Result<Channel>> createChannel(store::PgPool& pool, const GuildContext& context,
                                                              ChannelInput input);
  boost::asio::awaitable<core::Result<Changed<Channel>>> updateChannel(store::PgPool& pool, const GuildContext& context,
                                                                       const Channel& channel, ChannelInput input);
  boost::asio::awaitable<core::Result<void>> deleteChannel(store::PgPool& pool, const GuildContext& context,
                                                           const Channel& channel);
  //! Sets one overwrite (MANAGE_ROLES in the channel; only bits the actor has, unless admin).
  boost::asio::awaitable<core::Result<Channel>> putOverwrite(store::PgPool& pool, const GuildContext& context,
                                                             const Channel& channel, Overwrite overwrite);
  boost::asio::awaitable<core::Result<Channel>> deleteOverwrite(store::PgPool& pool, const GuildContext& context,
                                                                const Channel& channel, std::uint64_t target_id);
  //! Reorders (and re-parents) channels: [{id, position, parent_id?}].
  boost::asio::awaitable<core::Result<std::vector<Channel>>> reorderChannels(store::PgPool& pool,
                                                                             const GuildContext& context,
                                                                             std::vector<ChannelInput> moves,
                                                                             std::vector<std::uint64_t> ids);

  boost::asio::awaitable<core::Result<Role>> createRole(store::PgPool& pool, const GuildContext& context,
                                                        RoleInput input);
  boost::asio::awaitable<core::Result<Changed<Role>>> updateRole(store::PgPool& pool, const GuildContext& context,
                                                                 std::uint64_t role_id, RoleInput input);
  boost::asio::awaitable<core::Result<void>> deleteRole(store::PgPool& pool, const GuildContext& context,
                                                        std::uint64_t role_id);
  //! Moves roles to new positions: pairs of (role id, position). Only roles below the actor's
  //! highest, and only to positions below it.
  boost::asio::awaitable<core::Result<std::vector<Role>>>
  reorderRoles(store::PgPool& pool, const GuildContext& context, std::vector<std::pair<std::uint64_t, int>> moves);

  //! Writes one audit log entry (actions use Discord's numbers); `options_json` is the entry's
  //! `options` object (serialized JSON), or empty for none.
  boost::asio::awaitable<core::Result<void>> audit(store::PgPool& pool, std::uint64_t guild_id, std::uint64_t actor,
                                                   std::uint64_t target, int action, std::string reason,
                                                   const std::vector<Change>& changes, std::string options_json = {});

private:
  core::SnowflakeGenerator& ids_;
};

//! Discord's audit log action types used by Hearth.
namespace audit {
inline constexpr int kGuildUpdate = 1;
inline constexpr int kChannelCreate = 10;
inline constexpr int kChannelUpdate = 11;
inline constexpr int kChannelDelete = 12;
inline constexpr int kOverwriteCreate = 13;
inline constexpr int kOverwriteUpdate = 14;
inline constexpr int kOverwriteDelete = 15;
inline constexpr int kMemberKick = 20;
inline constexpr int kMemberBanAdd = 22;
inline constexpr int kMemberBanRemove = 23;
inline constexpr int kMemberUpdate = 24;
inline constexpr int kMemberRoleUpdate = 25;
inline constexpr int kRoleCreate = 30;
inline constexpr int kRoleUpdate = 31;
inline constexpr int kRoleDelete = 32;
inline constexpr int kInviteCreate = 40;
inline constexpr int kInviteDelete = 42;
inline constexpr int kMessagePin = 74;
inline constexpr int kMessageUnpin = 75;
} // namespace audit

//! Whether a channel read finds the channel's newest message (Channel::last_message_id).
enum class LastMessage {
  kRead,
  //! Left 0. For a message's send: the probe of the channel's newest messages steps over every
  //! send still in flight (their index entries are not yet visible), and a send has no use for it.
  kSkip,
};

//! Guilds::visibleChannel as statements, to pipeline with others (api::actorInChannel puts the
//! session check in the same round trip), and its answer from their results, in order.
std::vector<store::Statement> visibleChannelStatements(std::uint64_t channel_id, std::uint64_t user_id,
                                                       LastMessage last_message = LastMessage::kRead);
core::Result<std::pair<GuildContext, Channel>> visibleChannelFrom(std::span<const store::PgResult> results,
                                                                  std::uint64_t user_id);

//! Reads a channel row (the column order of kChannelColumns) and its overwrites.
Channel channelFromRow(const store::PgResult& rows, int row);
extern const char* const kChannelColumns;

} // namespace hearth::domain
