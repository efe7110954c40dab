-- 0006: reactions, pins, read states, and the channel fields clients compare them with.

-- Unicode emoji reactions: one row per (message, emoji, user). `position` orders a message's
-- emoji by when each was first added (min over its rows); the primary key serves both a page's
-- counts (message_id = ANY) and the "who reacted" list (by user id).
CREATE SEQUENCE reaction_positions;
CREATE TABLE reactions (
  message_id BIGINT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  emoji      TEXT   NOT NULL,
  user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  position   BIGINT NOT NULL DEFAULT nextval('reaction_positions'),
  PRIMARY KEY (message_id, emoji, user_id)
);

-- Pins: when a message was pinned (the pins list is most recently pinned first, 50 at most).
ALTER TABLE messages ADD COLUMN pinned_at TIMESTAMPTZ;
UPDATE messages SET pinned_at = created_at WHERE pinned;
CREATE INDEX messages_pinned ON messages (channel_id, pinned_at DESC) WHERE pinned;

-- Channels carry their newest message (set in the send transaction) and the time of their
-- latest pin, as Discord's channel objects do; clients compare these with their read state.
ALTER TABLE channels ADD COLUMN last_message_id BIGINT, ADD COLUMN last_pin_timestamp TIMESTAMPTZ;
UPDATE channels c SET last_message_id = (SELECT max(m.id) FROM messages m WHERE m.channel_id = c.id);

-- Mention counts and the mentions inbox read only messages that mention someone: this index
-- holds just those, by channel and id, so "mentions of me after my marker" is a short range
-- scan per channel. The query repeats the predicate so the planner can use it.
CREATE INDEX messages_mentioning ON messages (channel_id, id)
  WHERE mention_everyone OR mentions <> '{}' OR mention_roles <> '{}';

-- Read states: how far each user has read each channel (a message id; 0 = nothing acked) and
-- the pin time they have seen. `version` comes from one sequence, so it only grows for a user;
-- READY sends the user's highest and MESSAGE_ACK the new one.
CREATE SEQUENCE read_state_versions;
CREATE TABLE read_states (
  user_id            BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  channel_id         BIGINT      NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
  last_message_id    BIGINT      NOT NULL DEFAULT 0,
  last_pin_timestamp TIMESTAMPTZ,
  version            BIGINT      NOT NULL DEFAULT nextval('read_state_versions'),
  PRIMARY KEY (user_id, channel_id)
);
