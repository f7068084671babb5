// A process with one background loop (hourly) and nothing else: it must exit by itself once
// its first run is done, since the loop's pending timer may not keep it alive.
import Fastify from 'fastify';
import { backgroundLoop } from '../../src/plugins/background-loop';

async function main(): Promise<void> {
  const app = Fastify({ logger: false });
  backgroundLoop(app, {
    name: 'child loop',
    intervalMs: 3_600_000,
    closeTimeoutMs: 1_000,
    run: async () => 'ran',
    onResult: (r) => process.stdout.write(`${r}\n`),
  });
  await app.ready();
}

void main();
