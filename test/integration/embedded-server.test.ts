import { loadDevIssuer } from '../../src/auth/dev-issuer';
import { startServer } from '../helpers/server-process';
import { tempDir } from '../helpers/temp-dir';

/**
 * `npm start` without DATABASE_URL: the service on its embedded PGlite (docs/decisions/
 * embedded-postgres.md), with the hot paths' named prepared statements (decision record
 * prepared-statements.md: PGlite takes no connection options, so it runs them with PostgreSQL's
 * default plan cache, generic plans after five runs) and the case numbers' sequence.
 */
describe('the server on its embedded PostgreSQL', () => {
  it("files, reads (past the plan cache's five custom runs), lists, searches and moves cases", async () => {
    const dataDir = tempDir('saksflyt-embedded-');
    const { child, port } = await startServer({ DATABASE_URL: '', DATA_DIR: dataDir, NODE_ENV: 'development' }, 120_000);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const issuer = await loadDevIssuer(dataDir);
      const requester = { authorization: `Bearer ${await issuer.sign({ sub: 'embedded-requester', name: 'Ola' })}` };
      const operator = { authorization: `Bearer ${await issuer.sign({ sub: 'embedded-op', roles: ['operator'], teams: ['service'] })}` };
      const call = async (method: string, path: string, headers: Record<string, string>, body?: unknown) => {
        const res = await fetch(`http://127.0.0.1:${port}${path}`, {
          method,
          headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        return { status: res.status, body: (await res.json()) as Record<string, unknown> };
      };
      const numbers: string[] = [];
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        const filed = await call('POST', '/v1/cases', requester, { categoryKey: 'general', subject: `Embedded tidsskjema ${i}`, description: 'd' });
        expect(filed.status).toBe(201);
        numbers.push(filed.body.number as string);
        ids.push(filed.body.id as string);
      }
      const seq = numbers.map((n) => Number(n.slice(5)));
      expect(seq).toEqual([seq[0], seq[0]! + 1, seq[0]! + 2]);
      for (let i = 0; i < 8; i++) {
        const read = await call('GET', `/v1/cases/${ids[i % 3]}`, requester);
        expect(read.status).toBe(200);
        expect(read.body.id).toBe(ids[i % 3]);
      }
      for (let i = 0; i < 7; i++) {
        const list = await call('GET', '/v1/cases?limit=10', requester);
        expect(list.status).toBe(200);
        expect((list.body.items as unknown[]).length).toBe(3);
      }
      for (let i = 0; i < 3; i++) {
        const found = await call('GET', '/v1/cases?q=tidsskj', operator);
        expect(found.status).toBe(200);
        expect((found.body.items as unknown[]).length).toBe(3);
      }
      const moved = await call('POST', `/v1/cases/${ids[0]}/transitions`, requester, { to: 'CLOSED' });
      expect(moved.status).toBe(200);
      expect(moved.body.status).toBe('CLOSED');
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  }, 180_000);
});
