#pragma once
// Messages in server text channels over REST (Discord API v10 paths under /api/v1): send, history
// pages, one message, edit, delete, bulk delete. Each change is published on the event bus once
// it is committed (MESSAGE_CREATE, MESSAGE_UPDATE, MESSAGE_DELETE, MESSAGE_DELETE_BULK).
// docs/messages.md describes the rules.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "api/route_support.hpp"
#include "net/router.hpp"

namespace hearth::auth {
class TokenSigner;
}
namespace hearth::domain {
class Accounts;
class EventBus;
class Guilds;
struct Message;
class Messages;
struct Message;
} // namespace hearth::domain
namespace hearth::store {
class PgPool;
}
namespace hearth::files {
class MediaPool;
class Storage;
} // namespace hearth::files

namespace hearth::api {

//! Uploads (docs/files.md).
struct FileLimits {
  std::uint64_t max_bytes = 25ull * 1024 * 1024; //!< per file (--attachment-max-bytes)
  std::uint64_t user_quota_bytes = 1024ull * 1024 * 1024; //!< per user (--user-storage-quota-bytes)
};

struct MessageDeps : ServerRouteDeps {
  domain::Messages* messages = nullptr;
  //! Runs after a message is stored in a DM, before MESSAGE_CREATE is published (dm_routes:
  //! reopens the DM for recipients who closed it).
  std::function<boost::asio::awaitable<void>(std::size_t worker, std::uint64_t channel_id)> after_dm_message;
  //! Runs after a message is stored in a thread, before MESSAGE_CREATE is published
  //! (thread_routes: unarchives it and makes the sender a member).
  std::function<boost::asio::awaitable<void>(std::size_t worker, const ChannelActor& actor)> after_thread_message;
  files::Storage* storage = nullptr; //!< attachments' blobs; null: uploads are refused
  files::MediaPool* media = nullptr;
  FileLimits file_limits;
  //! Runs once a new message is stored and its MESSAGE_CREATE published; must return at once
  //! (Web Push: push::pushForMessage queues its work).
  std::function<void(std::size_t worker, const domain::Message& message, const ChannelActor& actor)> after_created;
};

//! The body limit of the send route: 10 files of the largest size, plus 1 MiB for the rest.
std::size_t sendBodyLimit(const FileLimits& limits);
//! `/api/v1/attachments/{channel_id}/{attachment_id}/{filename}` (filename percent-encoded).
std::string attachmentUrl(std::uint64_t channel_id, std::uint64_t attachment_id, std::string_view filename);

void addMessageRoutes(net::Router& router, MessageDeps deps);

//! Discord's message object. `for_viewer`: an answer to the user the message was loaded for
//! (reactions carry their `me`); false for events to everyone (`me` is false).
std::string messageJson(const domain::Message& message, bool for_viewer = false);
//! An array of message objects for the user they were loaded for.
std::string messagesJson(const std::vector<domain::Message>& messages);

} // namespace hearth::api
