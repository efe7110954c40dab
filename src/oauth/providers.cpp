#include "oauth/providers.hpp"

#include <algorithm>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "auth/tokens.hpp"
#include "core/clock.hpp"
#include "net/json_body.hpp"
#include "oauth/http_client.hpp"
#include "oauth/jwt_verify.hpp"

namespace hearth::oauth {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

std::unexpected<core::Error> configError(std::string message) {
  return core::fail(core::ErrorCode::kInvalidFormBody, std::move(message));
}
std::unexpected<core::Error> refused(std::string message) {
  return core::fail(core::ErrorCode::kUnauthorized, std::move(message));
}

std::string_view stringMember(const json::object& object, std::string_view name) {
  const auto* value = object.if_contains(name);
  if (value == nullptr || !value->is_string()) return {};
  return value->get_string();
}

std::string withoutTrailingSlash(std::string url) {
  while (url.ends_with('/'))
    url.pop_back();
  return url;
}

bool listContains(const json::object& object, std::string_view name, std::string_view wanted) {
  const auto* list = object.if_contains(name);
  if (list == nullptr || !list->is_array()) return false;
  return std::any_of(list->get_array().begin(), list->get_array().end(),
                     [&](const json::value& entry) { return entry.is_string() && entry.get_string() == wanted; });
}

// The JSON object of a provider's answer, or why there is none. OAuth errors (RFC 6749 §5.2,
// and GitHub's 200 with `error`) are kUnauthorized with the provider's words, for the log.
core::Result<json::object> jsonAnswer(const HttpResponse& response, std::string_view what) {
  auto parsed = net::parseJson(response.body);
  if (parsed && parsed->is_object()) {
    auto& object = parsed->get_object();
    if (const auto error = stringMember(object, "error"); !error.empty()) {
      return refused(fmt::format("{}: {} {:?}", what, error, stringMember(object, "error_description").substr(0, 200)));
    }
    if (response.status == 200) return std::move(object);
  }
  if (response.status != 200) return refused(fmt::format("{}: HTTP {}", what, response.status));
  return refused(fmt::format("{}: the answer is not a JSON object", what));
}

std::string localPart(std::string_view email) { return std::string(email.substr(0, email.find('@'))); }

} // namespace

bool acceptableEndpoint(std::string_view url) {
  const bool https = url.starts_with("https://");
  if (!https && !url.starts_with("http://")) return false;
  std::string_view authority = url.substr(https ? 8 : 7);
  authority = authority.substr(0, authority.find_first_of("/?#"));
  if (authority.empty() || authority.find('@') != std::string_view::npos) return false;
  if (https) return true;
  std::string_view host = authority;
  if (host.starts_with('[')) {
    host = host.substr(0, host.find(']') + 1);
  } else {
    host = host.substr(0, host.find(':'));
  }
  return host == "localhost" || host == "[::1]" || host.starts_with("127.");
}

std::string percentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte >= 'A' && byte <= 'Z') || (byte >= 'a' && byte <= 'z') || (byte >= '0' && byte <= '9') || byte == '-' ||
        byte == '.' || byte == '_' || byte == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0x0f];
    }
  }
  return out;
}

std::string formEncode(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  for (const auto& [name, value] : fields) {
    if (!out.empty()) out += '&';
    out += percentEncode(name);
    out += '=';
    out += percentEncode(value);
  }
  return out;
}

core::Result<std::vector<Provider>> providersFrom(const OAuthSettings& settings) {
  std::vector<Provider> providers;
  const auto needSecret = [](std::string_view flag, const std::string& id,
                             const std::string& secret) -> core::Result<void> {
    if (!id.empty() && secret.empty()) return configError(fmt::format("--{}-client-secret is required", flag));
    if (id.empty() && !secret.empty()) return configError(fmt::format("--{}-client-id is required", flag));
    return {};
  };
  if (auto ok = needSecret("oauth-github", settings.github_client_id, settings.github_client_secret); !ok) {
    return std::unexpected(ok.error());
  }
  if (auto ok = needSecret("oauth-google", settings.google_client_id, settings.google_client_secret); !ok) {
    return std::unexpected(ok.error());
  }
  if (!settings.github_client_id.empty()) {
    for (const auto* url : {&settings.github_url, &settings.github_api_url}) {
      if (!acceptableEndpoint(*url))
        return configError(fmt::format("{:?} must be https (http only on loopback)", *url));
    }
    const std::string base = withoutTrailingSlash(settings.github_url);
    providers.push_back(Provider{"github", "GitHub", Protocol::kGitHub, settings.github_client_id,
                                 settings.github_client_secret, "", base + "/login/oauth/authorize",
                                 base + "/login/oauth/access_token", withoutTrailingSlash(settings.github_api_url),
                                 "read:user user:email"});
  }
  if (!settings.google_client_id.empty()) {
    providers.push_back(Provider{"google", "Google", Protocol::kOidc, settings.google_client_id,
                                 settings.google_client_secret, "https://accounts.google.com", "", "", "",
                                 "openid email profile"});
  }
  if (!settings.oidc_issuer.empty() || !settings.oidc_client_id.empty()) {
    if (settings.oidc_issuer.empty()) return configError("--oidc-issuer is required with --oidc-client-id");
    if (settings.oidc_client_id.empty()) return configError("--oidc-client-id is required with --oidc-issuer");
    if (!acceptableEndpoint(settings.oidc_issuer)) {
      return configError("--oidc-issuer must be an https URL (http only on loopback)");
    }
    // The secret may be empty: a public client that authenticates with PKCE alone.
    providers.push_back(Provider{"oidc", settings.oidc_name.empty() ? "Single sign-on" : settings.oidc_name,
                                 Protocol::kOidc, settings.oidc_client_id, settings.oidc_client_secret,
                                 settings.oidc_issuer, "", "", "", "openid email profile"});
  }
  return providers;
}

core::Result<OidcMetadata> parseDiscovery(std::string_view text, std::string_view expected_issuer) {
  auto parsed = net::parseJson(text);
  if (!parsed || !parsed->is_object()) return refused("discovery document is not a JSON object");
  const auto& doc = parsed->get_object();
  OidcMetadata metadata;
  metadata.issuer = std::string(stringMember(doc, "issuer"));
  // OpenID Connect Discovery §4.3: exactly the issuer we asked, or an impostor's document.
  if (metadata.issuer != expected_issuer) {
    return refused(fmt::format("discovery issuer {:?} is not {:?}", metadata.issuer.substr(0, 200), expected_issuer));
  }
  metadata.authorization_endpoint = std::string(stringMember(doc, "authorization_endpoint"));
  metadata.token_endpoint = std::string(stringMember(doc, "token_endpoint"));
  metadata.jwks_uri = std::string(stringMember(doc, "jwks_uri"));
  metadata.userinfo_endpoint = std::string(stringMember(doc, "userinfo_endpoint"));
  for (const auto* endpoint : {&metadata.authorization_endpoint, &metadata.token_endpoint, &metadata.jwks_uri}) {
    if (!acceptableEndpoint(*endpoint)) return refused("discovery lacks an endpoint or gives an unsafe one");
  }
  if (!metadata.userinfo_endpoint.empty() && !acceptableEndpoint(metadata.userinfo_endpoint)) {
    metadata.userinfo_endpoint.clear();
  }
  if (doc.contains("code_challenge_methods_supported") &&
      !listContains(doc, "code_challenge_methods_supported", "S256")) {
    return refused("the provider does not support PKCE S256");
  }
  // The default is client_secret_basic (Core §9); some providers take the secret only in the body.
  if (doc.contains("token_endpoint_auth_methods_supported") &&
      !listContains(doc, "token_endpoint_auth_methods_supported", "client_secret_basic") &&
      listContains(doc, "token_endpoint_auth_methods_supported", "client_secret_post")) {
    metadata.client_secret_basic = false;
  }
  return metadata;
}

core::Result<ExternalIdentity> parseGitHubUser(std::string_view user_json, std::string_view emails_json) {
  auto user = net::parseJson(user_json);
  if (!user || !user->is_object()) return refused("GitHub user is not a JSON object");
  const auto& object = user->get_object();
  const auto* id = object.if_contains("id");
  ExternalIdentity identity;
  if (id != nullptr && id->is_int64() && id->get_int64() > 0) {
    identity.subject = std::to_string(id->get_int64());
  } else if (id != nullptr && id->is_uint64()) {
    identity.subject = std::to_string(id->get_uint64());
  } else {
    return refused("GitHub user has no numeric id");
  }
  const std::string login(stringMember(object, "login"));
  identity.username_hint = login;
  identity.display_name = std::string(stringMember(object, "name"));
  identity.label = login.empty() ? identity.subject : login;
  // Only an address GitHub has verified counts; the profile's public `email` may be unverified.
  if (auto emails = net::parseJson(emails_json); emails && emails->is_array()) {
    for (const auto& entry : emails->get_array()) {
      if (!entry.is_object()) continue;
      const auto& address = entry.get_object();
      const auto* primary = address.if_contains("primary");
      const auto* verified = address.if_contains("verified");
      if (primary != nullptr && primary->is_bool() && primary->get_bool() && verified != nullptr &&
          verified->is_bool() && verified->get_bool()) {
        identity.email = std::string(stringMember(address, "email"));
        identity.email_verified = !identity.email.empty();
      }
    }
  }
  return identity;
}

struct Providers::Cache {
  std::optional<OidcMetadata> metadata;
  std::chrono::steady_clock::time_point metadata_fetched;
  std::shared_ptr<const Jwks> jwks;
  std::chrono::steady_clock::time_point jwks_fetched;
};

Providers::Providers(std::vector<Provider> providers, HttpClient& http, const core::Clock& clock)
    : http_(http), clock_(clock), providers_(std::move(providers)) {
  std::string names;
  for (const auto& provider : providers_) {
    caches_.emplace(provider.id, std::make_unique<Cache>());
    names += names.empty() ? provider.id : ", " + provider.id;
  }
  if (!names.empty()) spdlog::info("oauth: sign-in with {}", names);
}

Providers::~Providers() = default;

const Provider* Providers::find(std::string_view id) const noexcept {
  for (const auto& provider : providers_) {
    if (provider.id == id) return &provider;
  }
  return nullptr;
}

asio::awaitable<core::Result<OidcMetadata>> Providers::metadata(const Provider& provider) {
  Cache& cache = *caches_.at(provider.id);
  const auto now = clock_.steadyNow();
  {
    const std::lock_guard lock(cache_mutex_);
    if (cache.metadata && now - cache.metadata_fetched < kMetadataLifetime) co_return *cache.metadata;
  }
  HttpRequest request;
  request.url = withoutTrailingSlash(provider.issuer) + "/.well-known/openid-configuration";
  request.headers.emplace_back("Accept", "application/json");
  auto response = co_await http_.send(std::move(request));
  core::Result<OidcMetadata> fetched =
      response ? (response->status == 200 ? parseDiscovery(response->body, provider.issuer)
                                          : refused(fmt::format("discovery: HTTP {}", response->status)))
               : std::unexpected(response.error());
  const std::lock_guard lock(cache_mutex_);
  if (!fetched) {
    // A provider briefly down should not stop sign-ins while an older copy is at hand.
    if (cache.metadata) {
      spdlog::warn("oauth: {} discovery failed ({}); using the cached copy", provider.id, fetched.error().message);
      co_return *cache.metadata;
    }
    co_return core::fail(core::ErrorCode::kServiceUnavailable, fetched.error().message);
  }
  cache.metadata = *fetched;
  cache.metadata_fetched = now;
  co_return fetched;
}

asio::awaitable<core::Result<std::shared_ptr<const Jwks>>>
Providers::jwks(const Provider& provider, const OidcMetadata& metadata, std::string_view wanted_kid) {
  Cache& cache = *caches_.at(provider.id);
  const auto now = clock_.steadyNow();
  {
    const std::lock_guard lock(cache_mutex_);
    const bool fresh = cache.jwks && now - cache.jwks_fetched < kMetadataLifetime;
    // A key we do not know may be a rotation: fetch again, but not more than once a minute.
    const bool missing_key = cache.jwks && !wanted_kid.empty() && !cache.jwks->hasKey(wanted_kid);
    if (fresh && (!missing_key || now - cache.jwks_fetched < kJwksRefetchInterval)) co_return cache.jwks;
  }
  HttpRequest request;
  request.url = metadata.jwks_uri;
  request.headers.emplace_back("Accept", "application/json");
  auto response = co_await http_.send(std::move(request));
  if (!response) co_return std::unexpected(response.error());
  if (response->status != 200) co_return refused(fmt::format("JWKS: HTTP {}", response->status));
  auto parsed = parseJwks(response->body);
  if (!parsed) co_return refused(parsed.error().message);
  auto shared = std::make_shared<const Jwks>(std::move(*parsed));
  const std::lock_guard lock(cache_mutex_);
  cache.jwks = shared;
  cache.jwks_fetched = now;
  co_return shared;
}

asio::awaitable<core::Result<std::string>> Providers::authorizeUrl(const Provider& provider, AuthorizeParams params) {
  std::vector<std::pair<std::string, std::string>> query;
  std::string endpoint;
  if (provider.protocol == Protocol::kGitHub) {
    endpoint = provider.authorize_url;
  } else {
    auto found = co_await metadata(provider);
    if (!found) co_return std::unexpected(found.error());
    endpoint = found->authorization_endpoint;
    query.emplace_back("response_type", "code");
  }
  query.emplace_back("client_id", provider.client_id);
  query.emplace_back("redirect_uri", params.redirect_uri);
  query.emplace_back("scope", provider.scope);
  query.emplace_back("state", params.state);
  if (provider.protocol == Protocol::kOidc) query.emplace_back("nonce", params.nonce);
  query.emplace_back("code_challenge", params.code_challenge);
  query.emplace_back("code_challenge_method", "S256");
  co_return endpoint + (endpoint.find('?') == std::string::npos ? "?" : "&") + formEncode(query);
}

asio::awaitable<core::Result<ExternalIdentity>> Providers::redeem(const Provider& provider, RedeemParams params) {
  if (provider.protocol == Protocol::kGitHub) co_return co_await redeemGitHub(provider, std::move(params));
  co_return co_await redeemOidc(provider, std::move(params));
}

asio::awaitable<core::Result<ExternalIdentity>> Providers::redeemOidc(const Provider& provider, RedeemParams params) {
  auto found = co_await metadata(provider);
  if (!found) co_return std::unexpected(found.error());
  const OidcMetadata endpoints = *found;

  std::vector<std::pair<std::string, std::string>> form{{"grant_type", "authorization_code"},
                                                        {"code", params.code},
                                                        {"redirect_uri", params.redirect_uri},
                                                        {"code_verifier", params.code_verifier}};
  HttpRequest token_request;
  token_request.post = true;
  token_request.url = endpoints.token_endpoint;
  token_request.headers.emplace_back("Accept", "application/json");
  token_request.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  if (provider.client_secret.empty()) {
    form.emplace_back("client_id", provider.client_id);
  } else if (endpoints.client_secret_basic) {
    // RFC 6749 §2.3.1: both halves are form-encoded before they are joined and base64-encoded.
    const std::string credentials = percentEncode(provider.client_id) + ":" + percentEncode(provider.client_secret);
    std::string basic = "Basic ";
    // base64, not base64url: translate the two characters that differ and pad.
    std::string encoded = auth::base64UrlEncode(credentials);
    std::replace(encoded.begin(), encoded.end(), '-', '+');
    std::replace(encoded.begin(), encoded.end(), '_', '/');
    while (encoded.size() % 4 != 0)
      encoded += '=';
    token_request.headers.emplace_back("Authorization", basic + encoded);
  } else {
    form.emplace_back("client_id", provider.client_id);
    form.emplace_back("client_secret", provider.client_secret);
  }
  token_request.body = formEncode(form);
  auto token_response = co_await http_.send(std::move(token_request));
  if (!token_response) co_return std::unexpected(token_response.error());
  auto tokens = jsonAnswer(*token_response, "token endpoint");
  if (!tokens) co_return std::unexpected(tokens.error());
  const std::string id_token(stringMember(*tokens, "id_token"));
  const std::string access_token(stringMember(*tokens, "access_token"));
  if (id_token.empty()) co_return refused("token endpoint: no id_token");

  const std::string kid = jwsKeyId(id_token).value_or("");
  auto keys = co_await jwks(provider, endpoints, kid);
  if (!keys) co_return std::unexpected(keys.error());
  IdTokenCheck check{provider.issuer, provider.client_id, params.nonce, clock_.unixMillis() / 1000, kLeewaySeconds};
  auto claims = verifyIdToken(id_token, **keys, check);
  if (!claims) co_return refused("ID token: " + claims.error().message);

  // Providers may keep profile claims out of the ID token in the code flow and give them at the
  // userinfo endpoint; its `sub` must be the ID token's (Core §5.3.2).
  if (!endpoints.userinfo_endpoint.empty() && !access_token.empty() &&
      (claims->email.empty() || (claims->preferred_username.empty() && claims->name.empty()))) {
    HttpRequest userinfo_request;
    userinfo_request.url = endpoints.userinfo_endpoint;
    userinfo_request.headers.emplace_back("Accept", "application/json");
    userinfo_request.headers.emplace_back("Authorization", "Bearer " + access_token);
    auto userinfo_response = co_await http_.send(std::move(userinfo_request));
    if (!userinfo_response) co_return std::unexpected(userinfo_response.error());
    auto userinfo = jsonAnswer(*userinfo_response, "userinfo");
    if (!userinfo) co_return std::unexpected(userinfo.error());
    if (stringMember(*userinfo, "sub") != claims->subject)
      co_return refused("userinfo sub differs from the ID token's");
    if (claims->email.empty()) {
      claims->email = std::string(stringMember(*userinfo, "email"));
      const auto* verified = userinfo->if_contains("email_verified");
      claims->email_verified = verified != nullptr && ((verified->is_bool() && verified->get_bool()) ||
                                                       (verified->is_string() && verified->get_string() == "true"));
    }
    if (claims->preferred_username.empty()) {
      claims->preferred_username = std::string(stringMember(*userinfo, "preferred_username"));
    }
    if (claims->name.empty()) claims->name = std::string(stringMember(*userinfo, "name"));
  }

  ExternalIdentity identity;
  identity.subject = claims->subject;
  identity.email = claims->email;
  identity.email_verified = claims->email_verified && !claims->email.empty();
  identity.username_hint = !claims->preferred_username.empty() ? claims->preferred_username
                           : !claims->email.empty()            ? localPart(claims->email)
                                                               : claims->name;
  identity.display_name = !claims->name.empty() ? claims->name : claims->preferred_username;
  identity.label = !claims->preferred_username.empty() ? claims->preferred_username
                   : !claims->email.empty()            ? claims->email
                   : !claims->name.empty()             ? claims->name
                                                       : claims->subject;
  co_return identity;
}

asio::awaitable<core::Result<ExternalIdentity>> Providers::redeemGitHub(const Provider& provider, RedeemParams params) {
  const std::vector<std::pair<std::string, std::string>> form{{"client_id", provider.client_id},
                                                              {"client_secret", provider.client_secret},
                                                              {"code", params.code},
                                                              {"redirect_uri", params.redirect_uri},
                                                              {"code_verifier", params.code_verifier}};
  HttpRequest token_request;
  token_request.post = true;
  token_request.url = provider.token_url;
  // Without this GitHub answers form-encoded.
  token_request.headers.emplace_back("Accept", "application/json");
  token_request.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  token_request.body = formEncode(form);
  auto token_response = co_await http_.send(std::move(token_request));
  if (!token_response) co_return std::unexpected(token_response.error());
  auto tokens = jsonAnswer(*token_response, "GitHub token endpoint");
  if (!tokens) co_return std::unexpected(tokens.error());
  const std::string access_token(stringMember(*tokens, "access_token"));
  if (access_token.empty()) co_return refused("GitHub token endpoint: no access_token");

  const auto apiRequest = [&](std::string path) {
    HttpRequest request;
    request.url = provider.api_url + path;
    request.headers.emplace_back("Accept", "application/vnd.github+json");
    request.headers.emplace_back("Authorization", "Bearer " + access_token);
    request.headers.emplace_back("X-GitHub-Api-Version", "2022-11-28");
    return request;
  };
  auto user_request = apiRequest("/user");
  auto user = co_await http_.send(std::move(user_request));
  if (!user) co_return std::unexpected(user.error());
  if (user->status != 200) co_return refused(fmt::format("GitHub /user: HTTP {}", user->status));
  auto emails_request = apiRequest("/user/emails");
  auto emails = co_await http_.send(std::move(emails_request));
  if (!emails) co_return std::unexpected(emails.error());
  // Without the user:email scope GitHub answers 403/404: an account without a verified address.
  const std::string emails_body = emails->status == 200 ? emails->body : std::string();
  co_return parseGitHubUser(user->body, emails_body);
}

} // namespace hearth::oauth
