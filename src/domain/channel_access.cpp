#include "domain/channel_access.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "domain/internal.hpp"
#include "store/coalescer.hpp"

namespace hearth::domain {

namespace asio = boost::asio;

using detail::i32;
using detail::id;
using detail::u64;

namespace {

// Columns 0-12 are kChannelColumns' (channelFromRow) with 0 for last_message_id; 25 is the
// request's place in the batch (from 1), 26 the server's access version (read in the same
// snapshot as the rest, so a kept answer is exactly as of that version). One row per request even when the channel
// doesn't exist, so the session's state is always known. Params: arrays of the channels, users and sessions, one
// element per request.
const char* const kSendAccessSql =
    "SELECT c.id, c.guild_id, c.type, c.name, coalesce(c.topic, ''), c.position, coalesce(c.parent_id, 0), "
    "c.rate_limit_per_user, coalesce(c.bitrate, 0), coalesce(c.user_limit, 0), c.nsfw, 0, "
    "coalesce(to_json(c.last_pin_timestamp)#>>'{}', ''), " // 0-12
    "s.live, c.id IS NOT NULL, c.guild_id IS NOT NULL AND c.thread_parent_id IS NULL, " // 13-15
    "g.id IS NOT NULL AND m.user_id IS NOT NULL, g.name, coalesce(g.icon, ''), coalesce(g.description, ''), "
    "g.owner_id, to_json(g.created_at)#>>'{}', coalesce(m.communication_disabled_until > now(), false), " // 16-22
    "coalesce((SELECT string_agg(concat_ws(',', o.target_id, o.type, o.allow, o.deny), ';') "
    "FROM permission_overwrites o WHERE o.channel_id = c.id), ''), " // 23
    "coalesce((SELECT string_agg(r.role_id::text, ',') FROM member_roles r "
    "WHERE r.guild_id = c.guild_id AND r.user_id = q.user_id), ''), " // 24
    "q.place, coalesce(g.access_version, 0) " // 25-26
    "FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) WITH ORDINALITY AS q(channel_id, user_id, session_id, "
    "place) "
    "CROSS JOIN LATERAL (SELECT EXISTS (SELECT 1 FROM auth_sessions WHERE id = q.session_id AND revoked_at IS NULL "
    "AND expires_at > now()) AS live) s "
    "LEFT JOIN channels c ON c.id = q.channel_id LEFT JOIN guilds g ON g.id = c.guild_id "
    "LEFT JOIN members m ON m.guild_id = c.guild_id AND m.user_id = q.user_id";

// The roles of the channels' servers, in Guilds' order per channel; column 7 is the channel.
const char* const kRolesSql = "SELECT r.id, r.name, r.color, r.hoist, r.mentionable, r.permissions, r.position, c.id "
                              "FROM channels c JOIN roles r ON r.guild_id = c.guild_id "
                              "WHERE c.id = ANY($1::bigint[]) ORDER BY c.id, r.position, r.id";

std::int64_t parseInteger(std::string_view text) {
  std::int64_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

// Splits "a<separator>b<separator>c" (nothing for an empty text).
std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    const auto at = text.find(separator);
    out.push_back(text.substr(0, at));
    if (at == std::string_view::npos) break;
    text.remove_prefix(at + 1);
  }
  return out;
}

// "target,type,allow,deny;..." (string_agg of concat_ws).
std::vector<Overwrite> overwritesFromText(std::string_view text) {
  std::vector<Overwrite> out;
  for (const auto item : split(text, ';')) {
    const auto fields = split(item, ',');
    if (fields.size() != 4) continue;
    out.push_back({static_cast<std::uint64_t>(parseInteger(fields[0])),
                   parseInteger(fields[1]) == 1 ? OverwriteType::kMember : OverwriteType::kRole,
                   static_cast<Permissions>(parseInteger(fields[2])),
                   static_cast<Permissions>(parseInteger(fields[3]))});
  }
  return out;
}

// One request's answer: row `row` of the head, and the roles rows of its channel.
// The answer and the server's access version it was read at.
struct ReadAccess {
  SendAccess access;
  std::int64_t access_version = 0;
};

SendAccess sendAccessFrom(const store::PgResult& head, int row, const store::PgResult& roles,
                          std::span<const int> role_rows, std::uint64_t user_id) {
  SendAccess out;
  out.session_active = head.text(row, 13) == "t";
  if (!out.session_active) return out;
  if (head.text(row, 14) != "t") {
    out.found = core::fail(core::ErrorCode::kUnknownChannel, "Unknown Channel");
    return out;
  }
  if (head.text(row, 15) != "t") return out; // a DM or a thread
  Channel channel = channelFromRow(head, row);
  channel.overwrites = overwritesFromText(head.text(row, 23));
  // Not a member: the channel doesn't exist for them.
  if (head.text(row, 16) != "t") {
    out.found = core::fail(core::ErrorCode::kUnknownChannel, "Unknown Channel");
    return out;
  }
  GuildContext context;
  context.user_id = user_id;
  context.guild = {channel.guild_id,
                   std::string(head.text(row, 17)),
                   std::string(head.text(row, 18)),
                   std::string(head.text(row, 19)),
                   u64(head, row, 20),
                   std::string(head.text(row, 21))};
  context.is_member = true;
  context.timed_out = head.text(row, 22) == "t";
  for (const int at : role_rows) {
    context.roles.push_back({u64(roles, at, 0), context.guild.id, std::string(roles.text(at, 1)), i32(roles, at, 2),
                             roles.text(at, 3) == "t", roles.text(at, 4) == "t",
                             static_cast<Permissions>(roles.integer(at, 5).value_or(0)), i32(roles, at, 6)});
  }
  for (const auto role : split(head.text(row, 24), ','))
    context.member_roles.push_back(static_cast<std::uint64_t>(parseInteger(role)));
  if ((context.in(channel)&perm::kViewChannel) == 0) {
    out.found = core::fail(core::ErrorCode::kUnknownChannel, "Unknown Channel");
    return out;
  }
  out.found = std::pair{std::move(context), std::move(channel)};
  return out;
}

// Sends read together at most.
constexpr std::size_t kMaxBatch = 32;

struct AccessRequest {
  std::uint64_t channel_id = 0;
  std::uint64_t user_id = 0;
  std::uint64_t session_id = 0;
};

// One field of every request, as a `bigint[]` parameter.
std::string idArray(const std::vector<AccessRequest>& requests, std::uint64_t AccessRequest::*field) {
  std::vector<std::uint64_t> ids;
  ids.reserve(requests.size());
  for (const auto& request : requests)
    ids.push_back(request.*field);
  return store::idArray(ids);
}

asio::awaitable<std::vector<core::Result<ReadAccess>>> readBatch(std::vector<AccessRequest> requests,
                                                                 store::PgPool* on) {
  store::PgPool& pool = *on;
  std::vector<store::Statement> statements;
  // The generic plan, always: the array parameters make PostgreSQL's estimate of it look worse
  // than a plan for the values at hand, so it would plan both statements again every time (about
  // 0.6 ms of planning against 0.1 ms of execution). The setting lasts for this pipeline's
  // implicit transaction only.
  statements.push_back({"SELECT set_config('plan_cache_mode', 'force_generic_plan', true)", {}});
  statements.push_back({kSendAccessSql,
                        {idArray(requests, &AccessRequest::channel_id), idArray(requests, &AccessRequest::user_id),
                         idArray(requests, &AccessRequest::session_id)}});
  statements.push_back({kRolesSql, {idArray(requests, &AccessRequest::channel_id)}});
  auto results = co_await pool.pipeline(std::move(statements));
  std::vector<core::Result<ReadAccess>> out;
  out.reserve(requests.size());
  if (!results) {
    for (std::size_t index = 0; index < requests.size(); ++index)
      out.push_back(std::unexpected(results.error()));
    co_return out;
  }
  const store::PgResult& head = (*results)[1];
  const store::PgResult& roles = (*results)[2];
  // Each request's head row by its place, each channel's role rows (ordered by channel).
  std::vector<int> head_rows(requests.size(), -1);
  for (int row = 0; row < head.rows(); ++row) {
    const auto place = head.integer(row, 25).value_or(0);
    if (place >= 1 && static_cast<std::size_t>(place) <= requests.size())
      head_rows[static_cast<std::size_t>(place - 1)] = row;
  }
  std::vector<int> role_rows;
  for (std::size_t index = 0; index < requests.size(); ++index) {
    if (head_rows[index] < 0) {
      out.push_back(core::fail(core::ErrorCode::kDatabase, "the send's access read lost a row"));
      continue;
    }
    role_rows.clear();
    for (int row = 0; row < roles.rows(); ++row) {
      if (u64(roles, row, 7) == requests[index].channel_id) role_rows.push_back(row);
    }
    out.push_back(ReadAccess{sendAccessFrom(head, head_rows[index], roles, role_rows, requests[index].user_id),
                             head.integer(head_rows[index], 26).value_or(0)});
  }
  co_return out;
}

// Answers kept for the senders' next sends, by channel and user (process-wide).
class KeptAccess {
public:
  struct Kept {
    std::pair<GuildContext, Channel> found;
    std::int64_t access_version = 0;
    std::chrono::steady_clock::time_point read_at;
  };

  std::shared_ptr<const Kept> find(std::uint64_t channel_id, std::uint64_t user_id) {
    std::lock_guard lock(mutex_);
    const auto found = kept_.find({channel_id, user_id});
    if (found == kept_.end()) return nullptr;
    if (std::chrono::steady_clock::now() - found->second->read_at > kLifetime) {
      kept_.erase(found);
      return nullptr;
    }
    return found->second;
  }

  void keep(std::uint64_t channel_id, std::uint64_t user_id, std::shared_ptr<const Kept> kept) {
    std::lock_guard lock(mutex_);
    if (kept_.size() >= kMaxKept && !kept_.contains({channel_id, user_id})) {
      // Full: the expired go; if none has, everything does (a burst of new senders).
      const auto now = std::chrono::steady_clock::now();
      std::erase_if(kept_, [&](const auto& entry) { return now - entry.second->read_at > kLifetime; });
      if (kept_.size() >= kMaxKept) kept_.clear();
    }
    kept_[{channel_id, user_id}] = std::move(kept);
  }

  void forget(std::uint64_t channel_id, std::uint64_t user_id) {
    std::lock_guard lock(mutex_);
    kept_.erase({channel_id, user_id});
  }

private:
  static constexpr auto kLifetime = std::chrono::seconds(30);
  // Each holds its server's roles: bounded so a server with hundreds of roles stays small.
  static constexpr std::size_t kMaxKept = 2048;
  std::mutex mutex_;
  std::map<std::pair<std::uint64_t, std::uint64_t>, std::shared_ptr<const Kept>> kept_;
};

KeptAccess& keptAccess() {
  static KeptAccess cache;
  return cache;
}

} // namespace

asio::awaitable<core::Result<SendAccess>> readSendAccess(store::PgPool& pool, std::uint64_t channel_id,
                                                         std::uint64_t user_id, std::uint64_t session_id,
                                                         CachedAccess cached) {
  if (cached == CachedAccess::kUse) {
    if (auto kept = keptAccess().find(channel_id, user_id)) {
      SendAccess out;
      out.session_active = true;
      out.found = kept->found;
      out.guard = AccessGuard{kept->access_version, session_id};
      co_return out;
    }
  }
  // One for the process: every thread's sends share it (a batch runs on the pool of the thread
  // that started it). One batch out at a time: reads are quick, and what waits meanwhile makes
  // the next batch.
  static store::Coalescer<AccessRequest, ReadAccess, store::PgPool*> coalescer(readBatch, kMaxBatch, 1);
  const AccessRequest request{channel_id, user_id, session_id};
  auto read = co_await coalescer.submit(request, &pool);
  if (!read) co_return std::unexpected(read.error());
  SendAccess& access = read->access;
  // Kept: a server's channel the sender sees, and not timed out (a timeout ends by the clock,
  // with no change of version to notice it by).
  if (access.session_active && access.found && *access.found && !(*access.found)->first.timed_out) {
    auto kept = std::make_shared<KeptAccess::Kept>();
    kept->found = **access.found;
    kept->access_version = read->access_version;
    kept->read_at = std::chrono::steady_clock::now();
    keptAccess().keep(channel_id, user_id, std::move(kept));
  }
  co_return std::move(access);
}

void forgetSendAccess(std::uint64_t channel_id, std::uint64_t user_id) { keptAccess().forget(channel_id, user_id); }

} // namespace hearth::domain
