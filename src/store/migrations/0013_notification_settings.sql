-- 0013: notification settings (docs/notifications.md). Each server's default level, and each
-- user's settings per server (guild_id 0: their DMs, Discord's "@me") with overrides per channel.
-- A mute's end time is kept as it was set; a mute whose time has passed reads as no mute.
ALTER TABLE guilds ADD COLUMN default_message_notifications SMALLINT NOT NULL DEFAULT 0
  CHECK (default_message_notifications IN (0, 1));

CREATE TABLE user_guild_settings (
  user_id               BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  guild_id              BIGINT      NOT NULL, -- 0: DMs; no foreign key for that reason
  message_notifications SMALLINT    NOT NULL DEFAULT 3 CHECK (message_notifications BETWEEN 0 AND 3),
  muted                 BOOLEAN     NOT NULL DEFAULT false,
  mute_end_time         TIMESTAMPTZ, -- NULL with muted: until turned off
  mute_window           INTEGER,     -- the duration the user picked, seconds (-1: indefinitely)
  suppress_everyone     BOOLEAN     NOT NULL DEFAULT false,
  suppress_roles        BOOLEAN     NOT NULL DEFAULT false,
  version               BIGINT      NOT NULL,
  PRIMARY KEY (user_id, guild_id)
);

CREATE TABLE user_channel_overrides (
  user_id               BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  channel_id            BIGINT      NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
  guild_id              BIGINT      NOT NULL, -- 0: a DM channel
  message_notifications SMALLINT    NOT NULL DEFAULT 3 CHECK (message_notifications BETWEEN 0 AND 3),
  muted                 BOOLEAN     NOT NULL DEFAULT false,
  mute_end_time         TIMESTAMPTZ,
  mute_window           INTEGER,
  collapsed             BOOLEAN     NOT NULL DEFAULT false,
  PRIMARY KEY (user_id, channel_id)
);
CREATE INDEX user_channel_overrides_guild ON user_channel_overrides (user_id, guild_id);
