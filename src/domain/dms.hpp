#pragma once
// Direct messages (type 1, one per pair of users) and group DMs (type 3, up to 10 people with a
// name, an icon and an owner): channels without a server, seen only by their recipients
// (docs/dms.md). Inside one, a recipient acts through a stand-in server context (dmContext), so
// the message functions work unchanged: guild 0, no owner, and @everyone holding the DM set.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "core/error.hpp"
#include "domain/guilds.hpp"
#include "domain/members.hpp"
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

//! What every recipient may do in a DM or group DM; no one moderates another's messages.
inline constexpr Permissions kDmPermissions = perm::kViewChannel | perm::kSendMessages | perm::kReadMessageHistory |
                                              perm::kAddReactions | perm::kEmbedLinks | perm::kAttachFiles |
                                              perm::kUseExternalEmojis;

//! The stand-in server context of a DM recipient: guild 0, owner 0, @everyone (id 0) =
//! kDmPermissions, without SEND_MESSAGES (hence without embeds and files) when `may_send` is false.
GuildContext dmContext(std::uint64_t user_id, bool may_send);

//! Whether a user is a recipient of a channel, and may send there: not in a 1:1 DM where either
//! side blocks the other or the other account is deleted. Read with one statement, pipelined by
//! Guilds::visibleChannel with its own.
struct DmAccess {
  bool recipient = false;
  bool may_send = false;
};
store::Statement dmAccessStatement(std::uint64_t channel_id, std::uint64_t user_id);
DmAccess dmAccessFrom(const store::PgResult& rows);

struct DmChannel {
  std::uint64_t id = 0;
  ChannelType type = ChannelType::kDm;
  std::string name; //!< groups only; empty: none
  std::string icon; //!< groups only; image hash, empty: none
  std::uint64_t owner_id = 0; //!< groups only
  std::uint64_t last_message_id = 0; //!< 0: no message yet
  //! Everyone in it, the viewer included (the JSON leaves the viewer out), in the order they
  //! joined.
  std::vector<UserSummary> recipients;

  bool isGroup() const noexcept { return type == ChannelType::kGroupDm; }
  bool has(std::uint64_t user_id) const noexcept;
};

//! POST /users/@me/channels with a recipient: the pair's channel.
struct OpenedDm {
  DmChannel channel;
  bool shown = false; //!< it was not in the caller's list before (created or reopened)
};

//! A change of a group's membership, for its events.
struct GroupChange {
  DmChannel before;
  DmChannel after; //!< no recipients when the last one left (the group is gone)
  UserSummary user; //!< who was added, removed or left
  bool changed = true; //!< false: nothing to do (already a recipient)
  bool owner_changed = false;
  bool deleted = false;
};

struct GroupInput {
  std::optional<std::string> name; //!< empty clears it
  std::optional<std::string> icon_hash; //!< empty clears it
};

class Dms {
public:
  static constexpr std::size_t kMaxGroupRecipients = 10; //!< the owner included
  static constexpr std::size_t kMaxGroupName = 100; //!< characters

  explicit Dms(core::SnowflakeGenerator& ids) : ids_(ids) {}

  //! Opens the DM with `recipient_id`: the same channel every time for a pair. A new one needs
  //! the two to be friends or share a server; any one, that neither blocks the other. Errors:
  //! kCannotMessageUser (also for an unknown account, so existence isn't revealed), a field
  //! error for oneself. The recipient sees it once a message arrives.
  boost::asio::awaitable<core::Result<OpenedDm>> open(store::PgPool& pool, std::uint64_t user_id,
                                                      std::uint64_t recipient_id);
  //! A group of the owner and 1-9 of their friends. Errors: field errors for the list,
  //! kCannotMessageUser when one isn't a friend.
  boost::asio::awaitable<core::Result<DmChannel>> createGroup(store::PgPool& pool, std::uint64_t owner_id,
                                                              std::vector<std::uint64_t> recipient_ids);
  //! The user's open DMs and groups, most recent activity (last message, else creation) first.
  boost::asio::awaitable<core::Result<std::vector<DmChannel>>> openChannels(store::PgPool& pool, std::uint64_t user_id);
  //! One DM or group (kUnknownChannel when there is none; access is the caller's business).
  boost::asio::awaitable<core::Result<DmChannel>> get(store::PgPool& pool, std::uint64_t channel_id);
  //! Renames a group or changes its icon (any recipient); kCannotExecuteOnDm for a 1:1 DM.
  //! Returns the group before and after.
  boost::asio::awaitable<core::Result<std::pair<DmChannel, DmChannel>>>
  updateGroup(store::PgPool& pool, std::uint64_t channel_id, std::uint64_t user_id, GroupInput input);
  //! A recipient adds one of their friends. Errors: kCannotExecuteOnDm (1:1 DM),
  //! kCannotMessageUser (not a friend), kMaxRecipients.
  boost::asio::awaitable<core::Result<GroupChange>> addRecipient(store::PgPool& pool, std::uint64_t channel_id,
                                                                 std::uint64_t actor_id, std::uint64_t user_id);
  //! The owner removes a recipient, or a recipient leaves (user_id = actor_id). Leaving passes
  //! ownership to the longest-standing recipient; the last one out deletes the group.
  boost::asio::awaitable<core::Result<GroupChange>> removeRecipient(store::PgPool& pool, std::uint64_t channel_id,
                                                                    std::uint64_t actor_id, std::uint64_t user_id);
  //! DELETE /channels/{id}: closes a DM for the user (it reopens with the next message), leaves
  //! a group.
  boost::asio::awaitable<core::Result<GroupChange>> close(store::PgPool& pool, std::uint64_t channel_id,
                                                          std::uint64_t user_id);
  //! Reopens a DM for recipients who closed it; returns who.
  boost::asio::awaitable<core::Result<std::vector<std::uint64_t>>> reopen(store::PgPool& pool,
                                                                          std::uint64_t channel_id);

private:
  boost::asio::awaitable<core::Result<std::vector<DmChannel>>> load(store::PgPool& pool, std::string where,
                                                                    std::vector<std::optional<std::string>> params);

  core::SnowflakeGenerator& ids_;
};

} // namespace hearth::domain
