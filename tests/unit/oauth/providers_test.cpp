#include "oauth/providers.hpp"

#include <gtest/gtest.h>

namespace hearth::oauth {
namespace {

TEST(ProvidersTest, TurnsOnWhatIsConfiguredInAFixedOrder) {
  OAuthSettings settings;
  auto none = providersFrom(settings);
  ASSERT_TRUE(none.has_value());
  EXPECT_TRUE(none->empty());

  settings.oidc_issuer = "https://sso.example.org/realms/staff";
  settings.oidc_client_id = "hearth";
  settings.oidc_name = "Staff SSO";
  settings.google_client_id = "g-id";
  settings.google_client_secret = "g-secret";
  settings.github_client_id = "gh-id";
  settings.github_client_secret = "gh-secret";
  auto all = providersFrom(settings);
  ASSERT_TRUE(all.has_value()) << all.error().message;
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].id, "github");
  EXPECT_EQ((*all)[0].name, "GitHub");
  EXPECT_EQ((*all)[0].protocol, Protocol::kGitHub);
  EXPECT_EQ((*all)[0].authorize_url, "https://github.com/login/oauth/authorize");
  EXPECT_EQ((*all)[0].token_url, "https://github.com/login/oauth/access_token");
  EXPECT_EQ((*all)[0].api_url, "https://api.github.com");
  EXPECT_EQ((*all)[0].scope, "read:user user:email");
  EXPECT_EQ((*all)[1].id, "google");
  EXPECT_EQ((*all)[1].issuer, "https://accounts.google.com");
  EXPECT_EQ((*all)[1].scope, "openid email profile");
  EXPECT_EQ((*all)[2].id, "oidc");
  EXPECT_EQ((*all)[2].name, "Staff SSO");
  EXPECT_EQ((*all)[2].issuer, "https://sso.example.org/realms/staff");
}

TEST(ProvidersTest, RefusesHalfConfiguredProvidersAndUnsafeUrls) {
  OAuthSettings github;
  github.github_client_id = "id";
  EXPECT_EQ(providersFrom(github).error().message, "--oauth-github-client-secret is required");
  OAuthSettings google;
  google.google_client_secret = "secret";
  EXPECT_EQ(providersFrom(google).error().message, "--oauth-google-client-id is required");
  OAuthSettings oidc;
  oidc.oidc_client_id = "id";
  EXPECT_FALSE(providersFrom(oidc).has_value());
  oidc.oidc_issuer = "http://sso.example.org";
  EXPECT_FALSE(providersFrom(oidc).has_value()) << "plain http off loopback";
  oidc.oidc_issuer = "http://127.0.0.1:4000";
  EXPECT_TRUE(providersFrom(oidc).has_value());
  github.github_client_secret = "secret";
  github.github_api_url = "ftp://api.github.com";
  EXPECT_FALSE(providersFrom(github).has_value());
}

TEST(ProvidersTest, AcceptsHttpsOrLoopbackHttpOnly) {
  for (const std::string_view good : {"https://accounts.google.com", "https://a.example:8443/x", "http://127.0.0.1:9/",
                                      "http://localhost:3000/oidc", "http://[::1]:80"}) {
    EXPECT_TRUE(acceptableEndpoint(good)) << good;
  }
  for (const std::string_view bad :
       {"http://example.org", "file:///etc/passwd", "https://", "gopher://x", "https://user:pw@example.org/",
        "http://localhost.evil.org/", "http://127.0.0.1@evil.org/", "HTTPS://x", ""}) {
    EXPECT_FALSE(acceptableEndpoint(bad)) << bad;
  }
}

TEST(ProvidersTest, FormEncodingEscapesAllButUnreserved) {
  EXPECT_EQ(formEncode({{"redirect_uri", "http://h:1/a b?c=d&e"}, {"scope", "openid email"}}),
            "redirect_uri=http%3A%2F%2Fh%3A1%2Fa%20b%3Fc%3Dd%26e&scope=openid%20email");
  EXPECT_EQ(percentEncode("Aa0-._~é"), "Aa0-._~%C3%A9");
}

constexpr std::string_view kDiscovery = R"({
  "issuer": "https://id.example.org",
  "authorization_endpoint": "https://id.example.org/auth",
  "token_endpoint": "https://id.example.org/token",
  "userinfo_endpoint": "https://id.example.org/me",
  "jwks_uri": "https://id.example.org/jwks",
  "code_challenge_methods_supported": ["plain", "S256"],
  "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"]
})";

TEST(DiscoveryTest, ReadsTheEndpoints) {
  auto metadata = parseDiscovery(kDiscovery, "https://id.example.org");
  ASSERT_TRUE(metadata.has_value()) << metadata.error().message;
  EXPECT_EQ(metadata->authorization_endpoint, "https://id.example.org/auth");
  EXPECT_EQ(metadata->token_endpoint, "https://id.example.org/token");
  EXPECT_EQ(metadata->userinfo_endpoint, "https://id.example.org/me");
  EXPECT_EQ(metadata->jwks_uri, "https://id.example.org/jwks");
  EXPECT_TRUE(metadata->client_secret_basic);
}

TEST(DiscoveryTest, RequiresTheExactIssuer) {
  auto other = parseDiscovery(kDiscovery, "https://id.example.org/");
  ASSERT_FALSE(other.has_value());
  EXPECT_EQ(other.error().code, core::ErrorCode::kUnauthorized);
  EXPECT_FALSE(parseDiscovery(kDiscovery, "https://evil.example.org").has_value());
}

TEST(DiscoveryTest, RefusesMissingOrUnsafeEndpointsAndNoS256) {
  std::string doc(kDiscovery);
  const auto replaced = [&](std::string_view from, std::string_view to) {
    std::string copy = doc;
    copy.replace(copy.find(from), from.size(), to);
    return copy;
  };
  EXPECT_FALSE(parseDiscovery(replaced("\"jwks_uri\"", "\"jwks\""), "https://id.example.org").has_value());
  EXPECT_FALSE(
      parseDiscovery(replaced("https://id.example.org/token", "http://id.example.org/token"), "https://id.example.org")
          .has_value());
  EXPECT_FALSE(parseDiscovery(replaced(R"(["plain", "S256"])", R"(["plain"])"), "https://id.example.org").has_value());
  auto post_only =
      parseDiscovery(replaced(R"(["client_secret_basic", "client_secret_post"])", R"(["client_secret_post"])"),
                     "https://id.example.org");
  ASSERT_TRUE(post_only.has_value());
  EXPECT_FALSE(post_only->client_secret_basic);
  EXPECT_FALSE(parseDiscovery("[]", "https://id.example.org").has_value());
}

TEST(GitHubTest, TakesTheNumericIdAndThePrimaryVerifiedEmail) {
  const auto identity =
      parseGitHubUser(R"({"login": "octocat", "id": 583231, "name": "The Octocat", "email": "public@example.org"})",
                      R"([{"email": "old@example.org", "primary": false, "verified": true},
          {"email": "octo@example.org", "primary": true, "verified": true, "visibility": "private"}])");
  ASSERT_TRUE(identity.has_value());
  EXPECT_EQ(identity->subject, "583231");
  EXPECT_EQ(identity->username_hint, "octocat");
  EXPECT_EQ(identity->display_name, "The Octocat");
  EXPECT_EQ(identity->label, "octocat");
  EXPECT_EQ(identity->email, "octo@example.org");
  EXPECT_TRUE(identity->email_verified);
}

TEST(GitHubTest, IgnoresUnverifiedAndPublicProfileAddresses) {
  const auto identity = parseGitHubUser(R"({"login": "octocat", "id": 1, "name": null, "email": "public@example.org"})",
                                        R"([{"email": "octo@example.org", "primary": true, "verified": false}])");
  ASSERT_TRUE(identity.has_value());
  EXPECT_EQ(identity->email, "");
  EXPECT_FALSE(identity->email_verified);
  EXPECT_EQ(identity->display_name, "");
  const auto without_emails = parseGitHubUser(R"({"login": "octocat", "id": 1})", "");
  ASSERT_TRUE(without_emails.has_value());
  EXPECT_EQ(without_emails->email, "");
}

TEST(GitHubTest, RefusesAUserWithoutANumericId) {
  EXPECT_FALSE(parseGitHubUser(R"({"login": "octocat", "id": "583231"})", "").has_value());
  EXPECT_FALSE(parseGitHubUser(R"({"login": "octocat"})", "").has_value());
  EXPECT_FALSE(parseGitHubUser(R"({"login": "octocat", "id": -4})", "").has_value());
  EXPECT_FALSE(parseGitHubUser("not json", "").has_value());
}

} // namespace
} // namespace hearth::oauth
