#pragma once
// Friends and blocks between users (docs/dms.md). Each user has at most one row per other user:
// friend, blocked, incoming request or outgoing request. Friendships and requests exist in pairs
// (friend/friend, outgoing/incoming); a block is one-sided and drops whatever else was between
// the two. A refusal because the other user blocks the actor looks exactly like any other
// refusal (kFriendRequestRefused), so a block stays private.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "core/error.hpp"
#include "domain/members.hpp"

namespace hearth::store {
class PgPool;
}

namespace hearth::domain {

//! Discord's relationship types (user-account API).
enum class RelationshipType : int { kFriend = 1, kBlocked = 2, kIncoming = 3, kOutgoing = 4 };

struct Relationship {
  UserSummary user; //!< the other user
  RelationshipType type = RelationshipType::kFriend;
  std::string since; //!< ISO 8601: when this row got its type
};

//! The rows between two users, each as its owner sees it (nullopt: no row).
struct RelationshipPair {
  std::optional<RelationshipType> mine;
  std::optional<RelationshipType> theirs;
  bool operator==(const RelationshipPair&) const = default;
};

enum class RelationshipAction {
  kRequest, //!< send a friend request, or accept the incoming one
  kBlock,
  kRemove, //!< unfriend, cancel, decline or unblock
};

//! The rows after the actor (`mine`) acts. Pure. A request to someone who blocks the actor fails
//! with kFriendRequestRefused; a request replaces the actor's own block; blocking or removing
//! never touches the other side's block.
core::Result<RelationshipPair> applyRelationship(RelationshipPair before, RelationshipAction action);

//! One user's list changed: RELATIONSHIP_ADD (the row as it is now) or RELATIONSHIP_REMOVE
//! (user.id and the type it had).
struct RelationshipEvent {
  std::uint64_t to = 0; //!< whose list
  bool added = false;
  Relationship relationship;
};

class Relationships {
public:
  static constexpr std::int64_t kMaxFriends = 1000;

  //! The user's friends, blocks and requests, oldest first (deleted accounts left out).
  boost::asio::awaitable<core::Result<std::vector<Relationship>>> list(store::PgPool& pool, std::uint64_t user_id);
  //! A friend request by username (case-insensitive). Errors: kNoSuchUsername, kCannotFriendSelf,
  //! and those of change().
  boost::asio::awaitable<core::Result<std::vector<RelationshipEvent>>>
  requestByUsername(store::PgPool& pool, std::uint64_t user_id, std::string username);
  //! Applies the action to the pair atomically (concurrent changes to one pair are serialized)
  //! and returns the events for each side whose row changed (none when nothing did). Errors:
  //! kUnknownUser (no such account, for requests and blocks), kCannotFriendSelf, kMaxFriends
  //! (the actor), kFriendRequestRefused (blocked by them, or they are at the friend limit).
  boost::asio::awaitable<core::Result<std::vector<RelationshipEvent>>>
  change(store::PgPool& pool, std::uint64_t user_id, std::uint64_t other_id, RelationshipAction action);
};

} // namespace hearth::domain
