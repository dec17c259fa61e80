-- 0004: date rows by the length of their range. `span` is 0 for a range of at most a day, 1 up
-- to 32 days, 2 up to 366 days and 3 for longer and open ones (store::common::kDateSpanBounds).
-- A range of at most L that ends at or after X starts at or after X - L: a search seeks each
-- class in (param, span, low), and two criteria on a parameter with one value per resource
-- (date=ge2020-03-01&date=lt2020-03-08) read just the rows between their bounds. The indexes on
-- low and high give way to it; only the long rows, where no such bound holds, keep one on high.
-- high - low beyond the integers (an open range) becomes a real number in SQLite: class 3.
ALTER TABLE idx_date ADD COLUMN span INTEGER GENERATED ALWAYS AS (
  CASE WHEN high - low <= 86400000000 THEN 0
       WHEN high - low <= 2764800000000 THEN 1
       WHEN high - low <= 31622400000000 THEN 2
       ELSE 3 END) VIRTUAL;
DROP INDEX idx_date_by_low;
DROP INDEX idx_date_by_high;
CREATE INDEX idx_date_by_span ON idx_date (param, span, low);
CREATE INDEX idx_date_long ON idx_date (param, high) WHERE span = 3;
