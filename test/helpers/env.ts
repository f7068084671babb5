/**
 * Where the tests' PostgreSQL is. globalSetup decides once (TEST_DATABASE_URL, else the local
 * server on 127.0.0.1:5432 if it answers, else an embedded one) and hands it to the workers
 * through these environment variables.
 */
export const ENV_ADMIN_URL = 'SAKSFLYT_TEST_ADMIN_URL';
export const ENV_TEMPLATE = 'SAKSFLYT_TEST_TEMPLATE';
export const ENV_RUN_ID = 'SAKSFLYT_TEST_RUN';
/** 'server' (a real PostgreSQL) or 'embedded' (a copy of a migrated PGlite data directory per test database). */
export const ENV_MODE = 'SAKSFLYT_TEST_MODE';

/** Replaces the database of a postgres URL. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
