-- The events feed's bounded wait for the outbox lock (readSafeBound in
-- src/repositories/event-repository.ts, docs/integration.md "Never skips"). The feed asked for the
-- lock exclusively under a 25 ms lock_timeout and let the timeout fail its statement: every timed
-- out attempt ended its transaction and wrote an ERROR line ("canceling statement due to lock
-- timeout") to PostgreSQL's log, 99 to 245 of them in each 30-minute soak, noise an operator
-- reading that log for real errors had to learn to skip. This function waits at most
-- `timeout_ms` and answers whether it got the lock: the timeout is caught in its own block (a
-- subtransaction), so nothing is logged and the caller's transaction goes on. The lock, when had,
-- belongs to the caller's transaction (a committed block hands its locks to its parent) and is
-- let go at its end, as before. The caller's lock_timeout is restored either way.
CREATE OR REPLACE FUNCTION "outbox_lock_within"(lock_key bigint, timeout_ms integer) RETURNS boolean
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  previous text := current_setting('lock_timeout');
BEGIN
  BEGIN
    PERFORM set_config('lock_timeout', greatest(timeout_ms, 1)::text || 'ms', true);
    PERFORM pg_advisory_xact_lock(lock_key);
  EXCEPTION WHEN lock_not_available THEN
    PERFORM set_config('lock_timeout', previous, true);
    RETURN false;
  END;
  PERFORM set_config('lock_timeout', previous, true);
  RETURN true;
END
$$;
