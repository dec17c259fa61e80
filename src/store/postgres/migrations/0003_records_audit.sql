-- 0003: identity and audit data beside the records, as SQLite migration 0005
-- (docs/adr/0006-identity-and-audit-data-in-the-record-store.md).
CREATE TABLE records (
  kind text NOT NULL,
  key text NOT NULL,
  value text NOT NULL,
  PRIMARY KEY (kind, key)
);

CREATE TABLE audit_log (
  sequence bigint PRIMARY KEY,
  body bytea NOT NULL,
  chain bytea NOT NULL
);
