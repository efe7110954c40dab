#pragma once
// Messages in server text channels: sending (mentions, replies, idempotent nonces, slowmode),
// history pages, edits and deletes. Every operation takes the actor's GuildContext and channel
// from Guilds::visibleChannel and checks permissions here; a message the actor can't see fails
// exactly like a missing one (kUnknownMessage). Writes are committed before they return.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "core/error.hpp"
#include "domain/channel_access.hpp"
#include "domain/guilds.hpp"
#include "domain/members.hpp"

namespace hearth::core {
class SnowflakeGenerator;
}
namespace hearth::store {
class PgPool;
class PgResult;
struct Statement;
} // namespace hearth::store

namespace hearth::domain {

//! One emoji's reactions on a message.
struct ReactionCount {
  std::string emoji; //!< a Unicode emoji (domain::isReactionEmoji)
  int count = 0;
  bool me = false; //!< the user the message was loaded for reacted with it
};

//! A file attached to a message (its bytes are in files::Storage by content hash).
struct Attachment {
  std::uint64_t id = 0;
  std::string filename; //!< sanitised; a `SPOILER_` prefix marks a spoiler
  std::string description; //!< empty: none
  std::string content_type; //!< from the bytes
  std::uint64_t size = 0;
  int width = 0; //!< images only; 0 otherwise
  int height = 0;
};

//! An attachment with where its bytes are, for serving.
struct StoredAttachment {
  Attachment attachment;
  std::uint64_t message_id = 0;
  std::string sha256; //!< the file's blob
  std::string preview_sha256; //!< empty: the preview is the file
  std::string preview_type;
};

struct Message {
  std::uint64_t id = 0;
  std::uint64_t channel_id = 0;
  std::uint64_t guild_id = 0;
  UserSummary author;
  std::string content;
  std::string timestamp; //!< ISO 8601
  std::string edited_timestamp; //!< empty: never edited
  bool mention_everyone = false;
  std::vector<UserSummary> mentions;
  std::vector<std::uint64_t> mention_roles;
  bool pinned = false;
  std::uint64_t reference_id = 0; //!< the message replied to, or 0
  //! The message replied to, when it still exists (its own reference is not loaded).
  std::shared_ptr<const Message> referenced;
  std::vector<ReactionCount> reactions; //!< in the order each emoji was first added
  std::vector<Attachment> attachments; //!< in upload order
  //! The thread this message started (same id), when there is one (HAS_THREAD).
  std::shared_ptr<const Channel> thread;
};

//! A file already stored, to attach to a new message.
struct NewAttachment {
  std::string filename; //!< sanitised
  std::string description;
  std::string content_type;
  std::uint64_t size = 0;
  std::string sha256;
  std::string preview_sha256;
  std::string preview_type;
  int width = 0;
  int height = 0;
};

struct SendInput {
  std::string content; //!< may be empty when there are attachments
  std::optional<std::string> nonce; //!< at most 25 characters
  bool enforce_nonce = false;
  std::uint64_t reference_id = 0; //!< message_reference.message_id, or 0
  std::vector<NewAttachment> attachments; //!< at most kMaxAttachments; needs ATTACH_FILES
};

struct Sent {
  Message message;
  bool created = true; //!< false: an enforce_nonce repeat answered with the first message
};

//! A refusal by slowmode: how long until the user may send again.
struct Slowmode {
  double retry_after = 0; //!< seconds
};

//! Which page of history: at most one of before/after/around.
struct HistoryQuery {
  std::uint64_t before = 0;
  std::uint64_t after = 0;
  std::uint64_t around = 0;
  int limit = 50;
};

class Messages {
public:
  static constexpr std::size_t kMaxContent = 4000; //!< characters (code points)
  static constexpr std::size_t kMaxNonce = 25;
  static constexpr int kNonceWindowSeconds = 300; //!< enforce_nonce repeats within 5 minutes
  static constexpr std::size_t kMaxMentions = 100; //!< distinct users/roles considered per message
  static constexpr int kBulkMin = 2;
  static constexpr int kBulkMax = 100;
  static constexpr int kBulkMaxAgeDays = 14;
  static constexpr std::size_t kMaxAttachments = 10;
  static constexpr std::size_t kMaxDescription = 1024; //!< characters

  Messages(core::SnowflakeGenerator& ids, Guilds& guilds) : ids_(ids), guilds_(guilds) {}

  //! Sends in a text channel (VIEW_CHANNEL + SEND_MESSAGES; timed-out members have neither
  //! sending permission). On a slowmode refusal, `slowmode` is filled and the result is an error
  //! with kRateLimited. `guard`: context and channel came from the send cache (readSendAccess with
  //! kUse); only a plain send (no reply, mention, kept nonce, attachment or slowmode claim) may use
  //! them, and its insert checks the guard; otherwise, or when the guard fails, the answer is
  //! kStaleRead, and the caller sends again from a fresh read.
  boost::asio::awaitable<core::Result<Sent>> send(store::PgPool& pool, const GuildContext& context,
                                                  const Channel& channel, const SendInput& input, Slowmode& slowmode,
                                                  std::optional<AccessGuard> guard = std::nullopt);
  //! A page of history, newest first (READ_MESSAGE_HISTORY).
  boost::asio::awaitable<core::Result<std::vector<Message>>> history(store::PgPool& pool, const GuildContext& context,
                                                                     const Channel& channel, HistoryQuery query);
  //! One message (READ_MESSAGE_HISTORY); kUnknownMessage when absent from this channel.
  boost::asio::awaitable<core::Result<Message>> get(store::PgPool& pool, const GuildContext& context,
                                                    const Channel& channel, std::uint64_t message_id);
  //! New content by the author only; re-parses mentions. `keep_attachments`: the ids of the
  //! attachments to keep (Discord's `attachments` in the PATCH body), the others are removed;
  //! nullopt keeps them all. Content may then be empty if attachments remain.
  boost::asio::awaitable<core::Result<Message>>
  edit(store::PgPool& pool, const GuildContext& context, const Channel& channel, std::uint64_t message_id,
       std::optional<std::string> content, std::optional<std::vector<std::uint64_t>> keep_attachments = std::nullopt);
  //! The author, or MANAGE_MESSAGES in the channel.
  boost::asio::awaitable<core::Result<void>> remove(store::PgPool& pool, const GuildContext& context,
                                                    const Channel& channel, std::uint64_t message_id);
  //! MANAGE_MESSAGES; 2-100 distinct ids, none older than 14 days. Ids not in the channel are
  //! ignored. Returns the ids deleted.
  boost::asio::awaitable<core::Result<std::vector<std::uint64_t>>> bulkRemove(store::PgPool& pool,
                                                                              const GuildContext& context,
                                                                              const Channel& channel,
                                                                              std::vector<std::uint64_t> message_ids);

  //! An attachment of a message in `channel` (READ_MESSAGE_HISTORY); kUnknownChannel-like
  //! kNotFound when absent or the message is gone.
  boost::asio::awaitable<core::Result<StoredAttachment>>
  attachment(store::PgPool& pool, const GuildContext& context, const Channel& channel, std::uint64_t attachment_id);
  //! Bytes of attachments `user_id` uploaded that still exist (their storage quota's use).
  static boost::asio::awaitable<core::Result<std::uint64_t>> storageUsed(store::PgPool& pool, std::uint64_t user_id);

  //! The messages with these ids (any channel), in the order given, skipping missing ones, with
  //! `me` on reactions for `viewer`. No permission check: callers decide what may be seen.
  boost::asio::awaitable<core::Result<std::vector<Message>>> byIds(store::PgPool& pool, std::vector<std::uint64_t> ids,
                                                                   std::uint64_t viewer);

private:
  struct Mentions;
  //! The query of who among `user_ids` may be mentioned in the channel; nullopt for none.
  static std::optional<store::Statement> mentionStatement(const GuildContext& context, const Channel& channel,
                                                          const std::vector<std::uint64_t>& user_ids);
  //! The mentions that stand, given mentionStatement's rows (`found`, null when it had none).
  static Mentions mentionsFrom(const GuildContext& context, const Channel& channel,
                               const std::vector<std::uint64_t>& user_ids, bool everyone,
                               const std::vector<std::uint64_t>& role_ids, const store::PgResult* found);
  boost::asio::awaitable<core::Result<Mentions>> parseMentions(store::PgPool& pool, const GuildContext& context,
                                                               const Channel& channel, const std::string& content);
  //! Reads messages (by a WHERE clause on `m`) with authors, mentions, reactions (`me` for
  //! `viewer`) and replied-to messages.
  boost::asio::awaitable<core::Result<std::vector<Message>>> load(store::PgPool& pool, std::string where,
                                                                  std::vector<std::optional<std::string>> params,
                                                                  bool with_references, std::uint64_t viewer);
  boost::asio::awaitable<core::Result<Message>> loadOne(store::PgPool& pool, std::uint64_t channel_id,
                                                        std::uint64_t message_id, std::uint64_t viewer);

  core::SnowflakeGenerator& ids_;
  Guilds& guilds_;
};

} // namespace hearth::domain
