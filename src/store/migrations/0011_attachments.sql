-- 0011: files attached to messages. The bytes live in blob storage by content hash
-- (files::Storage); a row is one attachment of one message, so the same bytes sent twice are two
-- rows and one blob. Deleting a message deletes its rows; the per-user quota is the sum of the
-- sizes of the rows a user uploaded, so it goes down with them.

CREATE TABLE attachments (
  id           BIGINT   PRIMARY KEY,            -- snowflake
  message_id   BIGINT   NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  channel_id   BIGINT   NOT NULL,               -- the message's channel: part of the file's URL
  uploader_id  BIGINT   NOT NULL,
  position     SMALLINT NOT NULL,               -- order within the message
  filename     TEXT     NOT NULL,               -- sanitised (files::sanitizeFilename)
  description  TEXT,
  content_type TEXT     NOT NULL,               -- from the bytes (libmagic), never the client
  size         BIGINT   NOT NULL,               -- of the stored (sanitised) file
  sha256       TEXT     NOT NULL,               -- the served file's blob
  preview_sha256 TEXT,                          -- an image's preview blob; NULL: the file itself
  preview_type TEXT,
  width        INTEGER,                         -- images only
  height       INTEGER
);
CREATE INDEX attachments_message ON attachments (message_id, position);
-- The quota's sum.
CREATE INDEX attachments_uploader ON attachments (uploader_id) INCLUDE (size);
-- Whether a blob is still referenced (garbage collection).
CREATE INDEX attachments_sha256 ON attachments (sha256);
