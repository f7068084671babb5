import type pg from 'pg';

/**
 * A SQL runner with `$1` placeholders. The hot paths (case views, filing, changes, the SLA of a
 * view) run their statements through `pg` on the pool Prisma also uses: Prisma's per-query cost
 * (≈0.8 ms of CPU on this machine) was the largest single item of a request (docs/decisions/hot-path-sql.md).
 */
export type Query = <T>(text: string, params?: unknown[]) => Promise<T[]>;

export function pgQuery(client: pg.Pool | pg.PoolClient): Query {
  return async <T>(text: string, params: unknown[] = []) => (await client.query(text, params)).rows as T[];
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
