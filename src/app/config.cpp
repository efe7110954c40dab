#include "app/config.hpp"

#include <unistd.h>

#include <pwd.h>

#include <CLI/CLI.hpp>

namespace hearth::app {

std::string privateClusterUrl(const std::filesystem::path& data_dir) {
  // scripts/db.sh makes the cluster's superuser `postgres` when run as root, else the caller.
  std::string user = "postgres";
  if (geteuid() != 0) {
    if (const passwd* entry = getpwuid(geteuid()); entry != nullptr) user = entry->pw_name;
  }
  const auto socket_dir = std::filesystem::absolute(data_dir / "pg" / "run").lexically_normal();
  return "host=" + socket_dir.string() + " port=5432 dbname=hearth user=" + user;
}

std::optional<int> parseConfig(int argc, char** argv, Config& config) {
  CLI::App cli{"hearthd: the Hearth server (REST API, WebSocket gateway and web client)"};
  cli.set_version_flag("--version", std::string("hearthd ") + HEARTH_VERSION);
  cli.set_config("--config", "", "Read settings from a TOML/INI file (keys are the long flag names)");
  cli.get_formatter()->column_width(40);

  auto& limits = config.server.limits;
  std::int64_t header_timeout_ms = limits.header_timeout.count();
  std::int64_t body_timeout_ms = limits.body_timeout.count();
  std::int64_t idle_timeout_ms = limits.idle_timeout.count();
  std::int64_t drain_timeout_ms = config.server.drain_timeout.count();
  std::int64_t heartbeat_ms = config.gateway.heartbeat_interval.count();
  std::int64_t node_timeout_ms = config.node_timeout.count();
  std::int64_t presence_grace_ms = config.gateway.presence_grace.count();
  std::string log_format = "text";

  cli.add_option("--listen", config.server.address, "Address to listen on")->capture_default_str();
  cli.add_option("--port", config.server.port, "TCP port (0 picks a free one)")->capture_default_str();
  cli.add_option("--threads", config.threads, "I/O threads (0: one per core)")->capture_default_str();
  cli.add_option("--data-dir", config.data_dir, "Folder for the private database, files and keys")
      ->capture_default_str();
  cli.add_option("--web-root", config.web_root, "Built web client to serve (web/dist)")->capture_default_str();
  cli.add_option("--public-url", config.public_url,
                 "The address users reach Hearth at, e.g. https://chat.example.org (links in mails, OAuth "
                 "redirect URIs; default http://<listen>:<port>)");
  cli.add_option("--database-url", config.database_url,
                 "libpq connection string or URL (default: the private cluster in --data-dir)");
  cli.add_option("--redis", config.redis_url,
                 "Share events with the other nodes through this Redis: unix:///path/redis.sock or "
                 "redis://[:password@]host[:port][/db] (default: none, a single node)");
  cli.add_option("--node-timeout-ms", node_timeout_ms,
                 "With --redis: a node silent this long is taken for gone, and its users' presence there ends")
      ->capture_default_str();
  cli.add_option("--db-pool-size", config.db_pool_size, "Database connections in all, split over the threads")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  cli.add_option("--worker-id", config.worker_id, "This node's id in snowflake ids (0-31), unique per node")
      ->capture_default_str()
      ->check(CLI::Range(0, 31));
  cli.add_option("--log-format", log_format, "Log as text or json")
      ->capture_default_str()
      ->check(CLI::IsMember({"text", "json"}));
  cli.add_option("--log-level", config.log_level, "trace, debug, info, warn, error or off")
      ->capture_default_str()
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
  cli.add_option("--max-header-bytes", limits.header_bytes, "Largest request line + headers")->capture_default_str();
  cli.add_option("--max-body-bytes", limits.body_bytes, "Largest request body")->capture_default_str();
  cli.add_option("--header-timeout-ms", header_timeout_ms, "Time allowed to send a request header")
      ->capture_default_str();
  cli.add_option("--body-timeout-ms", body_timeout_ms, "Time allowed to send a request body")->capture_default_str();
  cli.add_option("--idle-timeout-ms", idle_timeout_ms, "Keep-alive connections idle longer are closed")
      ->capture_default_str();
  cli.add_option("--drain-timeout-ms", drain_timeout_ms, "On shutdown, how long requests in flight may finish")
      ->capture_default_str();
  cli.add_option("--ws-max-message-bytes", limits.ws_message_bytes, "Largest inbound gateway message")
      ->capture_default_str();
  cli.add_option("--ws-queue-bytes", limits.ws_queue_bytes, "Outbound bytes queued per gateway connection")
      ->capture_default_str();
  cli.add_option("--heartbeat-interval-ms", heartbeat_ms, "Gateway heartbeat interval sent in HELLO")
      ->capture_default_str()
      ->check(CLI::Range(100, 600000));
  cli.add_option("--presence-grace-ms", presence_grace_ms,
                 "A gateway session whose connection dropped keeps its presence this long while it may resume")
      ->capture_default_str();
  cli.add_option("--gateway-frames-per-minute", config.gateway.frames_per_window,
                 "Inbound gateway frames allowed per 60 s per connection")
      ->capture_default_str();
  cli.add_option("--allowed-origin", config.server.allowed_origins,
                 "Extra Origin allowed to open gateway WebSockets (repeatable; same-origin is always allowed)");
  cli.add_flag("--trust-proxy", config.server.trust_proxy, "Take client addresses from X-Forwarded-For");
  cli.add_option("--port-file", config.port_file, "Write the bound port to this file once listening");
  cli.add_option("--jwt-key-file", config.jwt_key_file,
                 "HS256 key for access tokens (default: <data-dir>/keys/jwt-hs256.key, made on first run; "
                 "give every node of a cluster the same file)");
  cli.add_option("--password-hash-threads", config.password_hash_threads,
                 "Threads hashing passwords (Argon2id, 19 MiB each); more requests wait in a bounded queue")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  cli.add_option("--auth-requests-per-minute", config.auth_requests_per_minute,
                 "Sign-up, login and refresh requests allowed per IP per minute")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000));
  cli.add_option("--failed-logins-per-hour", config.failed_logins_per_hour,
                 "Failed logins allowed per account per hour, from all addresses together")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000));
  cli.add_option("--attachment-max-bytes", config.attachment_max_bytes,
                 "Largest file a message may carry, in bytes (a send takes up to 10)")
      ->capture_default_str()
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 32));
  cli.add_option("--user-storage-quota-bytes", config.user_storage_quota_bytes,
                 "Bytes of attachments each user may have stored (deleting their messages frees them)")
      ->capture_default_str();
  cli.add_option("--media-threads", config.media_threads,
                 "Threads decoding and re-encoding images (libvips); more uploads wait in a bounded queue")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  cli.add_option("--friend-requests-per-hour", config.friend_requests_per_hour,
                 "Friend requests a user may send per hour")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000));
  cli.add_option("--smtp-url", config.smtp_url,
                 "SMTP server for mail: smtp://host:587 (STARTTLS) or smtps://host:465; without it, mails are "
                 "written to <data-dir>/mail/ and their links logged");
  cli.add_option("--smtp-user", config.smtp_user, "SMTP login");
  cli.add_option("--smtp-password", config.smtp_password, "SMTP password (better in the --config file)");
  cli.add_option("--smtp-starttls", config.smtp_starttls,
                 "Require STARTTLS on smtp:// (false sends in the clear: loopback relays only)")
      ->capture_default_str();
  cli.add_option("--smtp-ca-file", config.smtp_ca_file, "Extra CA certificates to trust for the SMTP server");
  cli.add_option("--mail-from", config.mail_from, "From: of outgoing mail")->capture_default_str();
  cli.add_option("--require-verified-email", config.require_verified_email,
                 "Hold unverified accounts back from creating or joining servers: auto (on when SMTP is "
                 "configured), on or off")
      ->capture_default_str()
      ->check(CLI::IsMember({"auto", "on", "off"}));
  auto& oauth = config.oauth;
  cli.add_option("--oauth-github-client-id", oauth.github_client_id, "GitHub OAuth app client id (turns GitHub on)");
  cli.add_option("--oauth-github-client-secret", oauth.github_client_secret,
                 "GitHub OAuth app client secret (better in the --config file)");
  cli.add_option("--oauth-github-url", oauth.github_url, "GitHub's web address (authorize and token endpoints)")
      ->capture_default_str();
  cli.add_option("--oauth-github-api-url", oauth.github_api_url, "GitHub's REST API address")->capture_default_str();
  cli.add_option("--oauth-google-client-id", oauth.google_client_id, "Google OAuth client id (turns Google on)");
  cli.add_option("--oauth-google-client-secret", oauth.google_client_secret,
                 "Google OAuth client secret (better in the --config file)");
  cli.add_option("--oidc-issuer", oauth.oidc_issuer,
                 "Issuer URL of any OpenID Connect provider (discovery at <issuer>/.well-known/openid-configuration)");
  cli.add_option("--oidc-client-id", oauth.oidc_client_id, "Client id at the --oidc-issuer provider");
  cli.add_option("--oidc-client-secret", oauth.oidc_client_secret,
                 "Client secret at the --oidc-issuer provider (empty: a public client, PKCE only)");
  cli.add_option("--oidc-name", oauth.oidc_name, "Button label for the --oidc-issuer provider")->capture_default_str();
  cli.add_flag("--migrate-only", config.migrate_only, "Apply database migrations and exit");
  cli.add_option("--push-contact", config.push_contact,
                 "Web Push: the contact push services see in VAPID tokens, mailto:... or https://... "
                 "(default: --public-url when it is https, else mailto:hearth@localhost)")
      ->check([](const std::string& value) {
        return value.starts_with("mailto:") || value.starts_with("https://")
                   ? std::string()
                   : std::string("must start with mailto: or https://");
      });
  cli.add_flag("--push-allow-insecure-loopback", config.push_allow_insecure_loopback,
               "Web Push, for tests only: accept and send to http://127.0.0.1:<port> push endpoints");

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return cli.exit(error);
  }
  limits.header_timeout = std::chrono::milliseconds(header_timeout_ms);
  limits.body_timeout = std::chrono::milliseconds(body_timeout_ms);
  limits.idle_timeout = std::chrono::milliseconds(idle_timeout_ms);
  config.server.drain_timeout = std::chrono::milliseconds(drain_timeout_ms);
  config.gateway.heartbeat_interval = std::chrono::milliseconds(heartbeat_ms);
  config.gateway.presence_grace = std::chrono::milliseconds(std::max<std::int64_t>(presence_grace_ms, 0));
  config.node_timeout = std::chrono::milliseconds(std::max<std::int64_t>(node_timeout_ms, 1000));
  config.log_format = log_format == "json" ? core::LogFormat::kJson : core::LogFormat::kText;
  if (config.database_url.empty()) config.database_url = privateClusterUrl(config.data_dir);
  if (config.jwt_key_file.empty()) config.jwt_key_file = config.data_dir / "keys" / "jwt-hs256.key";
  return std::nullopt;
}

} // namespace hearth::app
