-- Case numbers from a sequence (#17, docs/decisions/case-number-sequence.md). The per-year counter
-- row (`INSERT … ON CONFLICT (year) DO UPDATE SET last = last + 1`) locked the year's row from the
-- moment a filing took its number until it committed, so filings ran one after another, each
-- waiting for the previous one's WAL flush: pgbench of the essential filing statement on this
-- machine, 16 clients, 585 tps with the counter and 1,989 with a sequence (TPC-B: 1,466).
--
-- One sequence gives every number; a year's number is the sequence value minus the year's base
-- (case_number_year), fixed by the first filing of the year. Numbers stay unique per year and
-- increase in the order filings take them, one after another while one year is being filed. A gap
-- (which the per-year counter never left) comes from a filing that fails after taking its number
-- (a sequence is not rolled back) and, in a year, from numbers another year took meanwhile: the
-- days around New Year, or a clock set to another year.

CREATE SEQUENCE "case_number_seq" AS bigint;

CREATE TABLE "case_number_year" (
  "year" INTEGER NOT NULL,
  "base" BIGINT NOT NULL,
  CONSTRAINT "case_number_year_pkey" PRIMARY KEY ("year")
);

-- The next number of year y. The year's first filing sets the base to its own value minus one; two
-- first filings of a year racing both insert, one wins, and a value the other drew at or below the
-- winning base is drawn again (so number 1 goes to exactly one of them).
CREATE OR REPLACE FUNCTION case_number_next(y integer) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  n bigint := nextval('case_number_seq');
  b bigint;
BEGIN
  SELECT base INTO b FROM case_number_year WHERE year = y;
  IF b IS NULL THEN
    INSERT INTO case_number_year (year, base) VALUES (y, n - 1) ON CONFLICT (year) DO NOTHING;
    SELECT base INTO b FROM case_number_year WHERE year = y;
  END IF;
  WHILE n <= b LOOP
    n := nextval('case_number_seq');
  END LOOP;
  RETURN n - b;
END $$;

-- Moves year y's numbering past `last`: the next number of the year is above it (numbers given
-- outside case_number_next: the benchmark's bulk seed, an import). Never moves a year back, and
-- takes no value of the sequence (the base is set from its position: the next value is above it).
CREATE OR REPLACE FUNCTION case_number_skip_past(y integer, last bigint) RETURNS void LANGUAGE sql AS $$
  INSERT INTO case_number_year AS cy (year, base) VALUES (y, coalesce(pg_sequence_last_value('case_number_seq'), 0) - last)
  ON CONFLICT (year) DO UPDATE SET base = least(cy.base, EXCLUDED.base);
$$;

-- Every year numbered so far continues after its last number.
SELECT case_number_skip_past(year, last) FROM case_number_counter;
DROP TABLE "case_number_counter";
