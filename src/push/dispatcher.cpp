#include "push/dispatcher.hpp"

#include <algorithm>
#include <chrono>
#include <set>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <spdlog/spdlog.h>

#include "api/event_delivery.hpp"
#include "domain/guilds.hpp"
#include "domain/messages.hpp"
#include "domain/notification_settings.hpp"
#include "push/decision.hpp"
#include "push/sender.hpp"
#include "push/subscriptions.hpp"
#include "store/pg.hpp"

namespace hearth::push {

namespace asio = boost::asio;

namespace {

using store::idArray;

struct Work {
  std::uint64_t author_id = 0;
  std::uint64_t guild_id = 0;
  std::uint64_t channel_id = 0;
  std::uint64_t parent_channel_id = 0; //!< a thread's channel, or a channel's category
  bool dm = false;
  std::vector<std::uint64_t> mentioned; //!< by name
  std::vector<std::uint64_t> mention_roles;
  bool everyone = false; //!< @everyone
  bool here = false; //!< @here (without @everyone)
  MessagePush push;
};

asio::awaitable<void> dispatch(DispatcherDeps deps, std::size_t worker, Work work) {
  auto& pool = *deps.pools.at(worker);
  std::set<std::uint64_t> mentioned(work.mentioned.begin(), work.mentioned.end());
  std::set<std::uint64_t> by_role; // reached through a role of theirs
  std::set<std::uint64_t> by_everyone; // reached through @everyone or @here
  std::vector<PushCandidate> candidates;
  if (work.dm) {
    store::Params params{std::to_string(work.channel_id)};
    auto found = co_await pool.query("SELECT user_id FROM channel_recipients WHERE channel_id = $1", std::move(params));
    if (!found) {
      spdlog::warn("push: recipients of DM {} unknown: {}", work.channel_id, found.error().message);
      co_return;
    }
    for (int row = 0; row < found->rows(); ++row) {
      PushCandidate candidate;
      candidate.user_id = static_cast<std::uint64_t>(found->integer(row, 0).value_or(0));
      candidate.dm_recipient = true;
      candidate.may_view = true;
      candidate.mentioned = mentioned.contains(candidate.user_id);
      candidates.push_back(candidate);
    }
  } else {
    std::set<std::uint64_t> users = mentioned;
    std::set<std::uint64_t> here_only; // reached by @here alone: only if not offline
    if (!work.mention_roles.empty()) {
      store::Params params{std::to_string(work.guild_id), idArray(work.mention_roles)};
      auto found = co_await pool.query("SELECT DISTINCT user_id FROM member_roles WHERE guild_id = $1 AND role_id = "
                                       "ANY($2::bigint[]) LIMIT 1000",
                                       std::move(params));
      if (found) {
        for (int row = 0; row < found->rows(); ++row) {
          const auto user = static_cast<std::uint64_t>(found->integer(row, 0).value_or(0));
          by_role.insert(user);
          users.insert(user);
        }
      }
    }
    if (work.everyone || work.here) {
      store::Params params{std::to_string(work.guild_id), std::to_string(kMaxEveryonePushes)};
      auto found =
          co_await pool.query("SELECT user_id FROM members WHERE guild_id = $1 LIMIT $2::int", std::move(params));
      if (found) {
        for (int row = 0; row < found->rows(); ++row) {
          const auto user = static_cast<std::uint64_t>(found->integer(row, 0).value_or(0));
          if (!users.contains(user) && !work.everyone) here_only.insert(user);
          by_everyone.insert(user);
          users.insert(user);
        }
      }
    }
    users.erase(work.author_id);
    if (users.empty()) co_return;
    std::vector<std::uint64_t> list(users.begin(), users.end());
    auto viewers = co_await api::viewersAmong(pool, work.guild_id, work.channel_id, std::move(list));
    if (!viewers) {
      spdlog::warn("push: viewers of channel {} unknown: {}", work.channel_id, viewers.error().message);
      co_return;
    }
    for (const auto user : *viewers) {
      PushCandidate candidate;
      candidate.user_id = user;
      candidate.mentioned = true;
      candidate.may_view = true;
      candidates.push_back(candidate);
      if (here_only.contains(user) && deps.activity(user).rank == 0) candidates.back().mentioned = false;
    }
  }
  std::vector<std::uint64_t> wanted;
  for (auto& candidate : candidates) {
    const auto activity = deps.activity(candidate.user_id);
    candidate.presence_rank = activity.rank;
    candidate.foreground = activity.foreground;
    if (!pushWanted(work.author_id, candidate)) continue;
    // The user's notification settings for this channel (level, mutes, suppressions) decide last,
    // as they do for desktop notifications (docs/notifications.md).
    const std::uint64_t user = candidate.user_id;
    auto settings =
        co_await domain::effectiveSettings(pool, user, work.guild_id, work.channel_id, work.parent_channel_id);
    if (!settings) {
      spdlog::warn("push: settings of user {} unknown: {}", user, settings.error().message);
      continue;
    }
    domain::NotifyFacts facts;
    facts.is_dm = work.dm;
    facts.mentions_user = mentioned.contains(user);
    facts.mentions_role_of_user = by_role.contains(user);
    facts.mentions_everyone = by_everyone.contains(user) && candidate.mentioned;
    if (domain::shouldNotify(*settings, facts, std::chrono::system_clock::now())) wanted.push_back(user);
  }
  if (wanted.empty()) co_return;
  auto subscriptions = co_await subscriptionsOf(pool, wanted);
  if (!subscriptions) {
    spdlog::warn("push: subscriptions unknown: {}", subscriptions.error().message);
    co_return;
  }
  const std::string payload = messagePushJson(work.push);
  for (auto& subscription : *subscriptions) {
    PushJob job;
    job.subscription = std::move(subscription);
    job.payload = payload;
    job.urgent = true; // DMs and mentions, the only pushes there are
    deps.sender->enqueue(std::move(job));
  }
}

} // namespace

void pushForMessage(const DispatcherDeps& deps, std::size_t worker, const domain::Message& message,
                    const domain::Channel& channel, const std::string& guild_name) {
  if (deps.sender == nullptr || worker >= deps.executors.size()) return;
  Work work;
  work.author_id = message.author.id;
  work.guild_id = message.guild_id;
  work.channel_id = message.channel_id;
  work.parent_channel_id = channel.parent_id;
  work.dm = message.guild_id == 0;
  for (const auto& user : message.mentions)
    work.mentioned.push_back(user.id);
  work.mention_roles = message.mention_roles;
  if (message.mention_everyone) {
    work.everyone = message.content.find("@everyone") != std::string::npos;
    work.here = !work.everyone;
  }
  // Nobody to tell: a server message that mentions no one.
  if (!work.dm && work.mentioned.empty() && work.mention_roles.empty() && !message.mention_everyone) return;
  const std::string author_name =
      message.author.global_name.empty() ? message.author.username : message.author.global_name;
  work.push.message_id = message.id;
  work.push.channel_id = message.channel_id;
  work.push.guild_id = message.guild_id;
  work.push.author_id = message.author.id;
  work.push.author_username = message.author.username;
  work.push.author_global_name = message.author.global_name;
  work.push.content = message.content;
  if (!work.dm) {
    work.push.title = guild_name + " #" + channel.name;
  } else if (channel.type == domain::ChannelType::kGroupDm) {
    work.push.title = channel.name.empty() ? author_name + " (group)" : channel.name;
  } else {
    work.push.title = author_name;
  }
  asio::co_spawn(deps.executors[worker], dispatch(deps, worker, std::move(work)), asio::detached);
}

} // namespace hearth::push
