-- 0001: the initial schema of the PostgreSQL store. docs/storage.md explains every table and index.
-- The same tables and value columns as the SQLite store, so that both run the same search SQL.
-- Every data table carries the patient compartment key `cid` as the leading column of its
-- primary key, so the schema can be distributed by patient (Citus:
-- create_distributed_table(table, 'cid')); the catalogs (schema_version, resource_types,
-- search_params) are small reference tables. `cid` is Hash64("Patient/<id>") for a patient's
-- compartment and 0 for the system compartment, so the compartment of a patient's resources can
-- be computed from the reference alone. Integer ids (type_id, param_id, rid, content_id) are
-- internal and never leave the store. Text that search compares by range uses COLLATE "C"
-- (byte order, as in SQLite).

CREATE TABLE resource_types (
  type_id integer PRIMARY KEY,
  name text COLLATE "C" NOT NULL UNIQUE
);

CREATE TABLE search_params (
  param_id integer PRIMARY KEY,
  resource_type text COLLATE "C" NOT NULL,
  code text COLLATE "C" NOT NULL,
  param_type text NOT NULL,
  url text NOT NULL,
  UNIQUE (resource_type, code)
);

-- rid and content_id are drawn in blocks by the writer (INCREMENT 1000: one round trip per
-- thousand new resources); gaps are harmless.
CREATE SEQUENCE rid_blocks INCREMENT 1000 MINVALUE 1 START 1;
CREATE SEQUENCE content_blocks INCREMENT 1000 MINVALUE 1 START 1;

-- Key compartments: one per patient, plus the system compartment (cid 0, patient_id NULL).
CREATE TABLE compartments (
  cid bigint NOT NULL,
  patient_id text COLLATE "C",
  wrapped_key bytea NOT NULL,
  created_at bigint NOT NULL,
  PRIMARY KEY (cid)
);

-- Sealed resource JSON, one row per non-deletion version. Ciphertext does not compress:
-- EXTERNAL keeps TOAST from trying.
CREATE TABLE contents (
  cid bigint NOT NULL,
  content_id bigint NOT NULL,
  sealed bytea NOT NULL,
  PRIMARY KEY (cid, content_id)
);
ALTER TABLE contents ALTER COLUMN sealed SET STORAGE EXTERNAL;

-- One row per resource (type, id): its current version, in the compartment of that version.
CREATE TABLE resources (
  cid bigint NOT NULL,
  rid bigint NOT NULL,
  type_id integer NOT NULL,
  id text COLLATE "C" NOT NULL,
  ref_hash bigint NOT NULL,           -- Hash64("Type/id"): lookup by id, reference targets
  version bigint NOT NULL,
  method smallint NOT NULL,
  deleted smallint NOT NULL,          -- 1 when the current version is a deletion
  last_updated bigint NOT NULL,       -- microseconds since the epoch
  content_id bigint,                  -- current content; NULL when deleted
  params text COLLATE "C",            -- ",12,57," the param_ids with a value (:missing)
  PRIMARY KEY (cid, rid)
);
CREATE INDEX resources_by_rid ON resources (rid);
CREATE INDEX resources_by_ref ON resources (ref_hash);
CREATE INDEX resources_by_type ON resources (type_id, deleted, rid);
CREATE INDEX resources_by_type_time ON resources (type_id, last_updated);

-- The encoded index rows of each resource's current version (src/store/common/index_rows.hpp).
CREATE TABLE index_keys (
  cid bigint NOT NULL,
  rid bigint NOT NULL,
  keys bytea NOT NULL,
  PRIMARY KEY (cid, rid)
);

-- Every version of every resource; never updated or deleted.
CREATE TABLE versions (
  cid bigint NOT NULL,
  rid bigint NOT NULL,
  version bigint NOT NULL,
  type_id integer NOT NULL,
  last_updated bigint NOT NULL,       -- strictly increasing in commit order
  method smallint NOT NULL CHECK (method IN (0, 1, 2)),
  content_id bigint,                  -- NULL for a deletion
  PRIMARY KEY (cid, rid, version)
);
CREATE INDEX versions_by_rid ON versions (rid, version);
CREATE INDEX versions_by_time ON versions (last_updated);
CREATE INDEX versions_by_type_time ON versions (type_id, last_updated);

-- Search index: current versions only. The primary key (cid, rid, ...) serves maintenance and
-- probes (which name the candidate's cid and rid); the other indexes are the SQLite tables'
-- (param, value...) keys, which the shared search SQL seeks to list matches.

CREATE TABLE idx_token (
  cid bigint NOT NULL, rid bigint NOT NULL,
  param integer NOT NULL, code bigint NOT NULL, sys bigint NOT NULL,
  PRIMARY KEY (cid, rid, param, code, sys)
);
CREATE INDEX idx_token_by_code ON idx_token (param, code, rid, sys);

CREATE TABLE idx_text (
  cid bigint NOT NULL, rid bigint NOT NULL,
  param integer NOT NULL, text text COLLATE "C" NOT NULL,
  PRIMARY KEY (cid, rid, param, text)
);
CREATE INDEX idx_text_by_text ON idx_text (param, text, rid);

CREATE TABLE idx_string (
  cid bigint NOT NULL, rid bigint NOT NULL,
  param integer NOT NULL, value text COLLATE "C" NOT NULL, exact text COLLATE "C" NOT NULL,
  PRIMARY KEY (cid, rid, param, value, exact)
);
CREATE INDEX idx_string_by_value ON idx_string (param, value, rid);

CREATE TABLE idx_date (
  cid bigint NOT NULL, rid bigint NOT NULL,
  param integer NOT NULL, low bigint NOT NULL, high bigint NOT NULL,
  PRIMARY KEY (cid, rid, param, low, high)
);
CREATE INDEX idx_date_by_low ON idx_date (param, low);
CREATE INDEX idx_date_by_high ON idx_date (param, high);

CREATE TABLE idx_number (
  cid bigint NOT NULL, rid bigint NOT NULL,
  param integer NOT NULL, value double precision NOT NULL,
  PRIMARY KEY (cid, rid, param, value)
);
CREATE INDEX idx_number_by_value ON idx_number (param, value);

CREATE TABLE idx_quantity (
  cid bigint NOT NULL, rid bigint NOT NULL,
  param integer NOT NULL, unit bigint NOT NULL, value double precision NOT NULL,
  raw double precision NOT NULL, sys bigint NOT NULL,
  PRIMARY KEY (cid, rid, param, unit, value, raw, sys)
);
CREATE INDEX idx_quantity_by_value ON idx_quantity (param, unit, value);

CREATE TABLE idx_reference (
  cid bigint NOT NULL, rid bigint NOT NULL,
  param integer NOT NULL, target bigint NOT NULL,
  PRIMARY KEY (cid, rid, param, target)
);
CREATE INDEX idx_reference_by_target ON idx_reference (param, target, rid);

CREATE TABLE idx_uri (
  cid bigint NOT NULL, rid bigint NOT NULL,
  param integer NOT NULL, uri text COLLATE "C" NOT NULL,
  PRIMARY KEY (cid, rid, param, uri)
);
CREATE INDEX idx_uri_by_uri ON idx_uri (param, uri, rid);

CREATE TABLE idx_composite (
  cid bigint NOT NULL, rid bigint NOT NULL,
  param integer NOT NULL, head bigint NOT NULL,
  sys1 bigint NOT NULL, sys2 bigint NOT NULL,
  low1 double precision NOT NULL, high1 double precision NOT NULL, raw1 double precision NOT NULL,
  low2 double precision NOT NULL, high2 double precision NOT NULL, unit bigint NOT NULL,
  PRIMARY KEY (cid, rid, param, head, sys1, sys2, low1, high1, raw1, low2, high2, unit)
);
CREATE INDEX idx_composite_by_head ON idx_composite (param, head, rid);
