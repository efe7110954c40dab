#include "api/event_delivery.hpp"

#include <algorithm>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "domain/events.hpp"
#include "domain/guilds.hpp"
#include "domain/permissions.hpp"
#include "domain/threads.hpp"
#include "store/pg.hpp"

namespace hearth::api {

namespace asio = boost::asio;

namespace {

// Tries of a lookup that finds every database connection taken (each waits for one, then
// pauses up to a second): about two minutes before an event is given up on.
constexpr int kBusyAttempts = 20;

struct Audience {
  std::vector<std::uint64_t> allowed; //!< may see the event
  std::vector<std::uint64_t> lost; //!< saw the channel before this change and no longer do
  int channel_type = 0;
  bool failed = false; //!< the lookup failed (logged): nobody is known to be allowed
  bool busy = false; //!< it failed for want of a database connection: worth trying again
};

std::uint64_t u64(const store::PgResult& rows, int row, int column) {
  return static_cast<std::uint64_t>(rows.integer(row, column).value_or(0));
}

// A lookup that failed: nobody is known to be allowed; `busy` (no database connection free) is
// worth trying again, anything else is logged here.
Audience lookupFailed(const core::Error& error, const domain::Event& event) {
  Audience out;
  out.failed = true;
  out.busy = error.code == core::ErrorCode::kServiceUnavailable;
  if (!out.busy) {
    spdlog::warn("event {} for {} {} not delivered: {}", event.type, event.guild_id == 0 ? "DM" : "server",
                 event.guild_id == 0 ? event.channel_id : event.guild_id, error.message);
  }
  return out;
}

// A server's roles: `SELECT id, permissions FROM roles` rows.
struct ServerRoles {
  domain::Permissions everyone = 0; //!< the @everyone role's (its id is the server's)
  std::unordered_map<std::uint64_t, domain::Permissions> bits;
};
ServerRoles rolesFrom(const store::PgResult& rows, std::uint64_t guild_id) {
  ServerRoles out;
  for (int row = 0; row < rows.rows(); ++row) {
    const auto role = u64(rows, row, 0);
    const auto bits = static_cast<domain::Permissions>(rows.integer(row, 1).value_or(0));
    if (role == guild_id) out.everyone = bits;
    out.bits[role] = bits;
  }
  return out;
}

// `SELECT target_id, type, allow, deny FROM permission_overwrites` rows.
std::vector<domain::Overwrite> overwritesFrom(const store::PgResult& rows) {
  std::vector<domain::Overwrite> out;
  for (int row = 0; row < rows.rows(); ++row) {
    out.push_back(
        {u64(rows, row, 0),
         rows.integer(row, 1).value_or(0) == 1 ? domain::OverwriteType::kMember : domain::OverwriteType::kRole,
         static_cast<domain::Permissions>(rows.integer(row, 2).value_or(0)),
         static_cast<domain::Permissions>(rows.integer(row, 3).value_or(0))});
  }
  return out;
}

// A member as the permission rules see them: the server's owner and roles, and theirs.
domain::PermissionSubject subjectOf(std::uint64_t guild_id, std::uint64_t owner, const ServerRoles& roles,
                                    std::uint64_t user_id, const std::vector<std::uint64_t>& member_roles,
                                    bool timed_out) {
  domain::PermissionSubject subject;
  subject.guild_id = guild_id;
  subject.owner_id = owner;
  subject.user_id = user_id;
  subject.everyone = roles.everyone;
  subject.timed_out = timed_out;
  for (const auto role : member_roles) {
    if (const auto found = roles.bits.find(role); found != roles.bits.end())
      subject.roles.push_back({role, found->second});
  }
  return subject;
}

// Who of `users` may receive `event`.
asio::awaitable<Audience> recipients(store::PgPool& pool, const domain::Event& event,
                                     std::vector<std::uint64_t> users) {
  const std::string user_list = store::idArray(users);
  Audience out;
  if (event.guild_id == 0) {
    // A DM or group DM: its recipients, whatever their servers.
    store::Params params{std::to_string(event.channel_id), user_list};
    auto found = co_await pool.query(
        "SELECT user_id FROM channel_recipients WHERE channel_id = $1 AND user_id = ANY($2::bigint[])",
        std::move(params), store::PgPool::Priority::kUrgent);
    if (!found) co_return lookupFailed(found.error(), event);
    for (int row = 0; row < found->rows(); ++row)
      out.allowed.push_back(u64(*found, row, 0));
    co_return out;
  }
  const std::string guild = std::to_string(event.guild_id);
  std::vector<store::Statement> statements;
  statements.push_back({"SELECT owner_id FROM guilds WHERE id = $1", {guild}});
  statements.push_back({"SELECT id, permissions FROM roles WHERE guild_id = $1", {guild}});
  statements.push_back({"SELECT user_id, coalesce(communication_disabled_until > now(), false) FROM members "
                        "WHERE guild_id = $1 AND user_id = ANY($2::bigint[])",
                        {guild, user_list}});
  statements.push_back({"SELECT user_id, role_id FROM member_roles WHERE guild_id = $1 AND user_id = ANY($2::bigint[])",
                        {guild, user_list}});
  if (event.channel_id != 0) {
    const std::string channel = std::to_string(event.channel_id);
    statements.push_back({"SELECT type FROM channels WHERE id = $1", {channel}});
    // A thread is seen through its parent's overwrites; a private one also takes membership.
    statements.push_back({"SELECT target_id, type, allow, deny FROM permission_overwrites WHERE channel_id = "
                          "coalesce((SELECT thread_parent_id FROM channels WHERE id = $1), $1)",
                          {channel}});
    statements.push_back({"SELECT user_id FROM thread_members WHERE thread_id = $1 AND user_id = ANY($2::bigint[])",
                          {channel, user_list}});
  }
  auto results = co_await pool.pipeline(std::move(statements), store::PgPool::Priority::kUrgent);
  if (!results) co_return lookupFailed(results.error(), event);
  const auto& rows = *results;
  if (rows[0].rows() == 0) co_return out; // the server is gone: only only_users events reach anyone
  const auto owner = u64(rows[0], 0, 0);
  const ServerRoles roles = rolesFrom(rows[1], event.guild_id);
  std::map<std::uint64_t, std::vector<std::uint64_t>> roles_of;
  for (int row = 0; row < rows[3].rows(); ++row)
    roles_of[u64(rows[3], row, 0)].push_back(u64(rows[3], row, 1));
  std::vector<domain::Overwrite> overwrites;
  auto kind = domain::ChannelKind::kText;
  domain::ThreadState thread; // for a thread's events: who counts as its members
  thread.members = event.thread_members;
  if (event.channel_id != 0) {
    if (event.channel_gone) {
      kind = static_cast<domain::ChannelKind>(event.channel_type);
      overwrites = event.channel_overwrites;
    } else {
      if (rows[4].rows() == 0) co_return out; // gone without a snapshot: tell nobody
      kind = static_cast<domain::ChannelKind>(rows[4].integer(0, 0).value_or(0));
      out.channel_type = static_cast<int>(kind);
      for (int row = 0; row < rows[6].rows(); ++row)
        thread.members.push_back(u64(rows[6], row, 0));
      overwrites = overwritesFrom(rows[5]);
    }
  }
  for (int row = 0; row < rows[2].rows(); ++row) {
    const auto user_id = u64(rows[2], row, 0);
    const domain::PermissionSubject subject =
        subjectOf(event.guild_id, owner, roles, user_id, roles_of[user_id], rows[2].text(row, 1) == "t");
    if (event.channel_id != 0) {
      domain::Permissions bits = domain::channelPermissions(subject, overwrites, kind);
      const auto type = static_cast<domain::ChannelType>(kind);
      if (domain::isThread(type)) bits = domain::threadPermissions(bits, type, thread, subject.user_id);
      if ((bits & domain::perm::kViewChannel) == 0) {
        const bool saw_before =
            event.overwrites_changed &&
            (domain::channelPermissions(subject, event.previous_overwrites, kind) & domain::perm::kViewChannel) != 0;
        if (saw_before) out.lost.push_back(subject.user_id);
        continue;
      }
    }
    out.allowed.push_back(subject.user_id);
  }
  co_return out;
}

// What one worker read of a server's permissions, under the server's access version then
// (migration 0014: every change of membership, member roles, role permissions, overwrites,
// channel type or owner bumps it in its own transaction). An event's lookup reads the version
// alone while it stays the same, so a message to a channel of 5,000 connected members costs one
// single-row read instead of reading them all; a change committed anywhere is seen by the next
// event, as before. Only what events needed is read: the members among the users connected here,
// the channels events went to. A server's events always go to the same worker: touched on that
// worker's thread only.
struct GuildAccess {
  std::int64_t version = 0;
  std::uint64_t owner = 0;
  ServerRoles roles;
  //! Users looked up: their roles, or nullopt for one who is not a member.
  std::unordered_map<std::uint64_t, std::optional<std::vector<std::uint64_t>>> members;
  struct Channel {
    bool found = false; //!< false: no such channel
    bool thread = false; //!< a thread's audience is not kept (its membership has no version)
    domain::ChannelKind kind = domain::ChannelKind::kText;
    std::vector<domain::Overwrite> overwrites;
    std::unordered_map<std::uint64_t, bool> sees; //!< VIEW_CHANNEL per member, worked out on demand
  };
  std::unordered_map<std::uint64_t, Channel> channels;
};

struct AccessCache {
  //! Past this many servers the worker starts over (a bound on memory, not an eviction policy).
  static constexpr std::size_t kMaxGuilds = 512;
  std::unordered_map<std::uint64_t, std::shared_ptr<GuildAccess>> guilds;
};

// A timeout keeps VIEW_CHANNEL (domain::basePermissions), so who sees a channel does not depend on
// it, nor on the time: what is kept stays true until the version changes.
bool seesChannel(const GuildAccess& state, std::uint64_t guild_id, std::uint64_t user_id,
                 const std::vector<std::uint64_t>& roles, const GuildAccess::Channel& channel) {
  const auto subject = subjectOf(guild_id, state.owner, state.roles, user_id, roles, false);
  return (domain::channelPermissions(subject, channel.overwrites, channel.kind) & domain::perm::kViewChannel) != 0;
}

// recipients() for a server's event, from what the worker keeps while the server's access version
// stays the same. Events that carry their own view of the channel (gone, overwrites changed, a
// thread's members) and threads' events take recipients().
asio::awaitable<Audience> keptRecipients(store::PgPool& pool, AccessCache& cache, const domain::Event& event,
                                         std::vector<std::uint64_t> users) {
  const std::uint64_t guild_id = event.guild_id;
  const std::uint64_t channel_id = event.channel_id;
  std::shared_ptr<GuildAccess> state;
  if (const auto found = cache.guilds.find(guild_id); found != cache.guilds.end()) state = found->second;
  if (state && channel_id != 0) {
    const auto channel = state->channels.find(channel_id);
    if (channel != state->channels.end() && channel->second.thread)
      co_return co_await recipients(pool, event, std::move(users));
  }
  const std::string guild = std::to_string(guild_id);
  const std::string channel_text = std::to_string(channel_id);
  Audience out;
  for (int round = 0; round < 2; ++round) {
    // Round two reads everything again: the version had changed.
    const bool whole = !state;
    std::vector<std::uint64_t> missing;
    for (const auto user : users) {
      if (whole || !state->members.contains(user)) missing.push_back(user);
    }
    const bool need_channel = channel_id != 0 && (whole || !state->channels.contains(channel_id));
    std::vector<store::Statement> statements;
    statements.push_back({"SELECT access_version, owner_id FROM guilds WHERE id = $1", {guild}});
    std::optional<std::size_t> roles_at, members_at, channel_at;
    if (whole) {
      roles_at = statements.size();
      statements.push_back({"SELECT id, permissions FROM roles WHERE guild_id = $1", {guild}});
    }
    if (!missing.empty()) {
      const std::string list = store::idArray(missing);
      members_at = statements.size();
      statements.push_back(
          {"SELECT user_id FROM members WHERE guild_id = $1 AND user_id = ANY($2::bigint[])", {guild, list}});
      statements.push_back(
          {"SELECT user_id, role_id FROM member_roles WHERE guild_id = $1 AND user_id = ANY($2::bigint[])",
           {guild, list}});
    }
    if (need_channel) {
      channel_at = statements.size();
      statements.push_back({"SELECT type FROM channels WHERE id = $1 AND guild_id = $2", {channel_text, guild}});
      statements.push_back(
          {"SELECT target_id, type, allow, deny FROM permission_overwrites WHERE channel_id = $1", {channel_text}});
    }
    auto results = co_await pool.pipeline(std::move(statements), store::PgPool::Priority::kUrgent);
    if (!results) co_return lookupFailed(results.error(), event);
    const auto& rows = *results;
    if (rows[0].rows() == 0) co_return out; // the server is gone: only only_users events reach anyone
    const std::int64_t version = rows[0].integer(0, 0).value_or(0);
    if (!whole && version != state->version) {
      state.reset();
      continue;
    }
    if (whole) {
      state = std::make_shared<GuildAccess>();
      state->version = version;
      state->owner = u64(rows[0], 0, 1);
      state->roles = rolesFrom(rows[*roles_at], guild_id);
      // Kept unless another lookup meanwhile kept a newer version.
      auto& kept = cache.guilds[guild_id];
      if (!kept || kept->version <= version) kept = state;
      if (cache.guilds.size() > AccessCache::kMaxGuilds) {
        cache.guilds.clear();
        cache.guilds[guild_id] = state;
      }
    }
    // What this lookup read is added even when `state` is no longer the kept one: it is this
    // lookup's own view, read at a version still current when it started.
    if (members_at) {
      for (const auto user : missing)
        state->members[user] = std::nullopt;
      for (int row = 0; row < rows[*members_at].rows(); ++row)
        state->members[u64(rows[*members_at], row, 0)].emplace();
      const store::PgResult& member_roles = rows[*members_at + 1];
      for (int row = 0; row < member_roles.rows(); ++row) {
        auto member = state->members.find(u64(member_roles, row, 0));
        if (member != state->members.end() && member->second) member->second->push_back(u64(member_roles, row, 1));
      }
    }
    if (channel_at) {
      GuildAccess::Channel channel;
      const store::PgResult& found = rows[*channel_at];
      channel.found = found.rows() > 0;
      if (channel.found) {
        const auto type = static_cast<domain::ChannelType>(found.integer(0, 0).value_or(0));
        channel.kind = static_cast<domain::ChannelKind>(type);
        channel.thread = domain::isThread(type);
        channel.overwrites = overwritesFrom(rows[*channel_at + 1]);
      }
      state->channels[channel_id] = std::move(channel);
    }
    break;
  }
  if (channel_id == 0) {
    for (const auto user : users) {
      const auto member = state->members.find(user);
      if (member != state->members.end() && member->second) out.allowed.push_back(user);
    }
    co_return out;
  }
  auto& channel = state->channels[channel_id];
  if (!channel.found) co_return out; // gone without a snapshot: tell nobody
  if (channel.thread) co_return co_await recipients(pool, event, std::move(users));
  out.channel_type = static_cast<int>(channel.kind);
  for (const auto user : users) {
    const auto member = state->members.find(user);
    if (member == state->members.end() || !member->second) continue;
    auto seen = channel.sees.find(user);
    if (seen == channel.sees.end())
      seen = channel.sees.emplace(user, seesChannel(*state, guild_id, user, *member->second, channel)).first;
    if (seen->second) out.allowed.push_back(user);
  }
  co_return out;
}

// Who of `users` may receive `event`: from what the worker keeps where it can.
asio::awaitable<Audience> audienceOf(store::PgPool& pool, AccessCache& cache, const domain::Event& event,
                                     std::vector<std::uint64_t> users) {
  if (event.guild_id == 0 || event.channel_gone || event.overwrites_changed || !event.thread_members.empty())
    co_return co_await recipients(pool, event, std::move(users));
  co_return co_await keptRecipients(pool, cache, event, std::move(users));
}

} // namespace

namespace {

// Events of one server (or DM channel) are delivered in the order they were published: each goes
// to the worker its server hashes to, where its recipients are looked up at once (lookups overlap)
// but sends leave strictly in publish order, from the front of this queue.
struct OrderedDelivery {
  struct Slot {
    std::shared_ptr<const domain::Event> event;
    std::shared_ptr<const std::string> data;
    std::optional<Audience> audience; //!< set when its lookup finished
  };
  std::deque<std::shared_ptr<Slot>> slots; //!< touched only on the worker's thread
  AccessCache access; //!< likewise
};

// To those who just lost sight of a channel, it is as good as deleted; they learn nothing of its
// new state.
std::shared_ptr<const std::string> goneChannel(const domain::Event& event, const Audience& audience) {
  return std::make_shared<const std::string>("{\"id\":\"" + std::to_string(event.channel_id) + "\",\"guild_id\":\"" +
                                             std::to_string(event.guild_id) +
                                             "\",\"type\":" + std::to_string(audience.channel_type) + "}");
}

void sendAudience(const DeliveryTarget& target, const domain::Event& event,
                  const std::shared_ptr<const std::string>& data, const Audience& audience) {
  target.send_to_each(audience.allowed, event.type, data, event.stream_pos);
  if (audience.lost.empty()) return;
  target.send_to_each(audience.lost, "CHANNEL_DELETE", goneChannel(event, audience), event.stream_pos);
}

} // namespace

void DeliveryWatermark::start(std::uint64_t pos) {
  std::lock_guard lock(mutex_);
  last_ = std::max(last_, pos);
}

void DeliveryWatermark::begin(std::uint64_t pos) {
  std::lock_guard lock(mutex_);
  pending_.insert(pos);
  last_ = std::max(last_, pos);
}

void DeliveryWatermark::finish(std::uint64_t pos) {
  std::lock_guard lock(mutex_);
  if (const auto found = pending_.find(pos); found != pending_.end()) pending_.erase(found);
}

std::uint64_t DeliveryWatermark::value() const {
  std::lock_guard lock(mutex_);
  if (pending_.empty()) return last_;
  return std::min(last_, *pending_.begin() - 1);
}

void deliverEvents(domain::EventBus& bus, std::vector<asio::any_io_executor> executors,
                   std::vector<store::PgPool*> pools, DeliveryTarget target, DeliveryWatermark* watermark) {
  std::vector<std::shared_ptr<OrderedDelivery>> queues;
  for (std::size_t worker = 0; worker < executors.size(); ++worker)
    queues.push_back(std::make_shared<OrderedDelivery>());
  bus.subscribe([executors, pools, target, queues, watermark](const domain::Event& published) {
    auto event = std::make_shared<const domain::Event>(published);
    auto data = std::make_shared<const std::string>(event->data);
    const std::uint64_t pos = event->stream_pos;
    if (watermark != nullptr && pos != 0) watermark->begin(pos);
    const auto finished = [watermark, pos] {
      if (watermark != nullptr && pos != 0) watermark->finish(pos);
    };
    if (!event->only_users.empty()) {
      // Sending to a user without a session here does nothing: no need to look first.
      target.send_to_each(event->only_users, event->type, data, pos);
      finished();
      return;
    }
    // Events of neither a server nor a DM channel reach only their only_users.
    if (event->guild_id == 0 && event->channel_id == 0) {
      finished();
      return;
    }
    const std::uint64_t key = event->guild_id != 0 ? event->guild_id : event->channel_id;
    const std::size_t worker = static_cast<std::size_t>(key % executors.size());
    auto slot = std::make_shared<OrderedDelivery::Slot>(OrderedDelivery::Slot{event, data, std::nullopt});
    asio::post(executors[worker],
               [pool = pools[worker], queue = queues[worker], slot, target, executor = executors[worker], watermark] {
                 queue->slots.push_back(slot);
                 asio::co_spawn(
                     executor,
                     [pool, queue, slot, target, watermark]() -> asio::awaitable<void> {
                       // The database busy (every connection taken, or briefly away): the event
                       // waits, and those after it with it, rather than being lost.
                       const auto here = co_await asio::this_coro::executor;
                       asio::steady_timer pause(here);
                       for (int attempt = 1;; ++attempt) {
                         auto users = target.connected_users();
                         if (users.empty()) {
                           slot->audience = Audience{};
                           break;
                         }
                         slot->audience = co_await audienceOf(*pool, queue->access, *slot->event, std::move(users));
                         if (!slot->audience->busy) break;
                         if (attempt == kBusyAttempts) {
                           spdlog::warn("event {} for server {} channel {} not delivered: the database stayed busy",
                                        slot->event->type, slot->event->guild_id, slot->event->channel_id);
                           break;
                         }
                         if (attempt == 1) {
                           spdlog::warn("event delivery waits for a database connection (event {} for server {})",
                                        slot->event->type, slot->event->guild_id);
                         }
                         pause.expires_after(std::chrono::milliseconds(100 * std::min(attempt, 10)));
                         co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
                       }
                       // Send everything ready at the front, in publish order.
                       while (!queue->slots.empty() && queue->slots.front()->audience) {
                         const auto front = queue->slots.front();
                         queue->slots.pop_front();
                         sendAudience(target, *front->event, front->data, *front->audience);
                         if (watermark != nullptr && front->event->stream_pos != 0)
                           watermark->finish(front->event->stream_pos);
                       }
                     },
                     asio::detached);
               });
  });
}

asio::awaitable<core::Result<std::vector<std::uint64_t>>>
viewersAmong(store::PgPool& pool, std::uint64_t guild_id, std::uint64_t channel_id, std::vector<std::uint64_t> users) {
  if (users.empty()) co_return std::vector<std::uint64_t>{};
  domain::Event probe;
  probe.type = "MESSAGE_CREATE";
  probe.guild_id = guild_id;
  probe.channel_id = channel_id;
  Audience audience = co_await recipients(pool, probe, std::move(users));
  if (audience.failed) co_return core::fail(core::ErrorCode::kServiceUnavailable, "cannot tell who sees the channel");
  co_return std::move(audience.allowed);
}

asio::awaitable<core::Result<std::vector<gateway::ReplayEvent>>> replayFor(store::PgPool& pool, std::uint64_t user,
                                                                           std::vector<domain::Event> events) {
  std::vector<gateway::ReplayEvent> out;
  // Every lookup reads today's permissions, so one per server and channel is enough for the
  // events that carry nothing of their own to judge by.
  std::map<std::pair<std::uint64_t, std::uint64_t>, Audience> known;
  for (auto& event : events) {
    auto data = std::make_shared<const std::string>(std::move(event.data));
    if (!event.only_users.empty()) {
      if (std::find(event.only_users.begin(), event.only_users.end(), user) != event.only_users.end())
        out.push_back({event.type, data, event.stream_pos});
      continue;
    }
    if (event.guild_id == 0 && event.channel_id == 0) continue;
    const bool plain = !event.channel_gone && !event.overwrites_changed && event.thread_members.empty();
    const std::pair key{event.guild_id, event.channel_id};
    Audience audience;
    if (const auto found = known.find(key); plain && found != known.end()) {
      audience = found->second;
    } else {
      const std::vector<std::uint64_t> users{user};
      audience = co_await recipients(pool, event, users);
      if (audience.failed)
        co_return core::fail(core::ErrorCode::kServiceUnavailable, "cannot tell who sees the events");
      if (plain) known[key] = audience;
    }
    if (!audience.allowed.empty()) out.push_back({event.type, data, event.stream_pos});
    if (!audience.lost.empty()) out.push_back({"CHANNEL_DELETE", goneChannel(event, audience), event.stream_pos});
  }
  co_return out;
}

} // namespace hearth::api
