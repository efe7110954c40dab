#pragma once
// The one error vocabulary of Hearth. Every failure that can reach a client is an ErrorCode;
// it maps to an HTTP status here and to a gateway close code in gateway/ (the two places).
#include <cstdint>
#include <expected>
#include <string>
#include <string_view>
#include <vector>

namespace hearth::core {

//! Product-wide error codes. Values follow Discord's JSON error codes where Discord has one;
//! Hearth-only codes live in the 90000 range.
enum class ErrorCode : std::int32_t {
  kGeneral = 0, //!< unclassified failure (500)
  kUnknownChannel = 10003, //!< 404
  kUnknownGuild = 10004, //!< 404
  kUnknownInvite = 10006, //!< 404
  kUnknownMember = 10007, //!< 404
  kUnknownMessage = 10008, //!< 404
  kUnknownRole = 10011, //!< 404
  kUnknownUser = 10013, //!< 404
  kUnknownEmoji = 10014, //!< 400: not a Unicode emoji (reactions)
  kUnknownBan = 10026, //!< 404
  kMaxGuilds = 30001, //!< 400: the user is in 100 servers
  kMaxFriends = 30002, //!< 400: the user has 1000 friends
  kMaxRecipients = 30004, //!< 400: a group DM has 10 recipients
  kMaxPins = 30003, //!< 400: 50 pinned messages in the channel
  kMaxRoles = 30005, //!< 400: 250 roles
  kMaxReactions = 30010, //!< 400: 20 distinct emoji on the message
  kMaxChannels = 30013, //!< 400: 500 channels
  kUnauthorized = 40001, //!< 401: missing or invalid credentials
  kRequestTooLarge = 40005, //!< 413: body above the configured limit
  kBanned = 40007, //!< 403: the user is banned from this server
  kMissingAccess = 50001, //!< 403
  kCannotExecuteOnDm = 50003, //!< 403: a server-only action on a DM, or a group-only one on a 1:1 DM
  kCannotMessageUser = 50007, //!< 403: no DM with this user (not friends, no shared server, a block)
  kMissingPermissions = 50013, //!< 403
  kCannotExecuteOnChannelType = 50024, //!< 400: e.g. a thread under a voice channel or another thread
  kInvalidFormBody = 50035, //!< 400: body parsed but fields are wrong
  kThreadArchived = 50083, //!< 400: the thread must be unarchived first
  kFriendRequestRefused = 80000, //!< 400: the user does not take this request (the reason stays private)
  kCannotFriendSelf = 80003, //!< 400
  kNoSuchUsername = 80004, //!< 400: a friend request by a username nobody has
  kThreadAlreadyCreated = 160004, //!< 400: the message already started a thread
  kMaxActiveThreads = 160006, //!< 400: 1000 active threads in the server
  kNotFound = 90001, //!< 404: no route or static file
  kMethodNotAllowed = 90002, //!< 405
  kMalformedRequest = 90003, //!< 400: request line, headers or framing
  kInvalidJson = 90004, //!< 400: body is not valid JSON
  kUnsupportedMediaType = 90005, //!< 415: wrong Content-Type for the route
  kHeadersTooLarge = 90006, //!< 431
  kRequestTimeout = 90007, //!< 408: client too slow to send its request
  kRateLimited = 90008, //!< 429
  kServiceUnavailable = 90009, //!< 503: dependency (database) unreachable
  kDatabase = 90010, //!< 500: query failed
  kShuttingDown = 90011, //!< 503: server is draining
  kStaleRead = 90012, //!< 500 if ever answered: a send's kept access no longer holds; it is sent again
};

//! One invalid field of a request body, as Discord reports it under `errors`.
struct FieldError {
  std::string field; //!< e.g. "username"
  std::string code; //!< e.g. "USERNAME_TAKEN"
  std::string message; //!< shown under the field
};

//! An expected failure: a code plus a human-readable message safe to show the client, and for
//! kInvalidFormBody the fields at fault.
struct Error {
  ErrorCode code = ErrorCode::kGeneral;
  std::string message;
  std::vector<FieldError> fields = {};
};

template <typename T> using Result = std::expected<T, Error>;

//! Shorthand for `std::unexpected(Error{code, message})`.
inline std::unexpected<Error> fail(ErrorCode code, std::string message) {
  return std::unexpected<Error>(Error{code, std::move(message)});
}

//! kInvalidFormBody with Discord's field errors.
inline Error invalidFormBody(std::vector<FieldError> fields) {
  return Error{ErrorCode::kInvalidFormBody, "Invalid Form Body", std::move(fields)};
}

//! The HTTP status a code is answered with. The only such mapping in the code base.
int httpStatus(ErrorCode code) noexcept;

//! A stable short name for logs and metrics ("invalid_json").
std::string_view errorName(ErrorCode code) noexcept;

} // namespace hearth::core
