-- pgbench script: the INSERT hearthd runs for POST /channels/{id}/messages
-- (domain::Messages::send), one durable commit per message, as the peer of the message-create
-- benchmark. Ids come from a sequence, increasing like hearthd's snowflakes.
INSERT INTO messages (id, channel_id, guild_id, author_id, content, nonce, reference_id, mention_everyone, mentions,
                      mention_roles)
VALUES (nextval('bench_message_ids'), :channel, :guild, :author, 'bench message create', NULL, NULL, false,
        '{}'::bigint[], '{}'::bigint[])
ON CONFLICT (author_id, channel_id, nonce) WHERE nonce IS NOT NULL DO NOTHING;
