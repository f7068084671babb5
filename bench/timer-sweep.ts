/**
 * How fast the timer sweep works through a backlog: seeds N waiting cases whose timers are all
 * due into a throwaway database, runs the sweep (one or more app instances at once), checks that
 * each case moved once, prints cases per second, and drops the database.
 *
 *   npx tsx bench/timer-sweep.ts [N=100000] [--batch=500] [--instances=1] [--workers=2]
 *
 * `--workers` is TIMER_SWEEP_WORKERS (batches each instance's sweep runs at once).
 *
 * The PostgreSQL server is BENCH_DATABASE_URL (any database on it; default the local one).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app';
import { newDevIssuer, DEV_AUDIENCE, DEV_ISSUER } from '../src/auth/dev-issuer';
import { testConfig } from '../src/config';
import { FixedClock } from '../src/domain/clock';
import { withDatabase } from '../test/helpers/env';
import { seedWaitingCases } from '../test/helpers/seed-timers';

const SERVER = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

function arg(name: string, fallback: number): number {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  const v = hit ? Number(hit.split('=')[1]) : fallback;
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} must be a positive integer`);
  return v;
}

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: SERVER });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

async function main(): Promise<void> {
  const positional = process.argv.slice(2).find((a) => !a.startsWith('--'));
  const n = positional ? Number(positional) : 100_000;
  if (!Number.isInteger(n) || n < 1) throw new Error('N must be a positive integer');
  const batch = arg('batch', 500);
  const instances = arg('instances', 1);
  const workers = arg('workers', 2);

  const name = `saksflyt_bench_${randomBytes(4).toString('hex')}`;
  const url = withDatabase(SERVER, name);
  await admin(`CREATE DATABASE "${name}"`);
  const apps: FastifyInstance[] = [];
  try {
    const enteredAt = new Date('2025-03-03T09:00:00Z');
    const dueAt = new Date('2025-03-13T09:00:00Z');
    const issuer = await newDevIssuer('bench');
    const config = testConfig({ DATABASE_URL: url, TIMER_BATCH_SIZE: String(batch), TIMER_SWEEP_WORKERS: String(workers), DB_POOL_MAX: '4' });
    for (let i = 0; i < instances; i++) {
      apps.push(
        await buildApp({
          config,
          clock: new FixedClock(dueAt),
          migrate: i === 0,
          verifier: { issuer: DEV_ISSUER, audience: DEV_AUDIENCE, keys: { keys: [issuer.publicJwk] } },
          logger: false,
        }),
      );
    }

    let t = performance.now();
    await seedWaitingCases(url, n, { enteredAt, dueAt });
    const probe = new pg.Client({ connectionString: url });
    await probe.connect();
    await probe.query('VACUUM ANALYZE');
    console.log(`seeded ${n} due timers in ${((performance.now() - t) / 1000).toFixed(1)} s`);

    t = performance.now();
    const fired = await Promise.all(apps.map((a) => a.services.timers.runDue()));
    const seconds = (performance.now() - t) / 1000;
    const total = fired.reduce((x, y) => x + y, 0);

    const { rows } = await probe.query<{ history: number; resolutions: number; events: number; completed: number; timers: number }>(
      // Each firing writes two history rows (status, and the resolution `answered`).
      `SELECT (SELECT count(*)::int FROM case_history WHERE actor_id = 'system' AND field = 'status') AS history,
              (SELECT count(*)::int FROM case_history WHERE actor_id = 'system' AND field = 'resolution' AND to_value = 'answered') AS resolutions,
              (SELECT count(*)::int FROM outbox_event WHERE payload->'actor'->>'id' = 'system') AS events,
              (SELECT count(*)::int FROM "case" WHERE status = 'COMPLETED' AND version = 2) AS completed,
              (SELECT count(*)::int FROM case_timer WHERE from_status = 'COMPLETED') AS timers`,
    );
    await probe.end();
    const check = rows[0]!;
    const ok = total === n && check.history === n && check.resolutions === n && check.events === n && check.completed === n && check.timers === n;
    console.log(
      `swept ${total} timers in ${seconds.toFixed(2)} s with ${instances} instance(s), batch ${batch}, ${workers} worker(s): ` +
        `${Math.round(total / seconds)} cases/s; per instance ${fired.join(', ')}`,
    );
    console.log(`check: ${ok ? 'each case moved once' : `MISMATCH ${JSON.stringify(check)}`}`);
    if (!ok) process.exitCode = 1;
  } finally {
    for (const a of apps) await a.close();
    await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
