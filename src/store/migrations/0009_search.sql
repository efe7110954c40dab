-- 0009: full-text search of messages (docs/search.md).
--
-- An expression index rather than a stored tsvector column: no table rewrite on upgrade and no
-- extra bytes per message; queries repeat the expression exactly so the planner can use it, and
-- ts_rank recomputes the vector only for the rows that matched. The 'simple' configuration
-- lowercases and splits words without stemming or stop words, so it treats every language alike
-- (an English stemmer would mangle other languages); searches match the last word as a prefix.
CREATE INDEX messages_search ON messages USING GIN (to_tsvector('simple', content));
