-- Case search (GET /v1/cases?q=, docs/search.md): full-text search on PostgreSQL itself.
--
-- Three tsvector columns on "case", each with a GIN index, so one bitmap scan over the case table
-- finds the hits and the list's visibility filter and ranking read the same rows:
--   search_fields    the requester's and the concerned employee's employee number, Feide id and
--                    name ('simple': no stemming), the subject (weight A) and the description
--                    (weight B), both in 'norwegian' and 'english';
--   search_messages  the public messages (weight C), 'norwegian' and 'english';
--   search_internal  the internal notes (weight C): searched only for callers with the staff view.
-- Kept by triggers, so every writer (filing, PATCH, the write path, mail intake, retention, a merge
-- that moves messages) keeps them current without knowing about them. Prisma declares the columns
-- as Unsupported("tsvector") and the indexes; the functions and triggers are not expressible there
-- and the drift check ignores them (docs/decisions/schema-drift.md).

ALTER TABLE "case"
  ADD COLUMN "search_fields" tsvector DEFAULT ''::tsvector,
  ADD COLUMN "search_messages" tsvector DEFAULT ''::tsvector,
  ADD COLUMN "search_internal" tsvector DEFAULT ''::tsvector;

-- The case's own fields, recomputed whenever one of them changes (filing, PATCH, anonymisation).
CREATE OR REPLACE FUNCTION case_search_fields() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.search_fields :=
    setweight(to_tsvector('simple', concat_ws(' ',
      NEW.employee_number, NEW.requester_id, NEW.requester_name,
      NEW.concerns_employee ->> 'id', NEW.concerns_employee ->> 'name', NEW.concerns_employee ->> 'employeeNumber',
      NEW.external_requester ->> 'name')), 'A')
    || setweight(to_tsvector('norwegian', NEW.subject) || to_tsvector('english', NEW.subject), 'A')
    || setweight(to_tsvector('norwegian', left(NEW.description, 100000)) || to_tsvector('english', left(NEW.description, 100000)), 'B');
  RETURN NEW;
END $$;

CREATE TRIGGER case_search_fields
  BEFORE INSERT OR UPDATE OF subject, description, employee_number, requester_id, requester_name, concerns_employee, external_requester
  ON "case" FOR EACH ROW EXECUTE FUNCTION case_search_fields();

-- New messages are appended to their case's vectors, once per statement and case. A vector stops
-- growing at about 512 kB (PostgreSQL refuses a tsvector over 1 MB; a message must never fail on it).
CREATE OR REPLACE FUNCTION case_search_messages_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "case" c SET
    search_messages = CASE
      WHEN a.pub IS NULL OR pg_column_size(c.search_messages) > 524288 THEN c.search_messages
      ELSE coalesce(c.search_messages, ''::tsvector)
           || setweight(to_tsvector('norwegian', left(a.pub, 100000)) || to_tsvector('english', left(a.pub, 100000)), 'C') END,
    search_internal = CASE
      WHEN a.internal IS NULL OR pg_column_size(c.search_internal) > 524288 THEN c.search_internal
      ELSE coalesce(c.search_internal, ''::tsvector)
           || setweight(to_tsvector('norwegian', left(a.internal, 100000)) || to_tsvector('english', left(a.internal, 100000)), 'C') END
  FROM (SELECT case_id,
               string_agg(body, E'\n' ORDER BY seq) FILTER (WHERE visibility = 'public') AS pub,
               string_agg(body, E'\n' ORDER BY seq) FILTER (WHERE visibility = 'internal') AS internal
          FROM added GROUP BY case_id) a
  WHERE c.id = a.case_id;
  RETURN NULL;
END $$;

-- A message changed (retention scrubs bodies; a merge moves messages) or went: the vectors of the
-- cases concerned are rebuilt from their messages.
CREATE OR REPLACE FUNCTION case_search_messages_rebuild(ids uuid[]) RETURNS void LANGUAGE sql AS $$
  UPDATE "case" c SET
    search_messages = coalesce(setweight(to_tsvector('norwegian', left(m.pub, 400000)) || to_tsvector('english', left(m.pub, 400000)), 'C'), ''::tsvector),
    search_internal = coalesce(setweight(to_tsvector('norwegian', left(m.internal, 400000)) || to_tsvector('english', left(m.internal, 400000)), 'C'), ''::tsvector)
  FROM (SELECT x.id,
               (SELECT string_agg(body, E'\n' ORDER BY seq) FROM case_message WHERE case_id = x.id AND visibility = 'public') AS pub,
               (SELECT string_agg(body, E'\n' ORDER BY seq) FROM case_message WHERE case_id = x.id AND visibility = 'internal') AS internal
          FROM unnest(ids) AS x(id)) m
  WHERE c.id = m.id;
$$;

CREATE OR REPLACE FUNCTION case_search_messages_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM case_search_messages_rebuild(ARRAY(
    SELECT o.case_id FROM old_rows o JOIN new_rows n USING (id)
     WHERE o.body IS DISTINCT FROM n.body OR o.visibility IS DISTINCT FROM n.visibility OR o.case_id IS DISTINCT FROM n.case_id
    UNION
    SELECT n.case_id FROM old_rows o JOIN new_rows n USING (id)
     WHERE o.body IS DISTINCT FROM n.body OR o.visibility IS DISTINCT FROM n.visibility OR o.case_id IS DISTINCT FROM n.case_id));
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION case_search_messages_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM case_search_messages_rebuild(ARRAY(SELECT DISTINCT case_id FROM old_rows));
  RETURN NULL;
END $$;

CREATE TRIGGER case_search_messages_added
  AFTER INSERT ON case_message REFERENCING NEW TABLE AS added
  FOR EACH STATEMENT EXECUTE FUNCTION case_search_messages_added();
CREATE TRIGGER case_search_messages_changed
  AFTER UPDATE ON case_message REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION case_search_messages_changed();
CREATE TRIGGER case_search_messages_removed
  AFTER DELETE ON case_message REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION case_search_messages_removed();

-- Every word (lexeme) of the vectors, for the last word typed as a prefix: `ferie` is expanded to
-- the words it starts before the search runs, so the planner estimates them from its statistics
-- (for `ferie:*` it guesses ~8 % of the cases per vector and reads the whole table instead of the
-- GIN indexes). Words a change removes leave the list once no case holds them (the trigger below).
CREATE TABLE "search_lexeme" (
  "lexeme" TEXT NOT NULL,
  CONSTRAINT "search_lexeme_pkey" PRIMARY KEY ("lexeme")
);
CREATE INDEX "search_lexeme_lexeme_idx" ON "search_lexeme" USING gin ("lexeme" gin_trgm_ops);

-- The new words of a row, in order (two writers adding the same new words never deadlock).
CREATE OR REPLACE FUNCTION case_search_lexemes() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  added text[] := tsvector_to_array(coalesce(NEW.search_fields, ''::tsvector) || coalesce(NEW.search_messages, ''::tsvector)
                                    || coalesce(NEW.search_internal, ''::tsvector));
BEGIN
  IF TG_OP = 'UPDATE' THEN
    added := ARRAY(SELECT unnest(added) EXCEPT
                   SELECT unnest(tsvector_to_array(coalesce(OLD.search_fields, ''::tsvector) || coalesce(OLD.search_messages, ''::tsvector)
                                                   || coalesce(OLD.search_internal, ''::tsvector))));
  END IF;
  INSERT INTO search_lexeme (lexeme) SELECT l FROM unnest(added) l ORDER BY l ON CONFLICT DO NOTHING;
  IF TG_OP = 'UPDATE' THEN
    -- Words a change removed (an edited subject, anonymisation) leave the word list once no case
    -- holds them any more: the list must not keep the names and numbers retention scrubbed.
    DELETE FROM search_lexeme l
     WHERE l.lexeme IN (SELECT unnest(tsvector_to_array(coalesce(OLD.search_fields, ''::tsvector) || coalesce(OLD.search_messages, ''::tsvector)
                                                         || coalesce(OLD.search_internal, ''::tsvector)))
                        EXCEPT
                        SELECT unnest(tsvector_to_array(coalesce(NEW.search_fields, ''::tsvector) || coalesce(NEW.search_messages, ''::tsvector)
                                                         || coalesce(NEW.search_internal, ''::tsvector))))
       AND NOT EXISTS (SELECT 1 FROM "case" c
                        WHERE c.search_fields @@ quote_literal(l.lexeme)::tsquery
                           OR c.search_messages @@ quote_literal(l.lexeme)::tsquery
                           OR c.search_internal @@ quote_literal(l.lexeme)::tsquery);
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER case_search_lexemes_added
  AFTER INSERT ON "case" FOR EACH ROW EXECUTE FUNCTION case_search_lexemes();
CREATE TRIGGER case_search_lexemes_changed
  AFTER UPDATE ON "case" FOR EACH ROW
  WHEN (OLD.search_fields IS DISTINCT FROM NEW.search_fields OR OLD.search_messages IS DISTINCT FROM NEW.search_messages
        OR OLD.search_internal IS DISTINCT FROM NEW.search_internal)
  EXECUTE FUNCTION case_search_lexemes();

-- Existing rows: the fields through their trigger (a no-op update of a watched column), the messages
-- through the rebuild.
UPDATE "case" SET subject = subject;
SELECT case_search_messages_rebuild(ARRAY(SELECT DISTINCT case_id FROM case_message));

CREATE INDEX "case_search_fields_idx" ON "case" USING gin ("search_fields");
CREATE INDEX "case_search_messages_idx" ON "case" USING gin ("search_messages");
CREATE INDEX "case_search_internal_idx" ON "case" USING gin ("search_internal");

-- The subject-only ILIKE search it replaces; pg_trgm stays installed.
DROP INDEX IF EXISTS "case_subject_trgm_idx";
