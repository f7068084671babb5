import { spawnSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

/**
 * test/client/schema.d.ts is generated from openapi/openapi.json by openapi-typescript
 * (`npx openapi-typescript openapi/openapi.json -o test/client/schema.d.ts`); the end-to-end
 * client test compiles against it. This fails when the two drift apart.
 */
describe('the generated client types', () => {
  it('match openapi/openapi.json (regenerate with openapi-typescript when this fails)', () => {
    const cli = path.join(ROOT, 'node_modules/openapi-typescript/bin/cli.js');
    const res = spawnSync(process.execPath, [cli, 'openapi/openapi.json', '-o', 'test/client/schema.d.ts', '--check'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 120_000,
    });
    if (res.status !== 0) {
      throw new Error(
        'test/client/schema.d.ts is stale: run `npx openapi-typescript openapi/openapi.json -o test/client/schema.d.ts`\n' +
          `${res.stdout}\n${res.stderr}`.slice(-2000),
      );
    }
  });
});
