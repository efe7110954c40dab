-- 0003: sign-in through OAuth 2.0 / OpenID Connect providers (docs/oauth.md).

-- An account at a provider that signs in to a Hearth account. Keyed by the provider's own
-- stable id (OIDC `sub`, GitHub's numeric user id), never by email: an address can change hands
-- or be unverified at the provider, so it never joins two accounts. One identity per provider
-- per account, so a connection is named by its provider alone.
CREATE TABLE user_identities (
  provider   TEXT        NOT NULL,                 -- "github", "google", "oidc"
  subject    TEXT        NOT NULL,
  user_id    BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  display    TEXT        NOT NULL DEFAULT '',      -- the provider's login or name, as last seen
  email      TEXT,                                 -- the provider's address, as last seen
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (provider, subject)
);
-- Also the index for "the identities of this account" (its leading column is user_id).
CREATE UNIQUE INDEX user_identities_user_provider ON user_identities (user_id, provider);

-- Authorization requests in flight: single use, ten minutes. Only hashes are kept: the state
-- (sent through the provider) and the browser cookie that must come back with it. The PKCE
-- verifier and the nonce are derived from that cookie, so nothing here helps redeem a code.
CREATE TABLE oauth_states (
  state_hash   TEXT        PRIMARY KEY,            -- hex SHA-256 of the state parameter
  provider     TEXT        NOT NULL,
  browser_hash TEXT        NOT NULL,               -- hex SHA-256 of the hearth_oauth cookie
  link_user_id BIGINT      REFERENCES users (id) ON DELETE CASCADE, -- set: link to this account, not sign in
  created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
  expires_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX oauth_states_expires ON oauth_states (expires_at);
