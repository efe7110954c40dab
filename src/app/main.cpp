// hearthd: builds every module from the configuration, starts them, and stops them in order.
#include <csignal>
#include <fstream>
#include <future>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_future.hpp>
#include <spdlog/spdlog.h>

#include "api/attachment_routes.hpp"
#include "api/auth_routes.hpp"
#include "api/dm_routes.hpp"
#include "api/event_delivery.hpp"
#include "api/gateway_hooks.hpp"
#include "api/guild_json.hpp"
#include "api/guild_routes.hpp"
#include "api/member_routes.hpp"
#include "api/message_routes.hpp"
#include "api/notification_routes.hpp"
#include "api/reaction_routes.hpp"
#include "api/relationship_routes.hpp"
#include "api/routes.hpp"
#include "api/search_routes.hpp"
#include "api/thread_routes.hpp"
#include "app/config.hpp"
#include "auth/password.hpp"
#include "auth/tokens.hpp"
#include "bus/redis_bus.hpp"
#include "core/clock.hpp"
#include "core/snowflake.hpp"
#include "domain/accounts.hpp"
#include "domain/dms.hpp"
#include "domain/events.hpp"
#include "domain/guilds.hpp"
#include "domain/members.hpp"
#include "domain/messages.hpp"
#include "domain/notification_settings.hpp"
#include "domain/reactions.hpp"
#include "domain/read_states.hpp"
#include "domain/relationships.hpp"
#include "domain/search.hpp"
#include "domain/threads.hpp"
#include "files/media.hpp"
#include "files/storage.hpp"
#include "gateway/gateway.hpp"
#include "mail/mailer.hpp"
#include "net/metrics.hpp"
#include "net/rate_limiter.hpp"
#include "net/static_files.hpp"
#include "oauth/http_client.hpp"
#include "oauth/oauth_routes.hpp"
#include "oauth/providers.hpp"
#include "push/dispatcher.hpp"
#include "push/push_routes.hpp"
#include "push/sender.hpp"
#include "push/subscriptions.hpp"
#include "redis/client.hpp"
#include "store/migrations.hpp"
#include "store/pg.hpp"

namespace asio = boost::asio;
using namespace hearth;

namespace {

// A worker's io_context, whose services can be shut down without being destroyed.
class WorkerContext : public asio::io_context {
public:
  using asio::execution_context::shutdown;
  using asio::io_context::io_context;
};

// The workers' contexts. A handler left pending on one context can own a socket of another
// (a session's connection, a pooled database connection): destroying the contexts one by one
// would destroy that socket after its own context's services. So every context's pending
// handlers are destroyed first (shutdown), and only then the contexts.
struct WorkerContexts : std::vector<std::unique_ptr<WorkerContext>> {
  WorkerContexts() = default;
  WorkerContexts(const WorkerContexts&) = delete;
  WorkerContexts& operator=(const WorkerContexts&) = delete;
  ~WorkerContexts() {
    for (auto& context : *this)
      context->shutdown();
  }
};

} // namespace

int main(int argc, char** argv) {
  app::Config config;
  if (const auto exit_code = app::parseConfig(argc, argv, config)) return *exit_code;
  if (auto logging = core::setupLogging(config.log_format, config.log_level); !logging) {
    std::fprintf(stderr, "hearthd: %s\n", logging.error().message.c_str());
    return 2;
  }

  const auto migrated = store::migrate(config.database_url, store::embeddedMigrations());
  if (!migrated) {
    spdlog::critical("database: {}", migrated.error().message);
    return 1;
  }
  if (!migrated->applied.empty()) {
    spdlog::info("database: schema {} -> {} ({} migrations applied)", migrated->from_version, migrated->to_version,
                 migrated->applied.size());
  }
  if (config.migrate_only) return 0;
  try {
    files::initMedia(argv[0]);
  } catch (const std::exception& error) {
    spdlog::critical("media: {}", error.what());
    return 1;
  }

  const std::size_t threads =
      config.threads != 0 ? config.threads : std::max<std::size_t>(1, std::thread::hardware_concurrency());
  WorkerContexts contexts;
  std::vector<asio::io_context*> context_ptrs;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> work_guards;
  for (std::size_t worker_idx = 0; worker_idx < threads; ++worker_idx) {
    contexts.push_back(std::make_unique<WorkerContext>(1));
    context_ptrs.push_back(contexts.back().get());
    work_guards.push_back(asio::make_work_guard(*contexts.back()));
  }

  std::vector<std::unique_ptr<store::PgPool>> pools;
  api::OpsDeps ops;
  const std::size_t per_thread = (config.db_pool_size + threads - 1) / threads;
  for (auto& context : contexts) {
    store::PgPoolConfig pool_config;
    pool_config.conninfo = config.database_url;
    pool_config.max_connections = per_thread;
    pools.push_back(std::make_unique<store::PgPool>(context->get_executor(), pool_config));
    ops.pools.push_back(pools.back().get());
    ops.executors.push_back(context->get_executor());
  }

  net::Metrics metrics(threads);
  std::atomic<bool> shutting_down{false};
  ops.metrics = &metrics;
  ops.shutting_down = &shutting_down;

  auto signing_key = auth::loadOrCreateKey(config.jwt_key_file);
  if (!signing_key) {
    spdlog::critical("tokens: {}", signing_key.error().message);
    return 1;
  }
  auto& clock = core::SystemClock::instance();
  const auth::TokenSigner signer(std::move(*signing_key), clock);
  auth::PasswordHasher hasher(config.password_hash_threads, 256);
  files::FolderStorage attachment_storage(config.data_dir / "attachments");
  files::MediaPool media(config.media_threads, 64);
  core::SnowflakeGenerator ids(clock, config.worker_id, 0);
  // Mail: SMTP when configured, else the outbox folder (links also go to the log).
  std::unique_ptr<mail::Mailer> mailer;
  if (!config.smtp_url.empty()) {
    mail::SmtpConfig smtp;
    smtp.url = config.smtp_url;
    smtp.username = config.smtp_user;
    smtp.password = config.smtp_password;
    smtp.starttls = config.smtp_starttls;
    smtp.ca_file = config.smtp_ca_file;
    mailer = mail::makeSmtpMailer(std::move(smtp), config.mail_from);
  } else {
    mailer = mail::makeOutboxMailer(config.data_dir / "mail", config.mail_from);
  }
  domain::AccountSettings account_settings;
  account_settings.public_url = config.public_url;
  account_settings.require_verified_email =
      config.require_verified_email == "on" || (config.require_verified_email == "auto" && !config.smtp_url.empty());
  account_settings.avatar_dir = config.data_dir / "avatars";
  domain::Accounts accounts(ids, hasher, signer, *mailer, clock, account_settings);
  net::RateLimiter limiter(clock);
  domain::EventBus events;
  domain::Guilds guilds(ids);
  domain::Members members(ids, guilds);
  domain::Messages messages(ids, guilds);
  domain::Relationships relationships;
  domain::Dms dms(ids);
  domain::Reactions reactions(guilds, messages);
  domain::ReadStates read_states(guilds, messages);
  domain::NotificationSettings notification_settings(guilds);
  domain::Search search(guilds, messages);
  domain::Threads threads_domain(ids, guilds);
  // Sign-in providers (docs/oauth.md); a half-configured one stops the start.
  auto oauth_providers = oauth::providersFrom(config.oauth);
  if (!oauth_providers) {
    spdlog::critical("oauth: {}", oauth_providers.error().message);
    return 2;
  }
  oauth::HttpClient oauth_http;
  oauth::Providers providers(std::move(*oauth_providers), oauth_http, clock);

  // IDENTIFY: a valid access token of a live session, answered with the user for READY.
  const std::size_t large_threshold = config.gateway.large_threshold;
  const auto identify =
      [&signer, &accounts, &pools, &guilds, &dms, &relationships, &read_states, &threads_domain, &notification_settings,
       large_threshold](std::string token, std::size_t worker) -> asio::awaitable<core::Result<gateway::Identity>> {
    auto claims = signer.verify(token);
    if (!claims) co_return std::unexpected(claims.error());
    auto& pool = *pools.at(worker);
    auto active = co_await accounts.sessionActive(pool, claims->session_id);
    if (!active) co_return std::unexpected(active.error());
    if (!*active) co_return core::fail(core::ErrorCode::kUnauthorized, "Session ended");
    auto user = co_await accounts.user(pool, claims->user_id);
    if (!user) co_return std::unexpected(user.error());
    // READY carries the user's servers with the channels they can see (one round trip).
    auto snapshots = co_await guilds.snapshotsOf(pool, claims->user_id);
    if (!snapshots) co_return std::unexpected(snapshots.error());
    // ...and their active threads the user can see (one more query for all servers).
    auto active_threads = co_await threads_domain.activeOf(pool, claims->user_id);
    if (!active_threads) co_return std::unexpected(active_threads.error());
    std::string guilds_json = "[";
    std::vector<std::uint64_t> small_guilds; // their members' presences come with READY
    for (auto& snapshot : *snapshots) {
      if (snapshot.member_count <= large_threshold) small_guilds.push_back(snapshot.context.guild.id);
      std::erase_if(snapshot.channels, [&](const domain::Channel& channel) {
        return (snapshot.context.in(channel)&domain::perm::kViewChannel) == 0;
      });
      if (guilds_json.size() > 1) guilds_json += ",";
      const std::string threads_json = api::readyThreadsJson(domain::visibleThreads(snapshot, *active_threads));
      guilds_json += api::readyGuildJson(snapshot.context, snapshot.channels, snapshot.member_count, threads_json);
    }
    guilds_json += "]";
    auto private_channels = co_await dms.openChannels(pool, claims->user_id);
    if (!private_channels) co_return std::unexpected(private_channels.error());
    auto relationship_list = co_await relationships.list(pool, claims->user_id);
    if (!relationship_list) co_return std::unexpected(relationship_list.error());
    // Presences in READY: members of small servers and friends.
    auto candidates = co_await api::presenceCandidates(pool, claims->user_id, small_guilds);
    if (!candidates) co_return std::unexpected(candidates.error());
    for (const auto& relationship : *relationship_list) {
      if (relationship.type == domain::RelationshipType::kFriend) candidates->push_back(relationship.user.id);
    }
    auto read_state = co_await read_states.readyJson(pool, claims->user_id, *snapshots);
    if (!read_state) co_return std::unexpected(read_state.error());
    auto guild_settings = co_await notification_settings.all(pool, claims->user_id, std::chrono::system_clock::now());
    if (!guild_settings) co_return std::unexpected(guild_settings.error());
    gateway::Identity identity;
    identity.presence_candidates = std::move(*candidates);
    identity.user_json = api::userJson(*user);
    identity.user_id = claims->user_id;
    identity.session_id = claims->session_id;
    identity.guilds_json = std::move(guilds_json);
    identity.private_channels_json = api::privateChannelsJson(*private_channels, claims->user_id);
    identity.relationships_json = api::relationshipsJson(*relationship_list);
    identity.read_state_json = std::move(*read_state);
    identity.user_guild_settings_json = api::userGuildSettingsListJson(guild_settings->first, guild_settings->second);
    co_return identity;
  };
  // What the gateway asks of the rest: RESUME tokens, op 8, presence announcements.
  gateway::Gateway* gateway_ptr = nullptr; // set just below; hooks run only once it serves
  api::GatewayHookDeps hook_deps;
  static_cast<api::ServerRouteDeps&>(hook_deps) = api::ServerRouteDeps{ops.pools, &guilds, &accounts, &signer, &events};
  hook_deps.members = &members;
  hook_deps.executors = ops.executors;
  hook_deps.large_threshold = large_threshold;
  hook_deps.current_presence = [&gateway_ptr](std::uint64_t user_id) { return gateway_ptr->presenceJson(user_id); };
  gateway::GatewayHooks gateway_hooks;
  gateway_hooks.identify = identify;
  gateway_hooks.authenticate = api::authenticateHook(hook_deps);
  gateway_hooks.presence_changed = api::presenceHook(hook_deps);
  gateway_hooks.request_members = api::requestMembersHook(hook_deps);
  // Several nodes (--redis): sessions are checkpointed in Redis, so a RESUME works on any node.
  std::unique_ptr<bus::RedisBus> redis_bus; // started below, before anything is served
  api::DeliveryWatermark delivered;
  const std::size_t replay_limit = config.gateway.replay_limit;
  if (!config.redis_url.empty()) {
    auto& shared = gateway_hooks.shared;
    shared.save = [&redis_bus](const gateway::SessionRecord& record, std::chrono::milliseconds ttl) {
      redis_bus->putRecord(record.id,
                           {{"user", std::to_string(record.user_id)},
                            {"sign_in", std::to_string(record.sign_in)},
                            {"seq", std::to_string(record.seq)},
                            {"pos", std::to_string(record.pos)}},
                           ttl);
    };
    shared.drop = [&redis_bus](const std::string& id) { redis_bus->dropRecord(id); };
    shared.load = [&redis_bus](std::string id,
                               std::size_t) -> asio::awaitable<core::Result<std::optional<gateway::SessionRecord>>> {
      auto fields = co_await redis_bus->record(id);
      if (!fields) co_return std::unexpected(fields.error());
      const auto number = [&](const char* name) -> std::optional<std::uint64_t> {
        const auto found = fields->find(name);
        if (found == fields->end()) return std::nullopt;
        return core::parseSnowflake(found->second);
      };
      const auto user = number("user");
      const auto sign_in = number("sign_in");
      const auto pos = number("pos");
      if (!user || !sign_in || !pos) co_return std::optional<gateway::SessionRecord>();
      gateway::SessionRecord record;
      record.id = std::move(id);
      record.user_id = *user;
      record.sign_in = *sign_in;
      record.seq = static_cast<std::int64_t>(number("seq").value_or(0));
      record.pos = *pos;
      co_return record;
    };
    shared.replay = [&redis_bus, &pools, replay_limit, large_threshold, current_presence = hook_deps.current_presence](
                        std::uint64_t user_id, std::uint64_t after,
                        std::size_t worker) -> asio::awaitable<core::Result<std::vector<gateway::ReplayEvent>>> {
      // Everything since the checkpoint, whoever it was for; then what this user may see.
      std::vector<std::uint64_t> presence_changed;
      auto stream = co_await redis_bus->eventsAfter(after, 50 * replay_limit, &presence_changed);
      if (!stream) co_return std::unexpected(stream.error());
      auto replay = co_await api::replayFor(*pools.at(worker), user_id, std::move(*stream));
      if (!replay) co_return replay;
      if (replay->size() > replay_limit) {
        co_return core::fail(core::ErrorCode::kGeneral, "more missed than a resume replays");
      }
      // Presence is not an event of the stream (every node derives it from the summaries), so
      // those whose presence changed meanwhile are told as they are now, after the rest. One
      // update per user and shared small server at most (as READY's presences), so they do not
      // count against the replay limit: a storm of resumes must not turn into INVALID_SESSIONs.
      auto presences =
          co_await api::presenceReplay(*pools.at(worker), user_id, presence_changed, large_threshold, current_presence);
      if (!presences) co_return std::unexpected(presences.error());
      replay->insert(replay->end(), presences->begin(), presences->end());
      co_return replay;
    };
    shared.watermark = [&delivered] { return delivered.value(); };
    shared.moved = [&redis_bus](const std::string& id) { redis_bus->publishSessionMoved(id); };
    // Presence: each node publishes its summary of a user; every node combines them alike.
    gateway_hooks.shared_presence.publish = [&redis_bus](std::uint64_t user_id, const gateway::NodePresence& presence) {
      redis_bus->publishPresence(user_id, presence.rank, presence.custom_status, presence.foreground);
    };
  }
  gateway::Gateway gateway(config.gateway, clock, std::move(gateway_hooks));
  gateway_ptr = &gateway;
  gateway.startSweeper(contexts.front()->get_executor());
  // Server events reach connected members who may see them, decided at send time.
  api::deliverEvents(events, ops.executors, ops.pools,
                     api::DeliveryTarget{[&gateway] { return gateway.connectedUsers(); },
                                         [&gateway](const std::vector<std::uint64_t>& users, const std::string& type,
                                                    const std::shared_ptr<const std::string>& data, std::uint64_t pos) {
                                           gateway.dispatchToEach(users, type, data, pos);
                                         }},
                     &delivered);
  // A revoked session (logout, token reuse, password change...) closes its live connections.
  const auto close_sessions = [&gateway](const domain::SessionsEnded& ended) {
    const auto closed = gateway.closeSessions(ended.user_id, ended.session_id, ended.except_session);
    if (closed != 0) spdlog::info("closed {} gateway connections of user {}", closed, ended.user_id);
  };
  // Several nodes (--redis): events and ended sessions go through Redis to every node, this one too.
  if (!config.redis_url.empty()) {
    auto redis_endpoint = redis::parseUrl(config.redis_url);
    if (!redis_endpoint) {
      spdlog::critical("--redis: {}", redis_endpoint.error().message);
      return 2;
    }
    redis::RedisOptions redis_options;
    redis_options.endpoint = std::move(*redis_endpoint);
    bus::RedisBusOptions bus_options;
    bus_options.node_timeout = config.node_timeout;
    bus_options.node_heartbeat = std::max(config.node_timeout / 4, std::chrono::milliseconds(100));
    redis_bus = std::make_unique<bus::RedisBus>(std::move(redis_options), events, std::move(bus_options));
    redis_bus->onSessionsEnded(close_sessions);
    redis_bus->onPresence([&gateway](const std::string& node, std::uint64_t user_id, int rank,
                                     const std::string& custom, bool foreground) {
      gateway.applyPresence(node, user_id, gateway::NodePresence{rank, custom, foreground});
    });
    redis_bus->onNodeGone([&gateway, &bus = *redis_bus](const std::string& node) {
      if (node == bus.node()) {
        spdlog::warn("event bus: the other nodes took this one for gone; publishing its presence again");
        gateway.republishPresence();
      } else {
        gateway.nodeGone(node);
      }
    });
    redis_bus->onSessionMoved([&gateway, &bus = *redis_bus](const std::string& id, const std::string& node) {
      if (node != bus.node()) gateway.sessionMovedAway(id);
    });
    if (auto started = redis_bus->start(std::chrono::seconds(3)); !started) {
      spdlog::critical("event bus: {}; not starting without it", started.error().message);
      return 1;
    }
    delivered.start(redis_bus->startPosition());
    accounts.onSessionsEnded(
        [&bus = *redis_bus](const domain::SessionsEnded& ended) { bus.publishSessionsEnded(ended); });
    metrics.addCollector([&bus = *redis_bus] { return bus.metricsText(); });
    spdlog::info("event bus: Redis at {}", redis_bus->where());
  } else {
    accounts.onSessionsEnded(close_sessions);
    spdlog::info("event bus: in-process (single node)");
  }
  // Web Push (docs/notifications.md, "Web Push"): the VAPID key pair lives in the database, so
  // every node signs with the same one; the first node to start creates it.
  push::EcKeyPair vapid_key;
  {
    auto loading = asio::co_spawn(*contexts.front(), push::loadOrCreateVapidKey(*pools.front()), asio::use_future);
    while (loading.wait_for(std::chrono::seconds(0)) != std::future_status::ready)
      contexts.front()->run_one();
    auto loaded = loading.get();
    if (!loaded) {
      spdlog::critical("push: VAPID key: {}", loaded.error().message);
      return 1;
    }
    vapid_key = std::move(*loaded);
  }
  push::SenderConfig push_config;
  push_config.policy.allow_insecure_loopback = config.push_allow_insecure_loopback;
  push_config.contact = !config.push_contact.empty()                ? config.push_contact
                        : config.public_url.starts_with("https://") ? config.public_url
                                                                    : std::string("mailto:hearth@localhost");
  if (config.push_allow_insecure_loopback) spdlog::warn("push: http://127.0.0.1 endpoints allowed (tests only)");
  // A subscription the push service no longer knows (404/410) is removed, unless replaced since.
  const auto forget_subscription = [&pools, &ops](const push::Subscription& gone) {
    asio::co_spawn(
        ops.executors.front(),
        [pool = pools.front().get(), session = gone.session_id, endpoint = gone.endpoint]() -> asio::awaitable<void> {
          auto removed = co_await push::deleteGoneSubscription(*pool, session, endpoint);
          if (!removed) spdlog::warn("push: cannot remove a gone subscription: {}", removed.error().message);
        },
        asio::detached);
  };
  push::PushSender push_sender(push_config, vapid_key, clock, forget_subscription);
  metrics.addCollector([&push_sender] { return push_sender.metricsText(); });
  asio::thread_pool push_resolver(1);
  const push::DispatcherDeps push_deps{
      ops.pools, ops.executors, [&gateway](std::uint64_t user_id) { return gateway.activity(user_id); }, &push_sender};

  net::Router router;
  api::addOpsRoutes(router, ops);
  push::addPushRoutes(
      router, push::PushRouteDeps{ops.pools, &accounts, &signer, &vapid_key, push_config.policy, &push_resolver});
  api::addAuthRoutes(router,
                     api::AuthDeps{ops.pools, &accounts, &signer, &limiter,
                                   api::AuthLimits{config.auth_requests_per_minute, config.failed_logins_per_hour}});
  // config.public_url is filled in once the port is bound, before any request is served.
  oauth::addOAuthRoutes(router, oauth::OAuthDeps{ops.pools, &accounts, &signer, &providers, &limiter, &clock,
                                                 &config.public_url, config.auth_requests_per_minute});
  // DMs come first: the server routes hand /channels/{id} over to them for DM channels.
  const api::DmDeps dm_deps{{ops.pools, &guilds, &accounts, &signer, &events}, &dms, config.data_dir / "channel-icons"};
  auto dm_channel = api::addDmRoutes(router, dm_deps);
  const api::ThreadDeps thread_deps{{ops.pools, &guilds, &accounts, &signer, &events}, &threads_domain, &messages};
  auto thread_channel = api::addThreadRoutes(router, thread_deps);
  api::addGuildRoutes(router, api::GuildDeps{{ops.pools, &guilds, &accounts, &signer, &events},
                                             config.data_dir / "icons",
                                             std::move(dm_channel),
                                             std::move(thread_channel)});
  api::addMemberRoutes(router, api::MemberDeps{{ops.pools, &guilds, &accounts, &signer, &events},
                                               &members,
                                               hook_deps.current_presence,
                                               config.gateway.large_threshold});
  api::addTypingRoute(router, api::ServerRouteDeps{ops.pools, &guilds, &accounts, &signer, &events});
  api::addMessageRoutes(router, api::MessageDeps{{ops.pools, &guilds, &accounts, &signer, &events},
                                                 &messages,
                                                 api::dmMessageHook(dm_deps),
                                                 api::threadMessageHook(thread_deps),
                                                 &attachment_storage,
                                                 &media,
                                                 {config.attachment_max_bytes, config.user_storage_quota_bytes},
                                                 [&push_deps](std::size_t worker, const domain::Message& message,
                                                              const api::ChannelActor& actor) {
                                                   push::pushForMessage(push_deps, worker, message, actor.channel,
                                                                        actor.context.guild.name);
                                                 }});
  api::addAttachmentRoutes(
      router, api::AttachmentDeps{{ops.pools, &guilds, &accounts, &signer, &events}, &messages, &attachment_storage});
  api::addRelationshipRoutes(router, api::RelationshipDeps{{ops.pools, &guilds, &accounts, &signer, &events},
                                                           &relationships,
                                                           &limiter,
                                                           config.friend_requests_per_hour,
                                                           hook_deps.current_presence});
  api::addReactionRoutes(
      router, api::ReactionDeps{{ops.pools, &guilds, &accounts, &signer, &events}, &reactions, &read_states});
  api::addNotificationRoutes(
      router, api::NotificationDeps{{ops.pools, &guilds, &accounts, &signer, &events}, &notification_settings});
  api::addSearchRoutes(router, api::SearchDeps{{ops.pools, &guilds, &accounts, &signer, &events}, &search});
  router.addWebSocket("/api/v1/gateway", [&gateway](std::shared_ptr<net::WsConnection> connection, net::Request request,
                                                    net::WsEnded ended) {
    gateway.run(std::move(connection), request, std::move(ended));
  });

  const net::StaticFiles static_files(config.web_root);
  if (!static_files.hasIndex()) {
    spdlog::warn("web client not found in {} (run `make web`); serving the API only", config.web_root.string());
  }
  net::HttpServer server(context_ptrs, config.server, router, metrics,
                         [&static_files](net::Request& request) -> asio::awaitable<net::Response> {
                           co_return static_files.serve(request);
                         });
  try {
    server.start();
  } catch (const std::exception& error) {
    spdlog::critical("cannot listen on {}:{}: {}", config.server.address, config.server.port, error.what());
    return 1;
  }
  const auto stop_everything = [&] {
    for (std::size_t worker_idx = 0; worker_idx < contexts.size(); ++worker_idx) {
      asio::post(*contexts[worker_idx], [&, worker_idx] {
        pools[worker_idx]->close();
        work_guards[worker_idx].reset();
        contexts[worker_idx]->stop();
      });
    }
  };
  asio::signal_set signals(*contexts.front(), SIGINT, SIGTERM);
  std::chrono::steady_clock::time_point first_signal;
  std::function<void(const boost::system::error_code&, int)> on_signal = [&](const boost::system::error_code& ec,
                                                                             int signal_number) {
    if (ec) return;
    if (shutting_down.exchange(true)) {
      // A terminal's Ctrl-C reaches both the run script and us, and the script forwards it:
      // only a repeat after a pause means "stop now, don't drain".
      if (std::chrono::steady_clock::now() - first_signal > std::chrono::seconds(1)) {
        spdlog::warn("second signal: stopping now");
        stop_everything();
      } else {
        signals.async_wait(on_signal);
      }
      return;
    }
    first_signal = std::chrono::steady_clock::now();
    spdlog::info("signal {}: draining {} connections", signal_number, server.activeConnections());
    server.stop([&] {
      spdlog::info("drained; closing the database pool");
      stop_everything();
    });
    signals.async_wait(on_signal);
  };
  signals.async_wait(on_signal);

  if (config.public_url.empty()) {
    config.public_url = "http://" + config.server.address + ":" + std::to_string(server.port());
  }
  accounts.setPublicUrl(config.public_url);
  // Announced only now, so a supervisor's signal can never arrive before we handle it.
  if (!config.port_file.empty()) {
    std::ofstream(config.port_file) << server.port() << '\n';
  }
  spdlog::info("Hearth is up at http://{}:{} ({} threads, schema {}, {} web files)", config.server.address,
               server.port(), threads, migrated->to_version, static_files.fileCount());

  std::vector<std::thread> runners;
  for (std::size_t worker_idx = 1; worker_idx < contexts.size(); ++worker_idx) {
    runners.emplace_back([&context = *contexts[worker_idx]] { context.run(); });
  }
  contexts.front()->run();
  for (auto& runner : runners)
    runner.join();
  // The bus's thread calls into the gateway (presence entries, ours included, read back from the
  // stream): it stops here, before the gateway it was given is destroyed.
  if (redis_bus) redis_bus->close();
  spdlog::info("stopped");
  files::shutdownMedia();
  return 0;
}
