#pragma once
// The random values of an authorization request (RFC 6749 §10.10, RFC 7636): state, the browser
// binding cookie, and what is derived from that cookie (PKCE code verifier, OIDC nonce).
#include <string>
#include <string_view>

namespace hearth::oauth {

//! 32 bytes from the operating system's CSPRNG, base64url without padding (43 characters).
std::string randomToken();

//! The PKCE S256 challenge of a verifier: base64url(SHA-256(verifier)) (RFC 7636 §4.2).
std::string pkceChallenge(std::string_view verifier);

//! The code verifier of a flow, derived from its browser cookie and state, so the database never
//! holds anything that helps redeem an authorization code. 43 base64url characters, as RFC 7636
//! §4.1 allows.
std::string codeVerifierFor(std::string_view browser_secret, std::string_view state);

//! The OIDC nonce of a flow: a hash of the browser cookie (OpenID Connect Core §15.5.2), so an
//! ID token is accepted only by the browser that started the flow.
std::string nonceFor(std::string_view browser_secret);

} // namespace hearth::oauth
