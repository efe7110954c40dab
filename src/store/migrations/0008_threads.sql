-- 0008: threads (docs/threads.md). A thread is a channel row of type 11 (public) or 12 (private)
-- in its server, under a text channel; its permissions are the parent's, so it has no overwrites.

-- parent_id keeps the parent for every reader of channels; its foreign key sets NULL on delete
-- (a category's children stay), so thread_parent_id repeats it with a key that deletes the
-- threads together with their parent channel.
ALTER TABLE channels
  ADD COLUMN thread_parent_id      BIGINT REFERENCES channels (id) ON DELETE CASCADE,
  ADD COLUMN archived              BOOLEAN NOT NULL DEFAULT false, -- archived by someone
  ADD COLUMN auto_archive_duration INT,                            -- minutes: 60, 1440, 4320 or 10080
  ADD COLUMN archive_timestamp     TIMESTAMPTZ,                    -- when `archived` last changed
  ADD COLUMN locked                BOOLEAN NOT NULL DEFAULT false,
  ADD COLUMN invitable             BOOLEAN NOT NULL DEFAULT true,  -- private: members may add others
  -- The last message, or the last unarchiving: a thread reads as archived once this is
  -- auto_archive_duration old (computed on read; nothing sweeps).
  ADD COLUMN last_activity_at      TIMESTAMPTZ,
  ADD CONSTRAINT channels_thread_shape CHECK (
    (type IN (11, 12)) = (thread_parent_id IS NOT NULL)
    AND (type NOT IN (11, 12) OR (owner_id IS NOT NULL AND auto_archive_duration IN (60, 1440, 4320, 10080)
                                  AND archive_timestamp IS NOT NULL AND last_activity_at IS NOT NULL)));
CREATE INDEX channels_thread_parent ON channels (thread_parent_id) WHERE thread_parent_id IS NOT NULL;
CREATE INDEX channels_guild_threads ON channels (guild_id, id) WHERE type IN (11, 12);

-- Who is in each thread. `flags` are Discord's notification flags (always 0 for now).
CREATE TABLE thread_members (
  thread_id      BIGINT      NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
  user_id        BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  join_timestamp TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
  flags          INT         NOT NULL DEFAULT 0,
  PRIMARY KEY (thread_id, user_id)
);
CREATE INDEX thread_members_user ON thread_members (user_id);

-- Leaving a server (kicked, banned, left) leaves its threads too, as in Discord: a member who
-- comes back isn't silently back in private threads. Server deletion cascades anyway.
CREATE FUNCTION thread_members_leave_with_server() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM thread_members t USING channels c
   WHERE c.id = t.thread_id AND c.guild_id = OLD.guild_id AND t.user_id = OLD.user_id;
  RETURN NULL;
END
$$;
CREATE TRIGGER members_leave_threads AFTER DELETE ON members
  FOR EACH ROW EXECUTE FUNCTION thread_members_leave_with_server();
