import type pg from 'pg';

/**
 * A SQL runner with `$1` placeholders. The hot paths (case views, filing, changes, the SLA of a
 * view) run their statements through `pg` on the pool Prisma also uses: Prisma's per-query cost
 * (≈0.8 ms of CPU on this machine) was the largest single item of a request (docs/decisions/hot-path-sql.md).
 */
export type Query = <T>(text: string, params?: unknown[]) => Promise<T[]>;

/** Texts sent as named prepared statements, and their names (`prepared`). */
const preparedNames = new Map<string, string>();

/**
 * How many distinct texts `prepared` names; later ones are sent unnamed. Each connection keeps a
 * plan per name it has run, so the bound is also what a connection can hold.
 */
export const MAX_PREPARED_TEXTS = 100;

/**
 * Marks a statement text of a hot path to be sent as a named prepared statement: each connection
 * parses and analyses it once instead of on every call, and after five custom plans PostgreSQL
 * runs a kept generic plan (docs/decisions/prepared-statements.md: parsing and planning the case
 * view cost PostgreSQL several times what executing it does). Only for texts whose shape comes
 * from a small set, the values always parameters, and whose best plan is the same for every value
 * (one case by key, writes keyed by id arrays): never a list or search page, whose plan depends
 * on its filters' values.
 */
export function prepared(text: string): string {
  if (!preparedNames.has(text) && preparedNames.size < MAX_PREPARED_TEXTS) preparedNames.set(text, `saksflyt_${preparedNames.size + 1}`);
  return text;
}

export function pgQuery(client: pg.Pool | pg.PoolClient): Query {
  return async <T>(text: string, params: unknown[] = []) => {
    const name = preparedNames.get(text);
    return (await (name === undefined ? client.query(text, params) : client.query({ name, text, values: params }))).rows as T[];
  };
}

/** Runs `fn` in a transaction on one pooled connection (rolled back when `fn` throws). */
export async function inTransaction<T>(pool: pg.Pool, fn: (q: Query) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  // A checked-out client whose server goes away between two statements emits 'error'; the pool
  // only listens on idle clients, and an unheard 'error' would end the process. The next
  // statement on it fails with the connection error, which the error handler answers with 503.
  const onError = () => {
    broken = true;
  };
  client.on('error', onError);
  try {
    await client.query('BEGIN');
    const out = await fn(pgQuery(client));
    await client.query('COMMIT');
    return out;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {
      broken = true;
    });
    throw err;
  } finally {
    // A connection that failed (or whose ROLLBACK did) is in an unknown state: destroy it.
    client.off('error', onError);
    client.release(broken);
  }
}
