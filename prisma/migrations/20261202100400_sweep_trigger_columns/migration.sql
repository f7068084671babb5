-- The timer sweep (#17): the word-list trigger of 20261201190100_case_search ran its WHEN clause
-- on every case update, comparing the old and new search vectors (detoasting both) even when the
-- update could not have changed them — a status change, a timer firing. It now fires only for
-- updates that set a vector or one of the columns the case_search_fields trigger reads (a column
-- list counts the columns an UPDATE sets, not what a BEFORE trigger changes, hence the sources).
-- The WHEN clause stays: a listed column set to its old value still changes nothing.
DROP TRIGGER case_search_lexemes_changed ON "case";
CREATE TRIGGER case_search_lexemes_changed
  AFTER UPDATE OF search_fields, search_messages, search_internal,
                  subject, description, employee_number, requester_id, requester_name, concerns_employee, external_requester
  ON "case" FOR EACH ROW
  WHEN (OLD.search_fields IS DISTINCT FROM NEW.search_fields OR OLD.search_messages IS DISTINCT FROM NEW.search_messages
        OR OLD.search_internal IS DISTINCT FROM NEW.search_internal)
  EXECUTE FUNCTION case_search_lexemes();
