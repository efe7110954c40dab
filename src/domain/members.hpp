#pragma once
// Server members, invites and bans: listing and editing members (nick, roles, voice mute/deafen,
// timeouts), kicks, bans, and joining through invites. Every operation takes the actor's
// GuildContext (or loads it) and checks permissions and the role hierarchy here: a member acts
// only on members whose highest role is below their own, the owner ranks above everyone, nobody
// acts on the owner, and nobody kicks, bans or times out themselves. Each change writes its
// audit log entry (Discord's action numbers, through Guilds::audit).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "core/error.hpp"
#include "domain/guilds.hpp"

namespace hearth::core {
class SnowflakeGenerator;
}
namespace hearth::store {
class PgPool;
}

namespace hearth::domain {

//! The public part of a user, as Discord embeds it in members, bans and invites.
struct UserSummary {
  std::uint64_t id = 0;
  std::string username;
  std::string global_name; //!< empty: null
  std::string avatar; //!< empty: null
};

struct Member {
  UserSummary user;
  std::string nick; //!< empty: null
  std::vector<std::uint64_t> roles; //!< not @everyone
  std::string joined_at; //!< ISO 8601
  std::string communication_disabled_until; //!< ISO 8601 while timed out, else empty
  bool mute = false;
  bool deaf = false;
};

//! PATCH /guilds/{id}/members/{user_id}: an unset field stays as it is.
struct MemberInput {
  std::optional<std::string> nick; //!< empty clears it
  std::optional<std::vector<std::uint64_t>> roles; //!< the full new set
  std::optional<bool> mute;
  std::optional<bool> deaf;
  //! ISO 8601 timestamp, at most 28 days ahead; empty lifts the timeout.
  std::optional<std::string> communication_disabled_until;
};

struct Ban {
  UserSummary user;
  std::string reason; //!< empty: null
};

struct InviteChannel {
  std::uint64_t id = 0;
  std::string name;
  int type = 0;
};

struct Invite {
  std::string code;
  Guild guild;
  InviteChannel channel;
  std::optional<UserSummary> inviter; //!< unset once the inviter's account is gone
  int max_age = 86400; //!< seconds; 0 never expires
  int max_uses = 0; //!< 0 unlimited
  int uses = 0;
  std::string created_at; //!< ISO 8601
  std::string expires_at; //!< ISO 8601; empty when it never expires
  std::optional<std::size_t> member_count; //!< with_counts only
};

struct InviteInput {
  int max_age = 86400; //!< 0-604800
  int max_uses = 0; //!< 0-100
  bool unique = false; //!< false: reuse a similar live invite of the same inviter and channel
};

//! The outcome of POST /invites/{code}.
struct Joined {
  GuildContext context; //!< the joined server, seen by the new member
  Member member;
  bool already_member = false; //!< nothing changed
};

//! Audit log reasons come from the X-Audit-Log-Reason header; empty means none.
class Members {
public:
  static constexpr int kMaxListLimit = 1000;
  static constexpr int kMaxNickLength = 32;
  static constexpr int kMaxTimeoutDays = 28;
  static constexpr int kMaxInviteAge = 604800; //!< 7 days
  static constexpr int kMaxInviteUses = 100;
  static constexpr int kMaxDeleteMessageSeconds = 604800;

  Members(core::SnowflakeGenerator& ids, Guilds& guilds) : ids_(ids), guilds_(guilds) {}

  //! Members ordered by user id, after `after`; limit 1-1000 (checked by the caller).
  boost::asio::awaitable<core::Result<std::vector<Member>>> list(store::PgPool& pool, const GuildContext& context,
                                                                 int limit, std::uint64_t after);
  //! Members whose username, display name or nickname starts with `query` (case-insensitive),
  //! by username; limit 1-1000.
  boost::asio::awaitable<core::Result<std::vector<Member>>> search(store::PgPool& pool, std::uint64_t guild_id,
                                                                   std::string query, int limit);
  //! Those of `user_ids` who are members, in no particular order.
  boost::asio::awaitable<core::Result<std::vector<Member>>> some(store::PgPool& pool, std::uint64_t guild_id,
                                                                 const std::vector<std::uint64_t>& user_ids);
  //! kUnknownMember when the user isn't a member.
  boost::asio::awaitable<core::Result<Member>> get(store::PgPool& pool, std::uint64_t guild_id, std::uint64_t user_id);

  //! Applies `input` to a member (the actor themselves for PATCH .../members/@me). Returns the
  //! member as it now is; writes MEMBER_UPDATE (24) and MEMBER_ROLE_UPDATE (25) entries.
  boost::asio::awaitable<core::Result<Member>> modify(store::PgPool& pool, const GuildContext& context,
                                                      std::uint64_t user_id, MemberInput input, std::string reason);
  //! PUT/DELETE /guilds/{id}/members/{user_id}/roles/{role_id}; nullopt when nothing changed.
  boost::asio::awaitable<core::Result<std::optional<Member>>> setRole(store::PgPool& pool, const GuildContext& context,
                                                                      std::uint64_t user_id, std::uint64_t role_id,
                                                                      bool add, std::string reason);

  //! KICK_MEMBERS; returns who was removed.
  boost::asio::awaitable<core::Result<UserSummary>> kick(store::PgPool& pool, const GuildContext& context,
                                                         std::uint64_t user_id, std::string reason);
  //! BAN_MEMBERS; removes the membership too. Works on non-members (not on unknown users).
  //! `delete_message_seconds` (0-604800) is recorded in the audit entry (key
  //! "delete_message_seconds"); deleting the banned user's messages comes with messages. `was_member` tells the caller
  //! whether to announce a removal.
  struct Banned {
    UserSummary user;
    bool was_member = false;
    std::size_t deleted_messages = 0; //!< their messages of the last delete_message_seconds
  };
  boost::asio::awaitable<core::Result<Banned>> ban(store::PgPool& pool, const GuildContext& context,
                                                   std::uint64_t user_id, int delete_message_seconds,
                                                   std::string reason);
  boost::asio::awaitable<core::Result<UserSummary>> unban(store::PgPool& pool, const GuildContext& context,
                                                          std::uint64_t user_id, std::string reason);
  //! BAN_MEMBERS; ordered by user id, `before` and `after` as Discord (0: unset).
  boost::asio::awaitable<core::Result<std::vector<Ban>>> bans(store::PgPool& pool, const GuildContext& context,
                                                              int limit, std::uint64_t before, std::uint64_t after);
  boost::asio::awaitable<core::Result<Ban>> getBan(store::PgPool& pool, const GuildContext& context,
                                                   std::uint64_t user_id);

  //! CREATE_INSTANT_INVITE (and VIEW_CHANNEL) in `channel`. `created` is false when a similar
  //! live invite was reused (no audit entry, nothing to announce).
  struct Created {
    Invite invite;
    bool created = true;
  };
  boost::asio::awaitable<core::Result<Created>> createInvite(store::PgPool& pool, const GuildContext& context,
                                                             const Channel& channel, InviteInput input,
                                                             std::string reason);
  //! Live invites of a channel (MANAGE_CHANNELS there) or of the server (MANAGE_GUILD).
  boost::asio::awaitable<core::Result<std::vector<Invite>>>
  channelInvites(store::PgPool& pool, const GuildContext& context, const Channel& channel);
  boost::asio::awaitable<core::Result<std::vector<Invite>>> guildInvites(store::PgPool& pool,
                                                                         const GuildContext& context);
  //! Anyone with the code: a live invite, or kUnknownInvite (also when expired or used up).
  boost::asio::awaitable<core::Result<Invite>> invite(store::PgPool& pool, std::string code, bool with_counts);
  //! MANAGE_CHANNELS in the invite's channel or MANAGE_GUILD; returns the deleted invite.
  boost::asio::awaitable<core::Result<Invite>> deleteInvite(store::PgPool& pool, std::uint64_t actor, std::string code,
                                                            std::string reason);
  //! Joins the invite's server. Order of refusals: unknown/expired/used-up invite (404), banned
  //! (403 kBanned), already a member (success, `already_member`), `may_join` false (403
  //! kMissingAccess: the verified-email hold), 100 servers (kMaxGuilds). The use is counted in the
  //! same transaction as the membership, by an UPDATE that only matches while uses < max_uses.
  boost::asio::awaitable<core::Result<Joined>> join(store::PgPool& pool, std::uint64_t user_id, std::string code,
                                                    bool may_join);

private:
  boost::asio::awaitable<core::Result<std::vector<Invite>>> invitesWhere(store::PgPool& pool, std::string_view where,
                                                                         std::string key);

  core::SnowflakeGenerator& ids_;
  Guilds& guilds_;
};

//! Parses an ISO 8601 timestamp (`YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`) into Unix
//! milliseconds; nullopt if malformed.
std::optional<std::int64_t> parseIsoTimestamp(std::string_view text) noexcept;

} // namespace hearth::domain
