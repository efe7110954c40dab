-- 0010: each server's member count, kept with the server by a trigger on members. READY, invites
-- and the large-server threshold read it instead of counting every member (2 ms at 5,000
-- members, paid by every member who connects).
ALTER TABLE guilds ADD COLUMN member_count INT NOT NULL DEFAULT 0;
UPDATE guilds g SET member_count = (SELECT count(*) FROM members m WHERE m.guild_id = g.id);

CREATE FUNCTION members_count_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    UPDATE guilds SET member_count = member_count + 1 WHERE id = NEW.guild_id;
  ELSE
    -- A server being deleted takes its members along: its row is already gone, nothing to update.
    UPDATE guilds SET member_count = member_count - 1 WHERE id = OLD.guild_id;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER members_count AFTER INSERT OR DELETE ON members
  FOR EACH ROW EXECUTE FUNCTION members_count_change();
