import { spawnSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

/** openapi/openapi.json passes Redocly's lint (rules in redocly.yaml) with no errors. */
describe('the OpenAPI document', () => {
  it('passes `redocly lint` with no errors', () => {
    const cli = path.join(ROOT, 'node_modules/@redocly/cli/bin/cli.js');
    const res = spawnSync(process.execPath, [cli, 'lint', 'openapi/openapi.json', '--format=stylish'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' },
    });
    if (res.status !== 0) throw new Error(`redocly lint failed:\n${res.stdout}\n${res.stderr}`.slice(-4000));
  });
});
