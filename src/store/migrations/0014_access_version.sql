-- 0014: each server's access version, bumped in the same transaction as every change that can
-- change who may see its channels: membership, a member's roles, a role's permissions, a
-- channel's overwrites or type, a channel's deletion, the owner. Event delivery keeps what it
-- read of a server's permissions per node and reads only this number per event while it stays
-- the same (docs/architecture.md, "Event delivery"); a change committed anywhere is seen by the
-- next event's read.
ALTER TABLE guilds ADD COLUMN access_version BIGINT NOT NULL DEFAULT 0;

CREATE FUNCTION bump_access_version(guild BIGINT) RETURNS void LANGUAGE sql AS $$
  UPDATE guilds SET access_version = access_version + 1 WHERE id = guild;
$$;

-- Joining and leaving already update the server's row (member_count): the same update bumps it.
CREATE OR REPLACE FUNCTION members_count_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    UPDATE guilds SET member_count = member_count + 1, access_version = access_version + 1 WHERE id = NEW.guild_id;
  ELSE
    -- A server being deleted takes its members along: its row is already gone, nothing to update.
    UPDATE guilds SET member_count = member_count - 1, access_version = access_version + 1 WHERE id = OLD.guild_id;
  END IF;
  RETURN NULL;
END $$;

CREATE FUNCTION access_change_by_guild() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM bump_access_version(CASE WHEN TG_OP = 'DELETE' THEN OLD.guild_id ELSE NEW.guild_id END);
  RETURN NULL;
END $$;

CREATE TRIGGER member_roles_access AFTER INSERT OR DELETE ON member_roles
  FOR EACH ROW EXECUTE FUNCTION access_change_by_guild();
CREATE TRIGGER roles_access AFTER INSERT OR DELETE OR UPDATE OF permissions ON roles
  FOR EACH ROW EXECUTE FUNCTION access_change_by_guild();
CREATE TRIGGER channels_access AFTER DELETE OR UPDATE OF type, guild_id, thread_parent_id ON channels
  FOR EACH ROW EXECUTE FUNCTION access_change_by_guild();

CREATE FUNCTION access_change_by_channel() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM bump_access_version(c.guild_id) FROM channels c
    WHERE c.id = CASE WHEN TG_OP = 'DELETE' THEN OLD.channel_id ELSE NEW.channel_id END;
  RETURN NULL;
END $$;

CREATE TRIGGER permission_overwrites_access AFTER INSERT OR DELETE OR UPDATE ON permission_overwrites
  FOR EACH ROW EXECUTE FUNCTION access_change_by_channel();

CREATE FUNCTION guild_owner_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.access_version := OLD.access_version + 1;
  RETURN NEW;
END $$;

CREATE TRIGGER guilds_owner_access BEFORE UPDATE OF owner_id ON guilds
  FOR EACH ROW WHEN (OLD.owner_id IS DISTINCT FROM NEW.owner_id) EXECUTE FUNCTION guild_owner_change();
