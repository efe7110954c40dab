#pragma once
// The identity providers an operator configured, and the protocol work with them: the
// authorization URL, and redeeming an authorization code for a verified identity.
//
// - GitHub: OAuth 2.0 with PKCE, then its REST API (`/user`, `/user/emails`) for the account.
// - Google: OpenID Connect with the issuer https://accounts.google.com.
// - Any OpenID Connect provider, by its issuer URL (`oidc`).
//
// OIDC metadata comes from discovery (`/.well-known/openid-configuration`, its `issuer` must be
// the configured one exactly) and is cached an hour, as are JWKS; an ID token naming a key we
// do not have refetches the JWKS, at most once a minute.
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "core/error.hpp"

namespace hearth::core {
class Clock;
}

namespace hearth::oauth {

class HttpClient;
struct Jwks;

//! What an operator configures (flags or the config file). A provider is on when its client id is set.
struct OAuthSettings {
  std::string github_client_id;
  std::string github_client_secret;
  std::string github_url = "https://github.com"; //!< authorize and token endpoints live here
  std::string github_api_url = "https://api.github.com";
  std::string google_client_id;
  std::string google_client_secret;
  std::string oidc_issuer;
  std::string oidc_client_id;
  std::string oidc_client_secret;
  std::string oidc_name = "Single sign-on"; //!< the button label
};

enum class Protocol : std::uint8_t { kGitHub, kOidc };

struct Provider {
  std::string id; //!< "github", "google", "oidc": in routes and stored identities
  std::string name; //!< shown to users
  Protocol protocol = Protocol::kOidc;
  std::string client_id;
  std::string client_secret;
  std::string issuer; //!< OIDC
  std::string authorize_url; //!< GitHub
  std::string token_url; //!< GitHub
  std::string api_url; //!< GitHub's REST API
  std::string scope;
};

//! The providers `settings` turns on, in a fixed order (GitHub, Google, generic). kInvalidFormBody
//! for a half-configured provider or an endpoint that is neither https nor http on loopback.
core::Result<std::vector<Provider>> providersFrom(const OAuthSettings& settings);

//! https, or http to a loopback address (development and tests), without user info in the URL.
bool acceptableEndpoint(std::string_view url);

//! RFC 3986 percent-encoding of everything but unreserved characters.
std::string percentEncode(std::string_view text);
//! `a=1&b=2`, each part percent-encoded (a query string or an x-www-form-urlencoded body).
std::string formEncode(const std::vector<std::pair<std::string, std::string>>& fields);

//! The parts of an OIDC discovery document Hearth uses.
struct OidcMetadata {
  std::string issuer;
  std::string authorization_endpoint;
  std::string token_endpoint;
  std::string userinfo_endpoint; //!< may be empty
  std::string jwks_uri;
  bool client_secret_basic = true; //!< else the secret goes in the token request's body
};

//! Parses and checks a discovery document: `issuer` equal to `expected_issuer`, acceptable
//! endpoints, S256 among the PKCE methods if it lists any.
core::Result<OidcMetadata> parseDiscovery(std::string_view json, std::string_view expected_issuer);

//! An identity a provider vouched for.
struct ExternalIdentity {
  std::string subject; //!< the provider's stable id of the account (OIDC `sub`, GitHub's numeric id)
  std::string email; //!< empty if none
  bool email_verified = false;
  std::string username_hint;
  std::string display_name;
  std::string label; //!< what a connection shows: login, preferred_username or email
};

//! The identity in GitHub's `GET /user` and `GET /user/emails` answers (the primary verified
//! address; `emails_json` may be empty when that call was refused).
core::Result<ExternalIdentity> parseGitHubUser(std::string_view user_json, std::string_view emails_json);

struct AuthorizeParams {
  std::string state;
  std::string nonce; //!< OIDC only
  std::string code_challenge; //!< S256
  std::string redirect_uri;
};

struct RedeemParams {
  std::string code;
  std::string code_verifier;
  std::string nonce;
  std::string redirect_uri;
};

class Providers {
public:
  static constexpr std::chrono::seconds kMetadataLifetime{3600};
  static constexpr std::chrono::seconds kJwksRefetchInterval{60};
  static constexpr std::int64_t kLeewaySeconds = 60;

  Providers(std::vector<Provider> providers, HttpClient& http, const core::Clock& clock);
  ~Providers();
  Providers(const Providers&) = delete;
  Providers& operator=(const Providers&) = delete;

  const std::vector<Provider>& list() const noexcept { return providers_; }
  //! The provider with this id, or nullptr.
  const Provider* find(std::string_view id) const noexcept;

  //! Where to send the browser. kServiceUnavailable when an OIDC provider's metadata cannot be had.
  boost::asio::awaitable<core::Result<std::string>> authorizeUrl(const Provider& provider, AuthorizeParams params);
  //! Exchanges the code at the token endpoint and returns the identity: for OIDC from the
  //! verified ID token (plus userinfo for claims it lacks), for GitHub from its API.
  //! kUnauthorized when the provider refuses or a check fails, kServiceUnavailable when it is down.
  boost::asio::awaitable<core::Result<ExternalIdentity>> redeem(const Provider& provider, RedeemParams params);

private:
  struct Cache;
  boost::asio::awaitable<core::Result<OidcMetadata>> metadata(const Provider& provider);
  boost::asio::awaitable<core::Result<std::shared_ptr<const Jwks>>>
  jwks(const Provider& provider, const OidcMetadata& metadata, std::string_view wanted_kid);
  boost::asio::awaitable<core::Result<ExternalIdentity>> redeemOidc(const Provider& provider, RedeemParams params);
  boost::asio::awaitable<core::Result<ExternalIdentity>> redeemGitHub(const Provider& provider, RedeemParams params);

  // given
  HttpClient& http_;
  const core::Clock& clock_;
  // owned
  std::vector<Provider> providers_;
  std::mutex cache_mutex_; //!< I/O threads share the caches; never held across a co_await
  std::unordered_map<std::string, std::unique_ptr<Cache>> caches_; //!< by provider id
};

} // namespace hearth::oauth
