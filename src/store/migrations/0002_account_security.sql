-- 0002: email verification and password reset links, two-factor, profile fields, deletion.

-- Accounts made through an OAuth/OIDC provider may have no password, and a provider may give
-- no email address. The unique index on lower(email) still holds (NULLs never collide).
ALTER TABLE users ALTER COLUMN password_hash DROP NOT NULL;
ALTER TABLE users ALTER COLUMN email DROP NOT NULL;
ALTER TABLE users
  ADD COLUMN bio                 TEXT,
  ADD COLUMN avatar              TEXT,            -- content hash; the file is <data-dir>/avatars/<id>/<hash>
  ADD COLUMN totp_secret         TEXT,            -- base32; two-factor is on when set
  ADD COLUMN totp_pending_secret TEXT,            -- set up but not yet confirmed with a code
  ADD COLUMN totp_last_step      BIGINT,          -- the last accepted 30 s step: a code works once
  ADD COLUMN deleted_at          TIMESTAMPTZ;     -- the row stays as an anonymous tombstone

-- Mailed single-use links. Only the SHA-256 of the token is kept.
CREATE TABLE email_tokens (
  token_hash TEXT        PRIMARY KEY,
  user_id    BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  purpose    TEXT        NOT NULL CHECK (purpose IN ('verify', 'reset')),
  email      TEXT        NOT NULL,               -- the address it was sent to (verify: the one it proves)
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  expires_at TIMESTAMPTZ NOT NULL,
  used_at    TIMESTAMPTZ
);
CREATE INDEX email_tokens_user ON email_tokens (user_id, purpose);

-- Ten single-use recovery codes per account with two-factor on, by SHA-256.
CREATE TABLE recovery_codes (
  user_id   BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  code_hash TEXT        NOT NULL,
  used_at   TIMESTAMPTZ,
  PRIMARY KEY (user_id, code_hash)
);

-- A password (or provider) check passed for an account with two-factor on: the ticket is
-- exchanged for a session with a code. Five minutes, five tries.
CREATE TABLE mfa_tickets (
  ticket_hash TEXT        PRIMARY KEY,
  user_id     BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  expires_at  TIMESTAMPTZ NOT NULL,
  attempts    INT         NOT NULL DEFAULT 0,
  used_at     TIMESTAMPTZ
);
