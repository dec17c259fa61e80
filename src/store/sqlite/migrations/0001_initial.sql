-- 0001: the initial schema of the SQLite store. docs/storage.md explains every table and index.
-- Integer ids (type_id, param_id, cid, rid, content_id) are internal and never leave the store.
-- Foreign keys are checked at commit (DEFERRABLE INITIALLY DEFERRED) and the store writes with
-- OR ROLLBACK: no statement then needs a statement journal, whose upkeep inside a savepoint
-- grows with the savepoint's size. The store checks its invariants before it writes, so a
-- violation is a bug and fails the whole transaction.

-- Resource type names, numbered on first use. The model's TypeIds change when the tables are
-- regenerated, so the database keeps its own numbers.
CREATE TABLE resource_types (
  type_id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
);

-- Search parameters by (resource type, code); param_id keys every index row and is stable for
-- the life of the database.
CREATE TABLE search_params (
  param_id INTEGER PRIMARY KEY,
  resource_type TEXT NOT NULL,
  code TEXT NOT NULL,
  param_type TEXT NOT NULL,
  url TEXT NOT NULL,
  UNIQUE (resource_type, code)
);

-- Key compartments: one per patient, plus the system compartment (patient_id NULL) for
-- resources outside every patient compartment. Data keys are stored only wrapped by the
-- master key.
CREATE TABLE compartments (
  cid INTEGER PRIMARY KEY,
  patient_id TEXT UNIQUE,
  wrapped_key BLOB NOT NULL,
  created_at INTEGER NOT NULL
);

-- Sealed resource JSON, one row per non-deletion version. Large values live in a rowid table:
-- WITHOUT ROWID tables keep whole rows in their b-tree cells and suit small rows only.
CREATE TABLE contents (
  content_id INTEGER PRIMARY KEY,
  sealed BLOB NOT NULL
);

-- One row per resource (type, id): its current version.
CREATE TABLE resources (
  rid INTEGER PRIMARY KEY,
  type_id INTEGER NOT NULL REFERENCES resource_types (type_id) DEFERRABLE INITIALLY DEFERRED,
  id TEXT NOT NULL,
  ref_hash INTEGER NOT NULL,            -- Hash64("Type/id"): lookup by id, reference targets
  version INTEGER NOT NULL,             -- current version, 1-based
  method INTEGER NOT NULL,              -- how the current version came to be (as in versions)
  deleted INTEGER NOT NULL,             -- 1 when the current version is a deletion
  last_updated INTEGER NOT NULL,        -- microseconds since the epoch, of the current version
  cid INTEGER NOT NULL REFERENCES compartments (cid) DEFERRABLE INITIALLY DEFERRED,
  content_id INTEGER REFERENCES contents (content_id) DEFERRABLE INITIALLY DEFERRED,  -- current content; NULL when deleted
  params TEXT                           -- ",12,57," the param_ids with a value (:missing)
);
CREATE INDEX resources_by_ref ON resources (ref_hash);
CREATE INDEX resources_by_type ON resources (type_id, deleted);
CREATE INDEX resources_by_type_time ON resources (type_id, last_updated);

-- The index rows of each resource's current version, encoded (index_rows.hpp), so that an update
-- removes exactly what the previous version added. Apart from resources to keep its rows small.
CREATE TABLE index_keys (
  rid INTEGER PRIMARY KEY REFERENCES resources (rid) DEFERRABLE INITIALLY DEFERRED,
  keys BLOB NOT NULL
);

-- Every version of every resource; never updated or deleted.
CREATE TABLE versions (
  rid INTEGER NOT NULL REFERENCES resources (rid) DEFERRABLE INITIALLY DEFERRED,
  version INTEGER NOT NULL,
  type_id INTEGER NOT NULL,
  last_updated INTEGER NOT NULL,        -- strictly increasing in commit order
  method INTEGER NOT NULL CHECK (method IN (0, 1, 2)),  -- create, update, delete
  cid INTEGER NOT NULL REFERENCES compartments (cid) DEFERRABLE INITIALLY DEFERRED,
  content_id INTEGER REFERENCES contents (content_id) DEFERRABLE INITIALLY DEFERRED,  -- NULL for a deletion
  PRIMARY KEY (rid, version)
) WITHOUT ROWID;
CREATE UNIQUE INDEX versions_by_time ON versions (last_updated);
CREATE INDEX versions_by_type_time ON versions (type_id, last_updated);

-- Search index: current versions only, rows keyed by param_id. See docs/storage.md.

-- token: code = Hash64(code), sys = Hash64(system) ("" when absent). One row per coding serves
-- code, |code and system|code; the key order (param, code, rid) lets a probe check one resource.
CREATE TABLE idx_token (
  param INTEGER NOT NULL,
  code INTEGER NOT NULL,
  rid INTEGER NOT NULL,
  sys INTEGER NOT NULL,
  PRIMARY KEY (param, code, rid, sys)
) WITHOUT ROWID;

-- token :text: the normalized display / text of codings and concepts.
CREATE TABLE idx_text (
  param INTEGER NOT NULL,
  text TEXT NOT NULL,
  rid INTEGER NOT NULL,
  PRIMARY KEY (param, text, rid)
) WITHOUT ROWID;

-- string: `value` is normalized (prefix and :contains), `exact` as written (:exact).
CREATE TABLE idx_string (
  param INTEGER NOT NULL,
  value TEXT NOT NULL,
  rid INTEGER NOT NULL,
  exact TEXT NOT NULL,
  PRIMARY KEY (param, value, rid, exact)
) WITHOUT ROWID;
CREATE INDEX idx_string_by_rid ON idx_string (param, rid);

-- date: the instant range [low, high] in microseconds, both ends inclusive.
CREATE TABLE idx_date (
  param INTEGER NOT NULL,
  rid INTEGER NOT NULL,
  low INTEGER NOT NULL,
  high INTEGER NOT NULL,
  PRIMARY KEY (param, rid, low, high)
) WITHOUT ROWID;
CREATE INDEX idx_date_by_low ON idx_date (param, low);
CREATE INDEX idx_date_by_high ON idx_date (param, high);

CREATE TABLE idx_number (
  param INTEGER NOT NULL,
  rid INTEGER NOT NULL,
  value REAL NOT NULL,
  PRIMARY KEY (param, rid, value)
) WITHOUT ROWID;
CREATE INDEX idx_number_by_value ON idx_number (param, value);

-- quantity: unit = Hash64(canonical unit code), value in canonical units, raw as written,
-- sys = Hash64(system).
CREATE TABLE idx_quantity (
  param INTEGER NOT NULL,
  rid INTEGER NOT NULL,
  unit INTEGER NOT NULL,
  value REAL NOT NULL,
  raw REAL NOT NULL,
  sys INTEGER NOT NULL,
  PRIMARY KEY (param, rid, unit, value, raw, sys)
) WITHOUT ROWID;
CREATE INDEX idx_quantity_by_value ON idx_quantity (param, unit, value);

-- reference: target = Hash64("Type/id") for relative references, Hash64(url) for absolute and
-- canonical ones (and Hash64(url|version)), identifier rows for :identifier.
CREATE TABLE idx_reference (
  param INTEGER NOT NULL,
  target INTEGER NOT NULL,
  rid INTEGER NOT NULL,
  PRIMARY KEY (param, target, rid)
) WITHOUT ROWID;

CREATE TABLE idx_uri (
  param INTEGER NOT NULL,
  uri TEXT NOT NULL,
  rid INTEGER NOT NULL,
  PRIMARY KEY (param, uri, rid)
) WITHOUT ROWID;

-- composite: head = hash of the equality components (token codes, references, strings, uris),
-- sys1/sys2 the systems of the first two token components, and up to two ranged components
-- (number, date, quantity) in slots 1 and 2; unit is the quantity's canonical unit hash.
CREATE TABLE idx_composite (
  param INTEGER NOT NULL,
  head INTEGER NOT NULL,
  rid INTEGER NOT NULL,
  sys1 INTEGER NOT NULL,
  sys2 INTEGER NOT NULL,
  low1 REAL NOT NULL,
  high1 REAL NOT NULL,
  raw1 REAL NOT NULL,
  low2 REAL NOT NULL,
  high2 REAL NOT NULL,
  unit INTEGER NOT NULL,
  PRIMARY KEY (param, head, rid, sys1, sys2, low1, high1, raw1, low2, high2, unit)
) WITHOUT ROWID;
