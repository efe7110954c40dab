-- 0001: accounts and their sign-in sessions. A migration is never edited once released;
-- changes are new numbered files.
CREATE TABLE users (
  id             BIGINT      PRIMARY KEY,           -- snowflake
  email          TEXT        NOT NULL,
  username       TEXT        NOT NULL,              -- stored lower-case, 2-32 of [a-z0-9_.]
  display_name   TEXT,
  password_hash  TEXT        NOT NULL,              -- libsodium Argon2id string
  email_verified BOOLEAN     NOT NULL DEFAULT false,
  created_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
CREATE UNIQUE INDEX users_username_key ON users (username);

-- One row per sign-in (a device or browser). Its refresh token rotates on every use.
CREATE TABLE auth_sessions (
  id           BIGINT      PRIMARY KEY,             -- snowflake, also the `sid` of access tokens
  user_id      BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  client       TEXT        NOT NULL DEFAULT '',     -- User-Agent at sign-in
  ip           TEXT        NOT NULL DEFAULT '',
  created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
  last_used_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  expires_at   TIMESTAMPTZ NOT NULL,
  revoked_at   TIMESTAMPTZ
);
CREATE INDEX auth_sessions_user ON auth_sessions (user_id) WHERE revoked_at IS NULL;

-- Every refresh token a session was given, by SHA-256. A rotated one presented again means it
-- was stolen or replayed: the whole session (the token family) is revoked.
CREATE TABLE refresh_tokens (
  token_hash TEXT        PRIMARY KEY,               -- hex SHA-256 of the opaque token
  session_id BIGINT      NOT NULL REFERENCES auth_sessions (id) ON DELETE CASCADE,
  issued_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  rotated_at TIMESTAMPTZ
);
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);
