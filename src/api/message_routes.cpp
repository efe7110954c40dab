#include "api/message_routes.hpp"

#include <cctype>
#include <cmath>
#include <limits>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "api/auth_routes.hpp"
#include "api/json_objects.hpp"
#include "api/route_support.hpp"
#include "api/thread_routes.hpp"
#include "core/snowflake.hpp"
#include "domain/accounts.hpp"
#include "domain/events.hpp"
#include "domain/guilds.hpp"
#include "domain/messages.hpp"
#include "domain/threads.hpp"
#include "files/media.hpp"
#include "files/policy.hpp"
#include "files/storage.hpp"
#include "net/json_body.hpp"
#include "net/multipart.hpp"
#include "net/rate_limiter.hpp"
#include "store/pg.hpp"

namespace hearth::api {

namespace asio = boost::asio;
namespace json = boost::json;
using net::Method;
using net::Request;
using net::Response;

namespace {

// Content of up to 4000 characters of up to 4 bytes, plus the rest of the body.
constexpr std::size_t kMessageBodyLimit = 64 * 1024;
constexpr int kTypeDefault = 0;
constexpr int kTypeReply = 19;

// `for_viewer`: the answer to the user the message was loaded for (reactions carry their `me`);
// otherwise an event for everyone (`me` false).
json::object messageObject(const domain::Message& message, bool for_viewer, bool with_reference = true) {
  json::object out;
  out["id"] = core::snowflakeToString(message.id);
  out["type"] = message.reference_id != 0 ? kTypeReply : kTypeDefault;
  out["channel_id"] = core::snowflakeToString(message.channel_id);
  if (message.guild_id != 0) out["guild_id"] = core::snowflakeToString(message.guild_id); // none in DMs
  out["author"] = publicUserObject(message.author);
  out["content"] = message.content;
  out["timestamp"] = message.timestamp;
  out["edited_timestamp"] = orNull(message.edited_timestamp);
  out["tts"] = false;
  out["mention_everyone"] = message.mention_everyone;
  json::array mentions;
  for (const auto& user : message.mentions)
    mentions.push_back(publicUserObject(user));
  out["mentions"] = std::move(mentions);
  json::array roles;
  for (const auto role : message.mention_roles)
    roles.push_back(json::value(core::snowflakeToString(role)));
  out["mention_roles"] = std::move(roles);
  json::array attachments;
  for (const auto& attachment : message.attachments) {
    json::object item;
    item["id"] = core::snowflakeToString(attachment.id);
    item["filename"] = attachment.filename;
    item["size"] = attachment.size;
    item["content_type"] = attachment.content_type;
    std::string url = attachmentUrl(message.channel_id, attachment.id, attachment.filename);
    item["proxy_url"] = url + "?preview=1";
    item["url"] = std::move(url);
    if (attachment.width > 0) {
      item["width"] = attachment.width;
      item["height"] = attachment.height;
    }
    if (!attachment.description.empty()) item["description"] = attachment.description;
    attachments.push_back(std::move(item));
  }
  out["attachments"] = std::move(attachments);
  out["embeds"] = json::array();
  out["pinned"] = message.pinned;
  out["flags"] = message.thread ? domain::kMessageFlagHasThread : 0;
  if (message.thread) out["thread"] = json::parse(threadJson(*message.thread));
  if (!message.reactions.empty()) {
    json::array reactions;
    for (const auto& reaction : message.reactions) {
      json::object item;
      item["count"] = reaction.count;
      item["count_details"] = json::object{{"burst", 0}, {"normal", reaction.count}};
      item["me"] = for_viewer && reaction.me;
      item["me_burst"] = false;
      item["burst_colors"] = json::array();
      item["emoji"] = json::object{{"id", nullptr}, {"name", reaction.emoji}};
      reactions.push_back(std::move(item));
    }
    out["reactions"] = std::move(reactions);
  }
  if (message.reference_id != 0) {
    json::object reference;
    reference["type"] = 0;
    reference["message_id"] = core::snowflakeToString(message.reference_id);
    reference["channel_id"] = core::snowflakeToString(message.channel_id);
    if (message.guild_id != 0) reference["guild_id"] = core::snowflakeToString(message.guild_id);
    out["message_reference"] = std::move(reference);
    if (with_reference) {
      out["referenced_message"] = message.referenced
                                      ? json::value(messageObject(*message.referenced, for_viewer, false))
                                      : json::value(nullptr);
    }
  }
  return out;
}

// A snowflake given as a JSON string or a non-negative integer.
std::optional<std::uint64_t> snowflakeValue(const json::value& value) {
  if (value.is_string()) return core::parseSnowflake(value.get_string());
  if (value.is_uint64()) return value.get_uint64();
  if (value.is_int64() && value.get_int64() > 0) return static_cast<std::uint64_t>(value.get_int64());
  return std::nullopt;
}

// {content}: a string, required unless `optional` (a message with files, an edit).
std::optional<std::string> contentOf(const json::object& body, std::vector<core::FieldError>& errors,
                                     bool optional = false) {
  const auto* content = body.if_contains("content");
  if (content == nullptr || content->is_null()) {
    if (!optional) errors.push_back({"content", "BASE_TYPE_REQUIRED", "This field is required"});
    return std::nullopt;
  }
  if (!content->is_string()) {
    errors.push_back({"content", "BASE_TYPE_STRING", "Must be a string"});
    return std::nullopt;
  }
  return std::string(content->get_string());
}

struct ParsedSend {
  domain::SendInput input;
  json::value nonce; //!< echoed as sent (string or integer); null when absent
};

// The send's JSON body (or a multipart upload's payload_json); `files`: how many files came with it.
core::Result<ParsedSend> parseSendObject(const json::object* body, const Request& request, std::size_t files) {
  std::vector<core::FieldError> errors;
  ParsedSend parsed;
  if (auto content = contentOf(*body, errors, files > 0)) parsed.input.content = std::move(*content);
  if (const auto* nonce = body->if_contains("nonce"); nonce != nullptr && !nonce->is_null()) {
    if (nonce->is_string()) {
      parsed.input.nonce = std::string(nonce->get_string());
    } else if (nonce->is_int64()) {
      parsed.input.nonce = std::to_string(nonce->get_int64());
    } else if (nonce->is_uint64()) {
      parsed.input.nonce = std::to_string(nonce->get_uint64());
    } else {
      errors.push_back({"nonce", "BASE_TYPE_NONCE", "Must be a string or an integer"});
    }
    if (parsed.input.nonce) parsed.nonce = *nonce;
  }
  if (const auto* enforce = body->if_contains("enforce_nonce"); enforce != nullptr && !enforce->is_null()) {
    if (enforce->is_bool()) {
      parsed.input.enforce_nonce = enforce->get_bool();
    } else {
      errors.push_back({"enforce_nonce", "BASE_TYPE_BOOLEAN", "Must be a boolean"});
    }
  }
  if (const auto* reference = body->if_contains("message_reference"); reference != nullptr && !reference->is_null()) {
    const auto* object = reference->if_object();
    const auto* message_id = object == nullptr ? nullptr : object->if_contains("message_id");
    const auto parsed_id = message_id == nullptr ? std::nullopt : snowflakeValue(*message_id);
    if (!parsed_id) {
      errors.push_back({"message_reference", "MESSAGE_REFERENCE_INVALID", "message_id must be a message id"});
    } else {
      parsed.input.reference_id = *parsed_id;
      // Replies stay in their channel in this version.
      if (const auto* channel = object->if_contains("channel_id"); channel != nullptr && !channel->is_null()) {
        const auto channel_id = snowflakeValue(*channel);
        if (!channel_id || core::snowflakeToString(*channel_id) != request.param("channel_id")) {
          errors.push_back({"message_reference", "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "Unknown message"});
        }
      }
    }
  }
  if (!errors.empty()) return std::unexpected(core::invalidFormBody(std::move(errors)));
  return parsed;
}

core::Result<ParsedSend> parseSend(const Request& request) {
  auto body = net::parseJsonBody(request);
  if (!body) return std::unexpected(body.error());
  return parseSendObject(&*body, request, 0);
}

std::unexpected<core::Error> formError(std::string field, std::string code, std::string message) {
  return std::unexpected(
      core::invalidFormBody({core::FieldError{std::move(field), std::move(code), std::move(message)}}));
}

// `files[7]` → 7; nullopt for other names.
std::optional<std::size_t> fileIndex(std::string_view name) {
  if (!name.starts_with("files[") || !name.ends_with("]")) return std::nullopt;
  const std::string_view digits = name.substr(6, name.size() - 7);
  if (digits.empty() || digits.size() > 2 || digits.find_first_not_of("0123456789") != std::string_view::npos) {
    return std::nullopt;
  }
  return std::stoul(std::string(digits));
}

// A multipart send split into its payload and files (docs/files.md): at most
// Messages::kMaxAttachments files, each within the size limit.
struct UploadParts {
  json::object payload;
  struct File {
    std::size_t index = 0; //!< n of files[n]: the id its `attachments` entry uses
    std::string filename; //!< as sent, sanitised later
    std::string_view data;
  };
  std::vector<File> files;
};

core::Result<UploadParts> splitUpload(const Request& request, const FileLimits& limits) {
  const auto boundary = net::multipartBoundary(request.headers.get("Content-Type"));
  if (!boundary) return core::fail(core::ErrorCode::kMalformedRequest, "Malformed multipart body: no boundary");
  net::MultipartLimits part_limits;
  part_limits.max_parts = domain::Messages::kMaxAttachments + 12; // room for payload_json and the error below
  auto parts = net::parseMultipart(*boundary, request.body, part_limits);
  if (!parts) {
    if (parts.error().message.ends_with("too many parts")) {
      return formError("files", "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.");
    }
    return std::unexpected(parts.error());
  }
  UploadParts upload;
  bool has_payload = false;
  std::vector<bool> seen(100, false);
  for (const auto& part : *parts) {
    if (part.name == "payload_json") {
      if (has_payload) return formError("payload_json", "DUPLICATE", "payload_json was given twice.");
      auto payload = net::parseJson(part.data);
      if (!payload) return std::unexpected(payload.error());
      if (!payload->is_object()) return formError("payload_json", "DICT_TYPE_CONVERT", "Must be a JSON object.");
      upload.payload = std::move(payload->as_object());
      has_payload = true;
      continue;
    }
    const auto index = fileIndex(part.name);
    if (!index) continue; // Discord ignores parts it does not know
    if (seen[*index]) return formError("files", "DUPLICATE", "files[" + std::to_string(*index) + "] was given twice.");
    seen[*index] = true;
    upload.files.push_back({*index, part.filename.value_or(""), part.data});
  }
  if (upload.files.size() > domain::Messages::kMaxAttachments) {
    return formError("files", "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.");
  }
  for (const auto& file : upload.files) {
    if (file.data.size() > limits.max_bytes) {
      return core::fail(core::ErrorCode::kRequestTooLarge, "Request entity too large");
    }
  }
  return upload;
}

// The `attachments` entry of payload_json for file `index` ({id, filename?, description?}).
const json::object* attachmentEntry(const json::object& payload, std::size_t index) {
  const auto* list = payload.if_contains("attachments");
  const auto* array = list == nullptr ? nullptr : list->if_array();
  if (array == nullptr) return nullptr;
  for (const auto& item : *array) {
    const auto* object = item.if_object();
    const auto* entry_id = object == nullptr ? nullptr : object->if_contains("id");
    if (entry_id == nullptr) continue;
    const bool matches = (entry_id->is_string() && entry_id->get_string() == std::to_string(index)) ||
                         (entry_id->is_int64() && entry_id->get_int64() == static_cast<std::int64_t>(index)) ||
                         (entry_id->is_uint64() && entry_id->get_uint64() == index);
    if (matches) return object;
  }
  return nullptr;
}

std::string stringMember(const json::object* object, std::string_view name) {
  if (object == nullptr) return {};
  const auto* value = object->if_contains(name);
  return value != nullptr && value->is_string() ? std::string(value->get_string()) : std::string();
}

// ?before|after|around=&limit= (1-100, default 50); at most one of the three.
core::Result<domain::HistoryQuery> parseHistory(const Request& request) {
  domain::HistoryQuery query;
  std::vector<core::FieldError> errors;
  int anchors = 0;
  const auto anchor = [&](const char* name, std::uint64_t& into) {
    const std::string text = request.queryParam(name);
    if (text.empty()) return;
    ++anchors;
    if (auto parsed = core::parseSnowflake(text)) {
      into = *parsed;
    } else {
      errors.push_back({name, "NUMBER_TYPE_COERCE", "Value is not snowflake."});
    }
  };
  anchor("before", query.before);
  anchor("after", query.after);
  anchor("around", query.around);
  if (anchors > 1) errors.push_back({"around", "ANCHOR_EXCLUSIVE", "Use only one of before, after and around."});
  query.limit = limitParam(request, query.limit, 100, errors).value_or(query.limit);
  if (!errors.empty()) return std::unexpected(core::invalidFormBody(std::move(errors)));
  return query;
}

std::optional<std::uint64_t> messageIdOf(const Request& request) {
  return core::parseSnowflake(request.param("message_id"));
}

} // namespace

std::size_t sendBodyLimit(const FileLimits& limits) {
  return static_cast<std::size_t>(limits.max_bytes * domain::Messages::kMaxAttachments + 1024 * 1024);
}

std::string attachmentUrl(std::uint64_t channel_id, std::uint64_t attachment_id, std::string_view filename) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string url =
      "/api/v1/attachments/" + core::snowflakeToString(channel_id) + "/" + core::snowflakeToString(attachment_id) + "/";
  for (const char c : filename) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      url += c;
    } else {
      url += '%';
      url += kHex[byte >> 4];
      url += kHex[byte & 15];
    }
  }
  return url;
}

std::string messageJson(const domain::Message& message, bool for_viewer) {
  return json::serialize(messageObject(message, for_viewer));
}

std::string messagesJson(const std::vector<domain::Message>& messages) {
  json::array out;
  for (const auto& message : messages)
    out.push_back(messageObject(message, true));
  return json::serialize(out);
}

void addMessageRoutes(net::Router& router, MessageDeps deps) {
  router.add(
      Method::kPost, "/api/v1/channels/{channel_id}/messages",
      [deps](Request& request) -> asio::awaitable<Response> {
        const bool multipart =
            net::parseHeaderParams(request.headers.get("Content-Type")).value_or(net::HeaderParams{}).value ==
            "multipart/form-data";
        core::Result<ParsedSend> parsed = core::fail(core::ErrorCode::kGeneral, "");
        if (!multipart) parsed = parseSend(request);
        // A JSON send may start from the sender's kept access (checked again by its insert); any
        // failure of a send that did is retried from a fresh read, so what it answers is exact.
        const auto cached = !multipart && parsed ? domain::CachedAccess::kUse : domain::CachedAccess::kRead;
        auto actor = co_await actorInChannel(deps, request, domain::LastMessage::kSkip, cached);
        if (!actor) co_return net::errorResponse(actor.error());
        auto& pool = *deps.pools.at(request.worker);
        if (!multipart) {
          if (!parsed) co_return net::errorResponse(parsed.error());
        } else {
          if (deps.storage == nullptr || deps.media == nullptr) {
            co_return net::errorResponse(core::ErrorCode::kUnsupportedMediaType, "File uploads are not enabled");
          }
          auto upload = splitUpload(request, deps.file_limits);
          if (!upload) co_return net::errorResponse(upload.error());
          parsed = parseSendObject(&upload->payload, request, upload->files.size());
          if (!parsed) co_return net::errorResponse(parsed.error());
          if (!upload->files.empty()) {
            // Checked before any file is decoded or stored; Messages::send checks it again.
            if ((actor->context.in(actor->channel) & domain::perm::kAttachFiles) == 0) {
              co_return net::errorResponse(core::ErrorCode::kMissingPermissions, "Missing Permissions");
            }
            auto used = co_await domain::Messages::storageUsed(pool, actor->claims.user_id);
            if (!used) co_return net::errorResponse(used.error());
            std::uint64_t adding = 0;
            for (const auto& file : upload->files)
              adding += file.data.size();
            if (*used + adding > deps.file_limits.user_quota_bytes) {
              co_return net::errorResponse(core::ErrorCode::kRequestTooLarge,
                                           "Request entity too large: your storage quota is full");
            }
          }
          for (const auto& file : upload->files) {
            std::string field = "files[" + std::to_string(file.index) + "]";
            auto stored = co_await deps.media->ingest(file.data, std::move(field), *deps.storage);
            if (!stored) co_return net::errorResponse(stored.error());
            const json::object* entry = attachmentEntry(upload->payload, file.index);
            std::string name = stringMember(entry, "filename");
            domain::NewAttachment attachment;
            attachment.filename = files::sanitizeFilename(name.empty() ? file.filename : name);
            attachment.description = stringMember(entry, "description");
            attachment.content_type = std::move(stored->content_type);
            attachment.size = stored->size;
            attachment.sha256 = std::move(stored->hash);
            attachment.preview_sha256 = std::move(stored->preview_hash);
            attachment.preview_type = std::move(stored->preview_type);
            attachment.width = stored->width;
            attachment.height = stored->height;
            parsed->input.attachments.push_back(std::move(attachment));
          }
        }
        domain::Slowmode slowmode;
        core::Result<domain::Sent> sent = core::fail(core::ErrorCode::kStaleRead, "not sent yet");
        if (actor->guard) {
          sent =
              co_await deps.messages->send(pool, actor->context, actor->channel, parsed->input, slowmode, actor->guard);
          if (!sent) {
            domain::forgetSendAccess(actor->channel.id, actor->claims.user_id);
            actor = co_await actorInChannel(deps, request, domain::LastMessage::kSkip);
            if (!actor) co_return net::errorResponse(actor.error());
          }
        }
        if (!sent) {
          sent = co_await deps.messages->send(pool, actor->context, actor->channel, parsed->input, slowmode);
        }
        if (!sent) {
          if (sent.error().code == core::ErrorCode::kRateLimited) {
            net::RateDecision decision;
            decision.allowed = false;
            decision.limit = 1;
            decision.remaining = 0;
            decision.reset_after = slowmode.retry_after;
            const auto now = std::chrono::system_clock::now().time_since_epoch();
            decision.reset_at = std::chrono::duration_cast<std::chrono::seconds>(now).count() +
                                static_cast<std::int64_t>(std::ceil(slowmode.retry_after));
            const std::string bucket = "slowmode:" + core::snowflakeToString(actor->channel.id);
            co_return net::rateLimitedResponse(decision, bucket);
          }
          co_return net::errorResponse(sent.error());
        }
        json::object answer = messageObject(sent->message, false); // new: no reactions yet
        if (!parsed->nonce.is_null()) answer["nonce"] = parsed->nonce;
        std::string text = json::serialize(answer);
        if (sent->created) {
          if (actor->channel.guild_id == 0 && deps.after_dm_message) {
            co_await deps.after_dm_message(request.worker, actor->channel.id);
          }
          if (domain::isThread(actor->channel.type) && deps.after_thread_message) {
            co_await deps.after_thread_message(request.worker, *actor);
          }
        }
        // Answered only once the event is stored for every node. With several nodes an
        // enforce_nonce repeat publishes it again: the first attempt's node may have died between
        // its commit and its event (clients keep one message per id). On one node that cannot
        // be, and a repeat announces nothing.
        if (sent->created || (deps.events != nullptr && deps.events->hasTransport())) {
          std::string event_type = "MESSAGE_CREATE";
          std::string event_data = text;
          co_await publishStored(deps, std::move(event_type), sent->message.guild_id, std::move(event_data),
                                 sent->message.channel_id);
        }
        if (sent->created && deps.after_created) deps.after_created(request.worker, sent->message, *actor);
        co_return net::jsonResponse(200, std::move(text));
      },
      sendBodyLimit(deps.file_limits));

  router.add(Method::kGet, "/api/v1/channels/{channel_id}/messages",
             [deps](Request& request) -> asio::awaitable<Response> {
               auto actor = co_await actorInChannel(deps, request);
               if (!actor) co_return net::errorResponse(actor.error());
               auto query = parseHistory(request);
               if (!query) co_return net::errorResponse(query.error());
               auto& pool = *deps.pools.at(request.worker);
               auto page = co_await deps.messages->history(pool, actor->context, actor->channel, *query);
               if (!page) co_return net::errorResponse(page.error());
               co_return net::jsonResponse(200, messagesJson(*page));
             });

  router.add(Method::kGet, "/api/v1/channels/{channel_id}/messages/{message_id}",
             [deps](Request& request) -> asio::awaitable<Response> {
               auto actor = co_await actorInChannel(deps, request);
               if (!actor) co_return net::errorResponse(actor.error());
               const auto message_id = messageIdOf(request);
               if (!message_id) co_return net::errorResponse(core::ErrorCode::kUnknownMessage, "Unknown Message");
               auto& pool = *deps.pools.at(request.worker);
               auto message = co_await deps.messages->get(pool, actor->context, actor->channel, *message_id);
               if (!message) co_return net::errorResponse(message.error());
               co_return net::jsonResponse(200, messageJson(*message, true));
             });

  router.add(
      Method::kPatch, "/api/v1/channels/{channel_id}/messages/{message_id}",
      [deps](Request& request) -> asio::awaitable<Response> {
        auto actor = co_await actorInChannel(deps, request);
        if (!actor) co_return net::errorResponse(actor.error());
        const auto message_id = messageIdOf(request);
        if (!message_id) co_return net::errorResponse(core::ErrorCode::kUnknownMessage, "Unknown Message");
        auto body = net::parseJsonBody(request);
        if (!body) co_return net::errorResponse(body.error());
        std::vector<core::FieldError> errors;
        // Discord's `attachments`: the attachments to keep ({id} objects); absent keeps them all.
        std::optional<std::vector<std::uint64_t>> keep;
        if (const auto* list = body->if_contains("attachments"); list != nullptr && !list->is_null()) {
          keep.emplace();
          const auto* array = list->if_array();
          if (array == nullptr) errors.push_back({"attachments", "BASE_TYPE_ARRAY", "Must be an array"});
          for (const auto& item : array == nullptr ? json::array() : *array) {
            const auto* object = item.if_object();
            const auto* kept_id = object == nullptr ? nullptr : object->if_contains("id");
            const auto parsed_id = kept_id == nullptr ? std::nullopt : snowflakeValue(*kept_id);
            if (!parsed_id) {
              errors.push_back({"attachments", "ATTACHMENT_INVALID", "Each attachment must have an id"});
              break;
            }
            keep->push_back(*parsed_id);
          }
        }
        auto content = contentOf(*body, errors, keep.has_value());
        if (!errors.empty()) co_return net::errorResponse(core::invalidFormBody(std::move(errors)));
        auto& pool = *deps.pools.at(request.worker);
        auto message = co_await deps.messages->edit(pool, actor->context, actor->channel, *message_id,
                                                    std::move(content), std::move(keep));
        if (!message) co_return net::errorResponse(message.error());
        publish(deps, "MESSAGE_UPDATE", message->guild_id, messageJson(*message, false), message->channel_id);
        co_return net::jsonResponse(200, messageJson(*message, true));
      },
      kMessageBodyLimit);

  router.add(Method::kDelete, "/api/v1/channels/{channel_id}/messages/{message_id}",
             [deps](Request& request) -> asio::awaitable<Response> {
               auto actor = co_await actorInChannel(deps, request);
               if (!actor) co_return net::errorResponse(actor.error());
               const auto message_id = messageIdOf(request);
               if (!message_id) co_return net::errorResponse(core::ErrorCode::kUnknownMessage, "Unknown Message");
               auto& pool = *deps.pools.at(request.worker);
               auto removed = co_await deps.messages->remove(pool, actor->context, actor->channel, *message_id);
               if (!removed) co_return net::errorResponse(removed.error());
               json::object data;
               data["id"] = core::snowflakeToString(*message_id);
               data["channel_id"] = core::snowflakeToString(actor->channel.id);
               if (actor->channel.guild_id != 0) data["guild_id"] = core::snowflakeToString(actor->channel.guild_id);
               publish(deps, "MESSAGE_DELETE", actor->channel.guild_id, json::serialize(data), actor->channel.id);
               co_return noContent();
             });

  router.add(
      Method::kPost, "/api/v1/channels/{channel_id}/messages/bulk-delete",
      [deps](Request& request) -> asio::awaitable<Response> {
        auto actor = co_await actorInChannel(deps, request);
        if (!actor) co_return net::errorResponse(actor.error());
        auto body = net::parseJsonBody(request);
        if (!body) co_return net::errorResponse(body.error());
        std::vector<std::uint64_t> ids;
        const auto* list = body->if_contains("messages");
        const auto* array = list == nullptr ? nullptr : list->if_array();
        bool valid = array != nullptr;
        if (valid) {
          for (const auto& item : *array) {
            const auto parsed = snowflakeValue(item);
            if (!parsed) {
              valid = false;
              break;
            }
            ids.push_back(*parsed);
          }
        }
        if (!valid) {
          std::vector<core::FieldError> errors{{"messages", "BASE_TYPE_REQUIRED", "Must be an array of message ids"}};
          co_return net::errorResponse(core::invalidFormBody(std::move(errors)));
        }
        auto& pool = *deps.pools.at(request.worker);
        auto deleted = co_await deps.messages->bulkRemove(pool, actor->context, actor->channel, std::move(ids));
        if (!deleted) co_return net::errorResponse(deleted.error());
        if (!deleted->empty()) {
          json::object data;
          json::array deleted_ids;
          for (const auto message_id : *deleted)
            deleted_ids.push_back(json::value(core::snowflakeToString(message_id)));
          data["ids"] = std::move(deleted_ids);
          data["channel_id"] = core::snowflakeToString(actor->channel.id);
          if (actor->channel.guild_id != 0) data["guild_id"] = core::snowflakeToString(actor->channel.guild_id);
          publish(deps, "MESSAGE_DELETE_BULK", actor->channel.guild_id, json::serialize(data), actor->channel.id);
        }
        co_return noContent();
      });
}

} // namespace hearth::api
