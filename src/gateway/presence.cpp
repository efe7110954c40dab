#include "gateway/presence.hpp"

#include "net/http.hpp"

namespace hearth::gateway {

int presenceRank(const std::string& status) {
  if (status == "invisible") return 4;
  if (status == "dnd") return 3;
  if (status == "online") return 2;
  if (status == "idle") return 1;
  return 0;
}

PresenceView PresenceBoard::combine(const Entries& entries) {
  PresenceView out;
  int best = 0;
  std::string custom;
  for (const auto& [node, entry] : entries) {
    best = std::max(best, entry.rank);
    if (custom.empty()) custom = entry.custom_status;
  }
  switch (best) {
  case 3: out.status = "dnd"; break;
  case 2: out.status = "online"; break;
  case 1: out.status = "idle"; break;
  default: return out; // no session, or invisible: offline to others, and no status text
  }
  if (!custom.empty()) {
    out.activities = "[{\"type\":4,\"name\":\"Custom Status\",\"state\":\"" + net::jsonEscape(custom) + "\"}]";
  }
  return out;
}

std::optional<PresenceView> PresenceBoard::set(const std::string& node, std::uint64_t user, NodePresence presence) {
  std::lock_guard lock(mutex_);
  auto found = users_.find(user);
  const PresenceView before = found == users_.end() ? PresenceView{} : combine(found->second);
  if (presence.rank <= 0) {
    if (found == users_.end()) return std::nullopt;
    found->second.erase(node);
    if (auto at = by_node_.find(node); at != by_node_.end()) {
      at->second.erase(user);
      if (at->second.empty()) by_node_.erase(at);
    }
    if (found->second.empty()) {
      users_.erase(found);
      if (before == PresenceView{}) return std::nullopt;
      return PresenceView{};
    }
  } else {
    if (found == users_.end()) found = users_.emplace(user, Entries{}).first;
    found->second[node] = std::move(presence);
    by_node_[node].insert(user);
  }
  PresenceView after = combine(found->second);
  if (after == before) return std::nullopt;
  return after;
}

std::vector<std::pair<std::uint64_t, PresenceView>> PresenceBoard::dropNode(const std::string& node) {
  std::lock_guard lock(mutex_);
  std::vector<std::pair<std::uint64_t, PresenceView>> changed;
  const auto at = by_node_.find(node);
  if (at == by_node_.end()) return changed;
  for (const auto user : at->second) {
    const auto found = users_.find(user);
    if (found == users_.end()) continue;
    const PresenceView before = combine(found->second);
    found->second.erase(node);
    PresenceView after = combine(found->second);
    if (found->second.empty()) users_.erase(found);
    if (after != before) changed.emplace_back(user, std::move(after));
  }
  by_node_.erase(at);
  return changed;
}

PresenceView PresenceBoard::view(std::uint64_t user) const {
  std::lock_guard lock(mutex_);
  const auto found = users_.find(user);
  return found == users_.end() ? PresenceView{} : combine(found->second);
}

PresenceActivity PresenceBoard::activity(std::uint64_t user) const {
  std::lock_guard lock(mutex_);
  PresenceActivity out;
  const auto found = users_.find(user);
  if (found == users_.end()) return out;
  for (const auto& [node, entry] : found->second) {
    out.rank = std::max(out.rank, entry.rank);
    out.foreground = out.foreground || entry.foreground;
  }
  return out;
}

std::vector<std::string> PresenceBoard::nodes() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  out.reserve(by_node_.size());
  for (const auto& [node, users] : by_node_)
    out.push_back(node);
  return out;
}

} // namespace hearth::gateway
