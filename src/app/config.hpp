#pragma once
// hearthd's settings: every one has a working default, and flags or a config file override it.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/log.hpp"
#include "gateway/gateway.hpp"
#include "net/http_server.hpp"
#include "oauth/providers.hpp"

namespace hearth::app {

struct Config {
  net::ServerConfig server;
  gateway::GatewayConfig gateway;
  std::size_t threads = 0; //!< 0: one per core
  std::filesystem::path data_dir = "var";
  std::filesystem::path web_root = "web/dist";
  //! Where users reach this server (links in mails, OAuth redirect URIs). Empty: derived from
  //! --listen and --port as http://address:port.
  std::string public_url;
  std::string database_url; //!< empty: the private cluster under data_dir (scripts/db.sh)
  std::size_t db_pool_size = 16; //!< connections in all, split over the threads
  //! Empty: events stay in this process (one node). unix:///path or redis://[:password@]host:port[/db]:
  //! events go through a Redis stream to every node sharing it.
  std::string redis_url;
  //! With --redis: a node silent this long is taken for gone (its users' presence there ends).
  std::chrono::milliseconds node_timeout{std::chrono::seconds(20)};
  std::uint32_t worker_id = 0; //!< this node's id in snowflakes (0-31); unique per node
  core::LogFormat log_format = core::LogFormat::kText;
  std::string log_level = "info";
  std::filesystem::path port_file; //!< if set, the bound port is written here (tests, port 0)
  std::filesystem::path jwt_key_file; //!< empty: <data_dir>/keys/jwt-hs256.key, created on first run
  std::size_t password_hash_threads = 1;
  int auth_requests_per_minute = 30; //!< per IP, for register/login/refresh
  int failed_logins_per_hour = 100; //!< per account
  int friend_requests_per_hour = 50; //!< per user
  std::uint64_t attachment_max_bytes = 25ull * 1024 * 1024; //!< per file (docs/files.md)
  std::uint64_t user_storage_quota_bytes = 1024ull * 1024 * 1024; //!< per user, of attachments
  std::size_t media_threads = 1; //!< decoding and re-encoding images (libvips)
  bool migrate_only = false;
  oauth::OAuthSettings oauth; //!< sign-in providers (docs/oauth.md); a provider is on when its client id is set
  // Mail. Without --smtp-url, mails go to <data_dir>/mail/ and their links to the log.
  std::string smtp_url; //!< smtp://host:587 (STARTTLS) or smtps://host:465
  std::string smtp_user;
  std::string smtp_password;
  bool smtp_starttls = true;
  std::string smtp_ca_file;
  std::string mail_from = "Hearth <hearth@localhost>";
  std::string require_verified_email = "auto"; //!< auto (on with SMTP), on, off
  // Web Push (docs/notifications.md, "Web Push").
  std::string
      push_contact; //!< VAPID `sub`: mailto: or https:; empty: --public-url if https, else mailto:hearth@localhost
  bool push_allow_insecure_loopback = false; //!< tests only: http://127.0.0.1:<port> endpoints
};

//! Parses argv. Returns the exit code to leave with when parsing ends the program (--help,
//! --version, a bad flag), or nullopt to go on.
std::optional<int> parseConfig(int argc, char** argv, Config& config);

//! The libpq conninfo of the private cluster that scripts/db.sh manages under data_dir.
std::string privateClusterUrl(const std::filesystem::path& data_dir);

} // namespace hearth::app
