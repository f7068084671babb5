import pg from 'pg';
import type { LightMyRequestResponse } from 'fastify';
import { applyMigrations } from '../../../src/db/migrator';
import { createTestApp, type TestApp } from '../../helpers/app';
import { PEOPLE } from '../../helpers/cases';
import { expectProblem } from '../../helpers/consistency';
import { createDatabaseOn, privatePostgresUnavailable, startPrivatePostgres, type PrivatePostgres } from '../../helpers/private-postgres';
import { eventually } from '../../helpers/eventually';

type Phase = 'before' | 'outage' | 'after';

interface Outcome {
  /** The phase the request was sent in, and the one it was answered in. */
  phase: Phase;
  answeredIn: Phase;
  status: number | 'hung';
  id?: string;
  res?: LightMyRequestResponse;
}

/** No request may take this long: the service must answer (503) rather than hang on a dead database. */
const HANG_MS = 20_000;

/** Polls every 100 ms, for up to a minute (a restart of the database takes seconds). */
const until = (what: string, check: () => Promise<boolean>): Promise<void> => eventually(what, check, 60_000, 100);

/**
 * The database goes away under load and comes back: meanwhile the service answers 503 problems
 * with Retry-After (it neither hangs nor crashes), readiness reports 503 and then 200, it recovers
 * on its own, and every case it confirmed with a 2xx is in the database afterwards. Runs its own
 * PostgreSQL (the shared one is never restarted); skips when none can be started here.
 */
export function outageSuite(opts: { workers: number }): void {
  const why = privatePostgresUnavailable();
  const maybe = why ? describe.skip : describe;
  if (why) process.stdout.write(`database outage suite skipped: ${why}\n`);

  maybe('the database restarts under load', () => {
    let server: PrivatePostgres;
    let t: TestApp;

    beforeAll(async () => {
      server = await startPrivatePostgres();
      const url = await createDatabaseOn(server.adminUrl, 'saksflyt_outage');
      await applyMigrations({ connectionString: url });
      t = await createTestApp({ databaseUrl: url, ...(process.env.RELIABILITY_LOG ? { logger: { level: 'error' } } : {}) });
    }, 120_000);

    afterAll(async () => {
      await t?.close();
      await server?.destroy();
    });

    it('answers 503 with Retry-After while it is down, recovers by itself, and keeps every confirmed case (201, 503)', async () => {
      const requester = await t.auth(PEOPLE.requester);
      const operator = await t.auth(PEOPLE.operator);
      let phase: Phase = 'before';
      let stop = false;
      const outcomes: Outcome[] = [];
      const send = async (fn: () => Promise<LightMyRequestResponse>): Promise<LightMyRequestResponse | 'hung'> => {
        let timer: NodeJS.Timeout | undefined;
        const hung = new Promise<'hung'>((resolve) => (timer = setTimeout(() => resolve('hung'), HANG_MS)));
        try {
          return await Promise.race([fn(), hung]);
        } finally {
          clearTimeout(timer);
        }
      };
      const worker = async (w: number): Promise<void> => {
        for (let i = 0; !stop; i++) {
          const at = phase;
          // Mostly filing (a write whose confirmation must hold), some reads.
          const res = await send(() =>
            i % 4 === 3
              ? t.app.inject({ method: 'GET', url: '/v1/cases?limit=5', headers: operator })
              : t.app.inject({
                  method: 'POST',
                  url: '/v1/cases',
                  headers: requester,
                  payload: { categoryKey: 'general', subject: `w${w} #${i}`, description: 'd' },
                }),
          );
          if (res === 'hung') {
            outcomes.push({ phase: at, answeredIn: phase, status: 'hung' });
            continue;
          }
          outcomes.push({
            phase: at,
            answeredIn: phase,
            status: res.statusCode,
            res,
            ...(res.statusCode === 201 ? { id: res.json<{ id: string }>().id } : {}),
          });
          // A client honouring Retry-After would wait; this one keeps the pressure on, briefly spaced.
          if (res.statusCode === 503) await new Promise((r) => setTimeout(r, 20));
        }
      };
      const ready = async () => (await t.app.inject({ method: 'GET', url: '/health/ready' })).statusCode;

      const load = Promise.all(Array.from({ length: opts.workers }, (_, w) => worker(w)));
      await until('cases filed before the outage', async () => outcomes.filter((o) => o.status === 201).length >= 10);

      phase = 'outage';
      await server.stop();
      const readyDuring = await ready();
      const readyDuringRes = await t.app.inject({ method: 'GET', url: '/health/ready' });
      await until('503 answers during the outage', async () => outcomes.filter((o) => o.phase === 'outage' && o.status === 503).length >= 10);

      await server.start();
      phase = 'after';
      await until('readiness after the restart', async () => (await ready()) === 200);
      const confirmedBefore = outcomes.filter((o) => o.status === 201).length;
      await until('cases filed after the restart', async () => outcomes.filter((o) => o.phase === 'after' && o.status === 201).length >= 10);
      stop = true;
      await load;

      expect(readyDuring).toBe(503);
      expectProblem(readyDuringRes);
      expect(outcomes.filter((o) => o.status === 'hung')).toEqual([]);
      const unexpected = outcomes.filter((o) => typeof o.status === 'number' && o.status >= 500 && o.status !== 503);
      expect(unexpected.map((o) => `${o.phase} ${o.status} ${o.res?.body.slice(0, 200)}`)).toEqual([]);
      for (const o of outcomes.filter((x) => x.status === 503)) {
        expectProblem(o.res!);
        expect(o.res!.headers['retry-after']).toBeDefined();
      }
      // Before the outage the service works normally (requests in flight when it began may be 503).
      const beforeFailures = outcomes.filter((o) => o.answeredIn === 'before' && o.status !== 201 && o.status !== 200);
      expect(beforeFailures.map((o) => o.status)).toEqual([]);
      expect(confirmedBefore).toBeGreaterThan(0);

      const confirmed = outcomes.filter((o) => o.id).map((o) => o.id!);
      const c = new pg.Client({ connectionString: t.url });
      await c.connect();
      try {
        const { rows } = await c.query<{ id: string }>('SELECT id FROM "case" WHERE id = ANY($1::uuid[])', [confirmed]);
        expect(rows.length).toBe(confirmed.length);
      } finally {
        await c.end();
      }
    });
  });
}
