-- 0005: messages in server text channels, and the per-user slowmode clock.

CREATE TABLE messages (
  id               BIGINT      PRIMARY KEY,          -- snowflake: also the message's time order
  channel_id       BIGINT      NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
  guild_id         BIGINT      NOT NULL,             -- the channel's server, for event delivery
  author_id        BIGINT      NOT NULL REFERENCES users (id), -- users are anonymized, never deleted
  content          TEXT        NOT NULL,
  nonce            TEXT,                             -- kept only for enforce_nonce sends (idempotence)
  edited_at        TIMESTAMPTZ,
  reference_id     BIGINT,                           -- the message replied to (may be deleted since)
  mention_everyone BOOLEAN     NOT NULL DEFAULT false,
  mentions         BIGINT[]    NOT NULL DEFAULT '{}', -- user ids, in order of first mention
  mention_roles    BIGINT[]    NOT NULL DEFAULT '{}',
  pinned           BOOLEAN     NOT NULL DEFAULT false,
  created_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
-- History pages: newest first within a channel.
CREATE INDEX messages_channel ON messages (channel_id, id DESC);
-- enforce_nonce: a repeat by the same author in the same channel conflicts here, so racing
-- repeats create one message. Nonces older than the idempotence window are cleared on reuse.
CREATE UNIQUE INDEX messages_nonce ON messages (author_id, channel_id, nonce) WHERE nonce IS NOT NULL;

-- Slowmode (rate_limit_per_user): when each user last sent in each channel. A separate row,
-- rather than the author's latest message, so the check-and-claim is one atomic upsert (racing
-- sends can't both pass) and deleting one's message doesn't reset the clock, as in Discord.
CREATE TABLE slowmode_state (
  channel_id   BIGINT      NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
  user_id      BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  last_sent_at TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (channel_id, user_id)
);
