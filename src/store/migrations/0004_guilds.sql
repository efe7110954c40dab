-- 0004: servers (guilds), channels, roles, members, invites, bans, and the audit log.
-- Permission bitfields are BIGINT (bits 0-52 fit); ids are snowflakes.

CREATE TABLE guilds (
  id          BIGINT      PRIMARY KEY,
  name        TEXT        NOT NULL,
  icon        TEXT,                                -- content hash of the icon, like avatars
  description TEXT,
  owner_id    BIGINT      NOT NULL REFERENCES users (id),
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX guilds_owner ON guilds (owner_id);

-- The @everyone role has the server's id and position 0.
CREATE TABLE roles (
  id          BIGINT      PRIMARY KEY,
  guild_id    BIGINT      NOT NULL REFERENCES guilds (id) ON DELETE CASCADE,
  name        TEXT        NOT NULL,
  color       INT         NOT NULL DEFAULT 0,
  hoist       BOOLEAN     NOT NULL DEFAULT false,
  mentionable BOOLEAN     NOT NULL DEFAULT false,
  permissions BIGINT      NOT NULL DEFAULT 0,
  position    INT         NOT NULL DEFAULT 0,
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX roles_guild ON roles (guild_id, position);

CREATE TABLE channels (
  id                  BIGINT      PRIMARY KEY,
  guild_id            BIGINT      NOT NULL REFERENCES guilds (id) ON DELETE CASCADE,
  type                SMALLINT    NOT NULL,        -- 0 text, 2 voice, 4 category
  name                TEXT        NOT NULL,
  topic               TEXT,
  position            INT         NOT NULL DEFAULT 0,
  parent_id           BIGINT      REFERENCES channels (id) ON DELETE SET NULL,
  rate_limit_per_user INT         NOT NULL DEFAULT 0,
  bitrate             INT,
  user_limit          INT,
  nsfw                BOOLEAN     NOT NULL DEFAULT false,
  created_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX channels_guild ON channels (guild_id, position);

CREATE TABLE permission_overwrites (
  channel_id BIGINT   NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
  target_id  BIGINT   NOT NULL,                    -- a role id, or a user id
  type       SMALLINT NOT NULL CHECK (type IN (0, 1)), -- 0 role, 1 member
  allow      BIGINT   NOT NULL DEFAULT 0,
  deny       BIGINT   NOT NULL DEFAULT 0,
  PRIMARY KEY (channel_id, target_id)
);

CREATE TABLE members (
  guild_id                     BIGINT      NOT NULL REFERENCES guilds (id) ON DELETE CASCADE,
  user_id                      BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  nick                         TEXT,
  joined_at                    TIMESTAMPTZ NOT NULL DEFAULT now(),
  communication_disabled_until TIMESTAMPTZ,
  mute                         BOOLEAN     NOT NULL DEFAULT false,
  deaf                         BOOLEAN     NOT NULL DEFAULT false,
  PRIMARY KEY (guild_id, user_id)
);
CREATE INDEX members_user ON members (user_id);

CREATE TABLE member_roles (
  guild_id BIGINT NOT NULL,
  user_id  BIGINT NOT NULL,
  role_id  BIGINT NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
  PRIMARY KEY (guild_id, user_id, role_id),
  FOREIGN KEY (guild_id, user_id) REFERENCES members (guild_id, user_id) ON DELETE CASCADE
);

CREATE TABLE invites (
  code       TEXT        PRIMARY KEY,
  guild_id   BIGINT      NOT NULL REFERENCES guilds (id) ON DELETE CASCADE,
  channel_id BIGINT      NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
  inviter_id BIGINT      REFERENCES users (id) ON DELETE SET NULL,
  max_age    INT         NOT NULL DEFAULT 86400,   -- seconds; 0 = never expires
  max_uses   INT         NOT NULL DEFAULT 0,       -- 0 = unlimited
  uses       INT         NOT NULL DEFAULT 0,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  expires_at TIMESTAMPTZ                           -- NULL when max_age = 0
);
CREATE INDEX invites_guild ON invites (guild_id);

CREATE TABLE bans (
  guild_id   BIGINT      NOT NULL REFERENCES guilds (id) ON DELETE CASCADE,
  user_id    BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  reason     TEXT,
  moderator_id BIGINT,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (guild_id, user_id)
);

-- Discord's audit log: action_type uses Discord's numbers (1 GUILD_UPDATE, 10 CHANNEL_CREATE,
-- 20 MEMBER_KICK, 22 MEMBER_BAN_ADD, 24 MEMBER_UPDATE, 30 ROLE_CREATE, 40 INVITE_CREATE, ...).
CREATE TABLE audit_log (
  id          BIGINT      PRIMARY KEY,             -- snowflake: its time is when it happened
  guild_id    BIGINT      NOT NULL REFERENCES guilds (id) ON DELETE CASCADE,
  user_id     BIGINT,                              -- who acted
  target_id   BIGINT,
  action_type INT         NOT NULL,
  reason      TEXT,
  changes     JSONB       NOT NULL DEFAULT '[]',   -- [{key, old_value, new_value}]
  options     JSONB
);
CREATE INDEX audit_log_guild ON audit_log (guild_id, id DESC);
