import { spawnSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

/**
 * openapi/openapi.json passes Spectral with `spectral:oas` and the OWASP API Security ruleset
 * (.spectral.yaml lists each rule switched off or narrowed, with the reason) with no errors.
 */
describe('the OpenAPI document', () => {
  it('passes `spectral lint` (spectral:oas + OWASP) with no errors', () => {
    const cli = path.join(ROOT, 'node_modules/@stoplight/spectral-cli/dist/index.js');
    const res = spawnSync(
      process.execPath,
      [cli, 'lint', 'openapi/openapi.json', '--ruleset', '.spectral.yaml', '--fail-severity', 'error', '--format', 'text', '--display-only-failures'],
      { cwd: ROOT, encoding: 'utf8', timeout: 240_000, env: { ...process.env, NO_COLOR: '1' } },
    );
    if (res.status !== 0) throw new Error(`spectral lint failed:\n${res.stdout}\n${res.stderr}`.slice(-6000));
  }, 300_000);
});
