#pragma once
// Presence across nodes. Each node sums up a user's sessions on it as one NodePresence (the
// best status, a custom status text); the board keeps every node's entry per user and combines
// them into what others see. With one node the board has one entry per user; with several
// (hearthd --redis) every node applies the same entries from the shared stream in the same
// order, so every board agrees (docs/gateway.md, "Several nodes").
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace hearth::gateway {

//! A status's rank when a user's sessions disagree: the most private choice wins (invisible
//! over dnd, so one invisible session hides the user), then the most present (online over
//! idle). 0 is "no session" (offline).
int presenceRank(const std::string& status);

//! One node's summary of a user's sessions there.
struct NodePresence {
  int rank = 0; //!< presenceRank; 0 when the user has no attached session on the node
  std::string custom_status;
  //! A session is connected with afk false (its tab in front, input within 10 minutes): Web
  //! Push holds back. Not part of what others see.
  bool foreground = false;
  bool operator==(const NodePresence&) const = default;
};

//! What Web Push needs of a user's presence across the nodes the board knows.
struct PresenceActivity {
  int rank = 0; //!< the highest presenceRank of any node (3: dnd, 4: invisible)
  bool foreground = false; //!< some node has a session in the foreground
};

//! What others see: status online, idle, dnd or offline, and the activities JSON array.
struct PresenceView {
  std::string status = "offline";
  std::string activities = "[]";
  bool operator==(const PresenceView&) const = default;
};

class PresenceBoard {
public:
  //! Sets `node`'s entry for `user` (rank 0 removes it). Returns the user's new view when it
  //! differs from the view before. Thread-safe.
  std::optional<PresenceView> set(const std::string& node, std::uint64_t user, NodePresence presence);
  //! Forgets every entry of `node` (it went away); returns the users whose view changed, with
  //! their new views. Thread-safe.
  std::vector<std::pair<std::uint64_t, PresenceView>> dropNode(const std::string& node);
  PresenceView view(std::uint64_t user) const;
  //! The user's rank and foreground state, combined over the nodes. Thread-safe.
  PresenceActivity activity(std::uint64_t user) const;
  //! The nodes with at least one entry.
  std::vector<std::string> nodes() const;

private:
  using Entries = std::map<std::string, NodePresence>; // by node, so every board combines alike
  static PresenceView combine(const Entries& entries);

  mutable std::mutex mutex_;
  std::unordered_map<std::uint64_t, Entries> users_;
  std::unordered_map<std::string, std::unordered_set<std::uint64_t>> by_node_;
};

} // namespace hearth::gateway
