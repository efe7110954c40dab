-- 0007: friends and blocks (relationships), direct messages and group DMs (docs/dms.md).

-- One row per (user, other) as the user sees it: 1 friend, 2 blocked, 3 incoming request,
-- 4 outgoing request. Friendship and requests come in pairs (1/1, 3/4); a block is one-sided
-- and never has a reciprocal row other than the other side's own block.
CREATE TABLE relationships (
  user_id  BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  other_id BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  type     SMALLINT    NOT NULL CHECK (type IN (1, 2, 3, 4)),
  since    TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, other_id),
  CHECK (user_id <> other_id)
);
CREATE INDEX relationships_other ON relationships (other_id);

-- DMs (type 1) and group DMs (type 3) are channels without a server. Groups have an owner, a
-- name and an icon (content hash, like server icons; '' name = none).
ALTER TABLE channels ALTER COLUMN guild_id DROP NOT NULL;
ALTER TABLE channels
  ADD COLUMN owner_id BIGINT REFERENCES users (id),
  ADD COLUMN icon     TEXT,
  ADD CONSTRAINT channels_private_have_no_guild CHECK ((guild_id IS NULL) = (type IN (1, 3)));

-- Who is in a DM or group. `open` is per recipient for DMs: closing a DM hides it from that
-- recipient's list until a new message reopens it. Leaving a group deletes the row.
CREATE TABLE channel_recipients (
  channel_id BIGINT      NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
  user_id    BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  open       BOOLEAN     NOT NULL DEFAULT true,
  added_at   TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (channel_id, user_id)
);
CREATE INDEX channel_recipients_user ON channel_recipients (user_id);

-- The one DM channel of each pair of users: racing opens meet on the primary key.
CREATE TABLE dm_pairs (
  user_low   BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  user_high  BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  channel_id BIGINT NOT NULL UNIQUE REFERENCES channels (id) ON DELETE CASCADE,
  PRIMARY KEY (user_low, user_high),
  CHECK (user_low < user_high)
);

-- Messages in DMs have no server.
ALTER TABLE messages ALTER COLUMN guild_id DROP NOT NULL;
