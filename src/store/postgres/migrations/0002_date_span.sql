-- 0002: date rows by the length of their range, as SQLite migration 0004 (docs/storage.md):
-- `span` 0 for at most a day, 1 up to 32 days, 2 up to 366 days, 3 longer and open
-- (store::common::kDateSpanBounds). The difference is taken in numeric: open ranges span the
-- whole bigint range.
ALTER TABLE idx_date ADD COLUMN span smallint GENERATED ALWAYS AS (
  CASE WHEN high::numeric - low <= 86400000000 THEN 0
       WHEN high::numeric - low <= 2764800000000 THEN 1
       WHEN high::numeric - low <= 31622400000000 THEN 2
       ELSE 3 END) STORED;
DROP INDEX idx_date_by_low;
DROP INDEX idx_date_by_high;
CREATE INDEX idx_date_by_span ON idx_date (param, span, low);
CREATE INDEX idx_date_long ON idx_date (param, high) WHERE span = 3;
