-- 0001: bookkeeping only. Later issues add the product's tables in new numbered files;
-- a migration is never edited once released.
CREATE TABLE IF NOT EXISTS node_starts (
  id         BIGSERIAL PRIMARY KEY,
  worker_id  INTEGER     NOT NULL,
  version    TEXT        NOT NULL,
  started_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
