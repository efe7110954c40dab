-- 0012: Web Push (docs/notifications.md, "Web Push"). One subscription per sign-in session; the
-- server's VAPID key pair, shared by every node of a cluster.
CREATE TABLE push_subscriptions (
  session_id BIGINT      PRIMARY KEY REFERENCES auth_sessions (id) ON DELETE CASCADE,
  user_id    BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  endpoint   TEXT        NOT NULL,                 -- https URL of the push service
  p256dh     TEXT        NOT NULL,                 -- base64url: the user agent's P-256 public key
  auth       TEXT        NOT NULL,                 -- base64url: its 16-byte auth secret
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX push_subscriptions_user ON push_subscriptions (user_id);

-- Sessions end by revocation (the row stays): their subscriptions go with it.
CREATE FUNCTION push_subscriptions_session_revoked() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM push_subscriptions WHERE session_id = NEW.id;
  RETURN NULL;
END $$;
CREATE TRIGGER push_subscriptions_session_revoked AFTER UPDATE OF revoked_at ON auth_sessions
  FOR EACH ROW WHEN (NEW.revoked_at IS NOT NULL AND OLD.revoked_at IS NULL)
  EXECUTE FUNCTION push_subscriptions_session_revoked();

-- The VAPID (RFC 8292) key pair: one row, created by the first node to start.
CREATE TABLE vapid_keys (
  id          SMALLINT    PRIMARY KEY CHECK (id = 1),
  private_key TEXT        NOT NULL,                -- base64url P-256 scalar (32 bytes)
  public_key  TEXT        NOT NULL,                -- base64url uncompressed point (65 bytes)
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
