import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const COMMITTED = path.join(ROOT, 'test/client/generated');

function files(dir: string, base = dir): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? files(p, base) : [path.relative(base, p)];
  });
}

/**
 * test/client/generated is the @hey-api/openapi-ts client of openapi/openapi.json
 * (openapi-ts.config.mjs, `npm run client:sdk`); test/integration/client-sdk-e2e.test.ts compiles
 * against it. This regenerates it into a temporary folder and fails when the two differ.
 */
describe('the generated @hey-api/openapi-ts client', () => {
  it('matches openapi/openapi.json (regenerate with `npm run client:sdk` when this fails)', () => {
    const out = mkdtempSync(path.join(tmpdir(), 'hey-api-'));
    try {
      const cli = path.join(ROOT, 'node_modules/@hey-api/openapi-ts/bin/run.js');
      const res = spawnSync(process.execPath, [cli, '-f', 'openapi-ts.config.mjs', '--silent'], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 120_000,
        env: { ...process.env, HEY_API_OUTPUT: out },
      });
      if (res.status !== 0) throw new Error(`openapi-ts failed:\n${res.stdout}\n${res.stderr}`.slice(-2000));
      const fresh = files(out).sort();
      expect(files(COMMITTED).sort()).toEqual(fresh);
      const stale = fresh.filter((f) => readFileSync(path.join(out, f), 'utf8') !== readFileSync(path.join(COMMITTED, f), 'utf8'));
      expect(stale).toEqual([]);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
