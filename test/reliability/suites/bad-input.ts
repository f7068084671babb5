import fc from 'fast-check';
import pg from 'pg';
import { newDevIssuer } from '../../../src/auth/dev-issuer';
import { SCOPES } from '../../../src/domain/roles';
import { createTestApp, signFor, type TestApp } from '../../helpers/app';
import { api, caseIn, expectStatus, headersFor } from '../../helpers/cases';
import { operationsOf, requestArbitrary, type FuzzRequest, type Known } from '../../helpers/fuzz';

/**
 * Tables whose content a refused request must leave as it was: all of them but the migrations
 * ledger, idempotency_key, which records the answer to a POST sent with an Idempotency-Key
 * (refusals included, so a retry gets the same refusal) and is not case data, and person, the
 * directory that records a caller when their token is first verified (a sign-in, whatever the
 * request then asks).
 */
const NOT_COMPARED = new Set(['_prisma_migrations', 'idempotency_key', 'person']);

/** A fingerprint of every compared table: row count and a hash of the rows' text. */
async function fingerprint(c: pg.Client, tables: string[]): Promise<string> {
  const parts = tables.map((t) => `(SELECT count(*) || ':' || coalesce(md5(string_agg(x::text, '|' ORDER BY x::text)), '') FROM "${t}" x)`);
  const { rows } = await c.query<{ f: string }>(`SELECT concat_ws(',', ${parts.join(', ')}) AS f`);
  return rows[0]!.f;
}

interface Failure {
  request: string;
  status: number;
  why: string;
}

/**
 * Generated hostile requests across every operation of the OpenAPI document, one at a time:
 * none may answer 5xx, every error must be an RFC 9457 problem, and a refused request (4xx) must
 * leave the database as it found it. A run without `seed` explores (the seed is in the failure
 * message); FUZZ_SEED replays one.
 */
export function badInputSuite(opts: { runs: number; seed?: number }): void {
  describe(`${opts.runs} generated hostile requests`, () => {
    let t: TestApp;
    let client: pg.Client;
    let known: Known;
    let tokens: string[];
    let badTokens: string[];

    beforeAll(async () => {
      // RELIABILITY_LOG=1 shows the service's log (the error behind a 500).
      t = await createTestApp({ config: { RATE_LIMIT_MAX: '0' }, ...(process.env.RELIABILITY_LOG ? { logger: { level: 'error' } } : {}) });
      const h = await headersFor(t);
      const a = api(t);
      const ids: string[] = [];
      for (const s of ['REGISTERED', 'IN_PROGRESS', 'WAITING_FOR_USER', 'CLOSED'] as const) ids.push((await caseIn(t, h, s)).id);
      const sensitive = await a.post('/v1/cases', h.requester, { categoryKey: 'sickness', subject: 'sick', description: 'd', details: {} });
      expectStatus(sensitive, 201);
      ids.push(sensitive.json<{ id: string }>().id);
      const boundary = 'fixture';
      const upload = await t.app.inject({
        method: 'POST',
        url: `/v1/cases/${ids[1]}/attachments`,
        headers: { ...h.operator, 'content-type': `multipart/form-data; boundary=${boundary}` },
        payload: `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nhello\r\n--${boundary}--\r\n`,
      });
      expectStatus(upload, 201);
      ids.push(upload.json<{ id: string }>().id, '5b1c7d8e-0000-4000-8000-000000002024');
      known = {
        uuids: ids,
        keys: ['general', 'sickness', 'salary', 'service', 'payroll', 'absence'],
        subjects: ['kari', 'ola', 'root'],
      };
      tokens = [
        ...Object.values(h).map((x) => x.authorization!.replace(/^Bearer /, '')),
        await signFor(t.issuer, { sub: 'all-scopes', roles: ['integration'], scope: [...SCOPES] }),
      ];
      const stranger = await newDevIssuer('stranger');
      badTokens = [
        await stranger.sign({ sub: 'kari', roles: ['admin'] }),
        await t.issuer.sign({ sub: 'kari', roles: ['admin'] }, -60),
        'eyJhbGciOiJub25lIn0.eyJzdWIiOiJyb290Iiwicm9sZXMiOlsiYWRtaW4iXX0.',
        'not.a.jwt',
      ];
      client = new pg.Client({ connectionString: t.url });
      await client.connect();
    });

    afterAll(async () => {
      await client?.end();
      await t?.close();
    });

    it('answers none with a 5xx, every error as problem+json, and refusals change nothing (4xx)', async () => {
      const { rows } = await client.query<{ tablename: string }>(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`);
      const tables = rows.map((r) => r.tablename).filter((n) => !NOT_COMPARED.has(n));
      const ops = operationsOf(t.app.swagger() as unknown as Parameters<typeof operationsOf>[0]);
      expect(ops.length).toBeGreaterThan(10);
      const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : (opts.seed ?? Date.now() % 2 ** 31);
      const requests: FuzzRequest[] = fc.sample(requestArbitrary(ops, known, tokens, badTokens), { numRuns: opts.runs, seed });
      const failures: Failure[] = [];
      const statuses: Record<string, number> = {};
      let before = await fingerprint(client, tables);
      for (const r of requests) {
        const res = await t.app.inject({
          method: r.method as 'GET',
          url: r.url,
          headers: r.headers,
          ...(r.payload !== undefined ? { payload: r.payload } : {}),
        });
        const family = `${Math.floor(res.statusCode / 100)}xx`;
        statuses[family] = (statuses[family] ?? 0) + 1;
        const after = await fingerprint(client, tables);
        if (res.statusCode >= 500) failures.push({ request: r.label, status: res.statusCode, why: res.body.slice(0, 300) });
        if (res.statusCode >= 400) {
          const type = String(res.headers['content-type'] ?? '');
          let body: { status?: unknown; type?: unknown } = {};
          try {
            body = JSON.parse(res.body) as typeof body;
          } catch {
            // reported below
          }
          if (!type.startsWith('application/problem+json') || body.status !== res.statusCode || typeof body.type !== 'string') {
            failures.push({ request: r.label, status: res.statusCode, why: `not a problem: ${type} ${res.body.slice(0, 200)}` });
          }
          if (after !== before) failures.push({ request: r.label, status: res.statusCode, why: 'a refused request changed the database' });
        }
        before = after;
      }
      // Some requests must get through, or the fuzzer only ever tested validation.
      expect(statuses['2xx'] ?? 0).toBeGreaterThan(0);
      if (failures.length > 0) {
        throw new Error(
          `${failures.length} of ${opts.runs} requests failed (FUZZ_SEED=${seed}; ${JSON.stringify(statuses)}):\n` +
            failures
              .slice(0, 15)
              .map((f) => `  ${f.status} ${f.why}\n    ← ${f.request}`)
              .join('\n'),
        );
      }
    });
  });
}
