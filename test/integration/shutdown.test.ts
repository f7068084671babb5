import { spawn } from 'node:child_process';
import http from 'node:http';
import { loadDevIssuer } from '../../src/auth/dev-issuer';
import { createTestDatabase } from '../helpers/db';
import { ROOT, startServer } from '../helpers/server-process';
import { tempDir } from '../helpers/temp-dir';

describe('server process', () => {
  it('finishes an in-flight request on SIGTERM and exits 0', async () => {
    const db = await createTestDatabase();
    const dataDir = tempDir('saksflyt-shutdown-');
    const { child, port } = await startServer({ DATABASE_URL: db.url, DATA_DIR: dataDir, NODE_ENV: 'development' });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const issuer = await loadDevIssuer(dataDir);
      const token = await issuer.sign({ sub: 'shutdown-test' });
      const body = JSON.stringify({ categoryKey: 'general', subject: 'In flight', description: 'sent in two parts' });
      const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = http.request(
          {
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: '/v1/cases',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
          },
          (res) => {
            let data = '';
            res.on('data', (d: Buffer) => (data += d.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
          },
        );
        req.on('error', reject);
        req.write(body.slice(0, 20));
        // The request is in flight (headers and half the body sent) when the signal arrives.
        setTimeout(() => {
          child.kill('SIGTERM');
          setTimeout(() => req.end(body.slice(20)), 300);
        }, 300);
      });
      const res = await response;
      expect(res.status).toBe(201);
      expect(JSON.parse(res.body).status).toBe('REGISTERED');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await db.drop();
    }
  });

  it('refuses a wrong configuration with a one-line message naming the variable (exit 1)', async () => {
    const child = spawn(process.execPath, [require.resolve('tsx/cli'), 'src/server.ts'], {
      cwd: ROOT,
      env: { ...process.env, PORT: 'not-a-port' },
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(err.trim().split('\n')).toHaveLength(1);
    expect(err).toContain('PORT');
  });
});
