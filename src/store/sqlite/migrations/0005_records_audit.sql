-- 0005: identity and audit data beside the records (docs/adr/0006-identity-and-audit-data-in-the-record-store.md).
-- `records` holds small keyed documents of the access and audit modules (users, sessions,
-- clients, break-the-glass grants, review items, audit checkpoints), one `kind` each.
CREATE TABLE records (
  kind TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (kind, key)
) WITHOUT ROWID;

-- The audit log: entries in commit order, each chained to the one before it (audit/chain.hpp).
-- Never updated or deleted by Chartroom.
CREATE TABLE audit_log (
  sequence INTEGER PRIMARY KEY,
  body BLOB NOT NULL,
  chain BLOB NOT NULL
);
