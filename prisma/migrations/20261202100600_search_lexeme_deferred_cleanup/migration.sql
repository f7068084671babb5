-- The word list's cleanup leaves the writing statement (#17 soak). Since 20261202100500 each word an
-- update removed from a case was checked in the update's own statement (~1 ms a word through the
-- GIN indexes). Anonymisation removes every word of a case, so a retention batch of 50 cases spent
-- ~3 s of its ~3.2 s on those checks over 20,000 cases, and under the soak's load it passed the
-- 5 s statement timeout every time: the retention sweep anonymised nothing while the service was
-- busy. Now the trigger only queues the removed words (search_lexeme_removed), and
-- search_lexeme_cleanup() checks queued words later, each once however many cases removed it:
-- at the end of every retention run, and every minute while the retention loop is on
-- (src/plugins/retention.ts).
CREATE TABLE "search_lexeme_removed" (
    "lexeme" TEXT NOT NULL,

    CONSTRAINT "search_lexeme_removed_pkey" PRIMARY KEY ("lexeme")
);

CREATE OR REPLACE FUNCTION case_search_lexemes() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  added text[] := tsvector_to_array(coalesce(NEW.search_fields, ''::tsvector) || coalesce(NEW.search_messages, ''::tsvector)
                                    || coalesce(NEW.search_internal, ''::tsvector));
  removed text[];
BEGIN
  IF TG_OP = 'UPDATE' THEN
    removed := ARRAY(SELECT unnest(tsvector_to_array(coalesce(OLD.search_fields, ''::tsvector) || coalesce(OLD.search_messages, ''::tsvector)
                                                     || coalesce(OLD.search_internal, ''::tsvector)))
                     EXCEPT SELECT unnest(added));
    added := ARRAY(SELECT unnest(added) EXCEPT
                   SELECT unnest(tsvector_to_array(coalesce(OLD.search_fields, ''::tsvector) || coalesce(OLD.search_messages, ''::tsvector)
                                                   || coalesce(OLD.search_internal, ''::tsvector))));
  END IF;
  INSERT INTO search_lexeme (lexeme) SELECT l FROM unnest(added) l ORDER BY l ON CONFLICT DO NOTHING;
  IF TG_OP = 'UPDATE' AND cardinality(removed) > 0 THEN
    -- Checked by search_lexeme_cleanup(); in order, so two writers queueing the same words wait in
    -- turn. A word already queued is locked (a no-op update), not passed over: a cleanup checking it
    -- now would see this case's old text still holding it and take it off the queue, and once this
    -- transaction commits nothing would check it again. Locked, the cleanup skips it until then.
    INSERT INTO search_lexeme_removed (lexeme) SELECT r FROM unnest(removed) r ORDER BY r
      ON CONFLICT (lexeme) DO UPDATE SET lexeme = EXCLUDED.lexeme;
  END IF;
  RETURN NULL;
END $$;

-- Takes queued words (up to max_words, skipping those another cleanup holds, for at most
-- budget_ms) and drops each from the word list when no case holds it any more; answers how many
-- it took (0: none was left). Words stay queued until checked: a statement that ends early leaves
-- the rest for the next.
--
-- How a word is checked: through the GIN indexes (a bitmap of the cases that hold it: well under a
-- millisecond for a rare word), except that a word the statistics list among the fields' most
-- common elements is looked for by the planner's plan for it (a scan that meets it early; the GIN
-- bitmap of a word in a third of the cases would be read whole). Left to the planner, a rare word
-- was looked for by a scan too — PostgreSQL guesses 0.5 % of the cases for any word outside the
-- common ones, so it expects an early hit — and a word no case holds any more (a scrubbed name or
-- employee number, most of what anonymisation removes) read every case: 10–13 ms a word over
-- 20,000 cases, and the cleanup of a retention run over 20,000 cases (31,881 words) passed the 5 s
-- statement timeout in every statement. A word a case in flight adds at the same instant can be
-- dropped with it (the check does not see uncommitted cases), as with the check in the writing
-- statement before.
CREATE FUNCTION search_lexeme_cleanup(max_words integer, budget_ms integer DEFAULT 1000) RETURNS integer LANGUAGE plpgsql
SET plan_cache_mode = force_custom_plan AS $$
DECLARE
  started timestamptz := clock_timestamp();
  seqscan text := current_setting('enable_seqscan');
  common text[] := coalesce((SELECT st.most_common_elems::text::text[] FROM pg_stats st
                              WHERE st.schemaname = current_schema() AND st.tablename = 'case'
                                AND st.attname = 'search_fields'), '{}');
  w text;
  q tsquery;
  held boolean;
  taken integer := 0;
BEGIN
  FOR w IN SELECT lexeme FROM search_lexeme_removed ORDER BY lexeme LIMIT max_words FOR UPDATE SKIP LOCKED
  LOOP
    q := quote_literal(w)::tsquery;
    held := w = ANY(common) AND EXISTS (SELECT 1 FROM "case" WHERE search_fields @@ q);
    IF NOT held THEN
      PERFORM set_config('enable_seqscan', 'off', true);
      held := EXISTS (SELECT 1 FROM "case" WHERE search_fields @@ q)
           OR EXISTS (SELECT 1 FROM "case" WHERE search_messages @@ q)
           OR EXISTS (SELECT 1 FROM "case" WHERE search_internal @@ q);
      PERFORM set_config('enable_seqscan', seqscan, true);
    END IF;
    IF NOT held THEN
      DELETE FROM search_lexeme WHERE lexeme = w;
    END IF;
    DELETE FROM search_lexeme_removed WHERE lexeme = w;
    taken := taken + 1;
    EXIT WHEN clock_timestamp() - started > make_interval(secs => budget_ms / 1000.0);
  END LOOP;
  RETURN taken;
END $$;
