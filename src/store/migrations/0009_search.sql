-- 0009: full-text search of messages (docs/search.md).
--
-- The 'simple' configuration lowercases and splits words without stemming or stop words, so it
-- treats every language alike (an English stemmer would mangle other languages); searches match
-- the last word as a prefix. The vector is a stored generated column rather than an index on the
-- expression: ranking (ts_rank) and the index's rechecks read it instead of parsing the content
-- again for every matching row, which is most of a common word's cost in a large server
-- (bench/README.md, "Search"). Adding it rewrites the table once.
ALTER TABLE messages ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (to_tsvector('simple', content)) STORED;
CREATE INDEX messages_search ON messages USING GIN (search_vector);
