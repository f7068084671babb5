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
    -- Checked by search_lexeme_cleanup(); in order, so two writers queueing the same words wait in turn.
    INSERT INTO search_lexeme_removed (lexeme) SELECT r FROM unnest(removed) r ORDER BY r ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END $$;

-- Whether any case holds a word in its messages or internal notes, through their GIN indexes. The
-- planner would often scan the cases instead: with few messages or notes in the table their
-- statistics hold no common words, so it takes PostgreSQL's default guess (0.5 % of the cases
-- match) and expects an early hit — for a word no case holds, the scan reads every case (9 ms over
-- 20,000; half a second over 1,000,000).
CREATE FUNCTION search_lexeme_in_replies(q tsquery) RETURNS boolean LANGUAGE sql STABLE
SET enable_seqscan = off AS $$
  SELECT EXISTS (SELECT 1 FROM "case" WHERE search_messages @@ q) OR EXISTS (SELECT 1 FROM "case" WHERE search_internal @@ q)
$$;

-- Takes up to max_words queued words (skipping those another cleanup holds) and drops each from the
-- word list when no case holds it any more; answers how many it took. The fields are checked as the
-- planner sees fit, per word (force_custom_plan; a generic plan guesses every word common): every
-- case has fields, so their statistics know the common words (an early hit in a scan) from the rare
-- ones (the GIN index). A word in no case's fields is then looked for in the messages and notes
-- (search_lexeme_in_replies). A word a case in flight adds at the same instant can be dropped with
-- it (the check does not see uncommitted cases), as with the check in the writing statement before.
CREATE FUNCTION search_lexeme_cleanup(max_words integer) RETURNS integer LANGUAGE plpgsql
SET plan_cache_mode = force_custom_plan AS $$
DECLARE
  w text;
  q tsquery;
  taken integer := 0;
BEGIN
  FOR w IN
    DELETE FROM search_lexeme_removed r
     WHERE r.lexeme IN (SELECT lexeme FROM search_lexeme_removed ORDER BY lexeme LIMIT max_words FOR UPDATE SKIP LOCKED)
    RETURNING r.lexeme
  LOOP
    taken := taken + 1;
    q := quote_literal(w)::tsquery;
    CONTINUE WHEN EXISTS (SELECT 1 FROM "case" WHERE search_fields @@ q) OR search_lexeme_in_replies(q);
    DELETE FROM search_lexeme WHERE lexeme = w;
  END LOOP;
  RETURN taken;
END $$;
