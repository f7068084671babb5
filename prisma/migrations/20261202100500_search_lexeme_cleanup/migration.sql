-- The word list's cleanup (20261201190100_case_search) made every edit of a case's text slow in a
-- large archive: for each word the update removed it asked whether any case still held it with
-- one `NOT EXISTS (… a @@ w OR b @@ w OR c @@ w)` whose tsquery came from the outer row, which the
-- planner answered by reading the cases, not the GIN indexes — a rare word (a name, an employee
-- number) read all of them. Over 1,000,000 cases anonymising 5 cases took 9.9 s, so the retention
-- sweep (200 cases in one statement) always hit the 5 s statement timeout and anonymised nothing.
--
-- Now each removed word is checked on its own, one vector at a time, with the word as a value (the
-- GIN index of each vector answers: a rare word in well under a millisecond). Words the
-- statistics list among a vector's most common elements (in ≥ 0.1 % of the cases when last
-- analysed) are not checked: many cases hold them, and they are not what retention must scrub.
CREATE OR REPLACE FUNCTION case_search_lexemes() RETURNS trigger LANGUAGE plpgsql
-- Each check planned for its word: a generic plan guesses every word common and reads the cases
-- in order until one matches, which for a rare word is all of them.
SET plan_cache_mode = force_custom_plan AS $$
DECLARE
  added text[] := tsvector_to_array(coalesce(NEW.search_fields, ''::tsvector) || coalesce(NEW.search_messages, ''::tsvector)
                                    || coalesce(NEW.search_internal, ''::tsvector));
  removed text[];
  w text;
  q tsquery;
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
    -- Words a change removed (an edited subject, anonymisation) leave the word list once no case
    -- holds them any more: the list must not keep the names and numbers retention scrubbed.
    FOR w IN SELECT r FROM unnest(removed) r ORDER BY r
    LOOP
      q := quote_literal(w)::tsquery;
      CONTINUE WHEN EXISTS (SELECT 1 FROM "case" WHERE search_fields @@ q)
                 OR EXISTS (SELECT 1 FROM "case" WHERE search_messages @@ q)
                 OR EXISTS (SELECT 1 FROM "case" WHERE search_internal @@ q);
      DELETE FROM search_lexeme WHERE lexeme = w;
    END LOOP;
  END IF;
  RETURN NULL;
END $$;
