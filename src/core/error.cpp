#include "core/error.hpp"

namespace hearth::core {

int httpStatus(ErrorCode code) noexcept {
  switch (code) {
  case ErrorCode::kGeneral: return 500;
  case ErrorCode::kUnknownChannel:
  case ErrorCode::kUnknownGuild:
  case ErrorCode::kUnknownMessage:
  case ErrorCode::kUnknownUser:
  case ErrorCode::kUnknownInvite:
  case ErrorCode::kUnknownMember:
  case ErrorCode::kUnknownRole:
  case ErrorCode::kUnknownBan:
  case ErrorCode::kNotFound: return 404;
  case ErrorCode::kUnknownEmoji:
  case ErrorCode::kMaxGuilds:
  case ErrorCode::kMaxFriends:
  case ErrorCode::kMaxRecipients:
  case ErrorCode::kFriendRequestRefused:
  case ErrorCode::kCannotFriendSelf:
  case ErrorCode::kNoSuchUsername:
  case ErrorCode::kMaxPins:
  case ErrorCode::kMaxReactions:
  case ErrorCode::kMaxRoles:
  case ErrorCode::kMaxChannels:
  case ErrorCode::kCannotExecuteOnChannelType:
  case ErrorCode::kThreadArchived:
  case ErrorCode::kThreadAlreadyCreated:
  case ErrorCode::kMaxActiveThreads: return 400;
  case ErrorCode::kBanned: return 403;
  case ErrorCode::kUnauthorized: return 401;
  case ErrorCode::kRequestTooLarge: return 413;
  case ErrorCode::kMissingAccess:
  case ErrorCode::kCannotMessageUser:
  case ErrorCode::kCannotExecuteOnDm:
  case ErrorCode::kMissingPermissions: return 403;
  case ErrorCode::kInvalidFormBody:
  case ErrorCode::kMalformedRequest:
  case ErrorCode::kInvalidJson: return 400;
  case ErrorCode::kMethodNotAllowed: return 405;
  case ErrorCode::kUnsupportedMediaType: return 415;
  case ErrorCode::kHeadersTooLarge: return 431;
  case ErrorCode::kRequestTimeout: return 408;
  case ErrorCode::kRateLimited: return 429;
  case ErrorCode::kServiceUnavailable:
  case ErrorCode::kShuttingDown: return 503;
  case ErrorCode::kDatabase:
  case ErrorCode::kStaleRead: return 500;
  }
  return 500;
}

std::string_view errorName(ErrorCode code) noexcept {
  switch (code) {
  case ErrorCode::kGeneral: return "general";
  case ErrorCode::kUnknownChannel: return "unknown_channel";
  case ErrorCode::kUnknownGuild: return "unknown_guild";
  case ErrorCode::kUnknownMessage: return "unknown_message";
  case ErrorCode::kUnknownUser: return "unknown_user";
  case ErrorCode::kUnknownEmoji: return "unknown_emoji";
  case ErrorCode::kUnknownInvite: return "unknown_invite";
  case ErrorCode::kUnknownMember: return "unknown_member";
  case ErrorCode::kUnknownRole: return "unknown_role";
  case ErrorCode::kUnknownBan: return "unknown_ban";
  case ErrorCode::kMaxGuilds: return "max_guilds";
  case ErrorCode::kMaxFriends: return "max_friends";
  case ErrorCode::kMaxRecipients: return "max_recipients";
  case ErrorCode::kCannotExecuteOnDm: return "cannot_execute_on_dm";
  case ErrorCode::kCannotMessageUser: return "cannot_message_user";
  case ErrorCode::kFriendRequestRefused: return "friend_request_refused";
  case ErrorCode::kCannotFriendSelf: return "cannot_friend_self";
  case ErrorCode::kNoSuchUsername: return "no_such_username";
  case ErrorCode::kMaxPins: return "max_pins";
  case ErrorCode::kMaxReactions: return "max_reactions";
  case ErrorCode::kMaxRoles: return "max_roles";
  case ErrorCode::kMaxChannels: return "max_channels";
  case ErrorCode::kCannotExecuteOnChannelType: return "cannot_execute_on_channel_type";
  case ErrorCode::kThreadArchived: return "thread_archived";
  case ErrorCode::kThreadAlreadyCreated: return "thread_already_created";
  case ErrorCode::kMaxActiveThreads: return "max_active_threads";
  case ErrorCode::kBanned: return "banned";
  case ErrorCode::kUnauthorized: return "unauthorized";
  case ErrorCode::kRequestTooLarge: return "request_too_large";
  case ErrorCode::kMissingAccess: return "missing_access";
  case ErrorCode::kMissingPermissions: return "missing_permissions";
  case ErrorCode::kInvalidFormBody: return "invalid_form_body";
  case ErrorCode::kNotFound: return "not_found";
  case ErrorCode::kMethodNotAllowed: return "method_not_allowed";
  case ErrorCode::kMalformedRequest: return "malformed_request";
  case ErrorCode::kInvalidJson: return "invalid_json";
  case ErrorCode::kUnsupportedMediaType: return "unsupported_media_type";
  case ErrorCode::kHeadersTooLarge: return "headers_too_large";
  case ErrorCode::kRequestTimeout: return "request_timeout";
  case ErrorCode::kRateLimited: return "rate_limited";
  case ErrorCode::kServiceUnavailable: return "service_unavailable";
  case ErrorCode::kDatabase: return "database";
  case ErrorCode::kShuttingDown: return "shutting_down";
  case ErrorCode::kStaleRead: return "stale_read";
  }
  return "general";
}

} // namespace hearth::core
