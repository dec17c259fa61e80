-- 0003: a bulk load (SqliteResourceStore::Options::bulk_load) inserts the index rows of the new
-- resources it writes in large sorted runs, after the transactions that wrote them. While rows
-- wait, this table holds one row: the first rid whose index rows wait. Every resource from that
-- rid on then has its rows in index_keys only, and the run that inserts them deletes this row in
-- its own transaction. Opening the store inserts whatever a stopped load left waiting.
CREATE TABLE pending_index (
  from_rid INTEGER NOT NULL
);
