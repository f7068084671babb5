// A process with one background loop (hourly) and nothing else: it must exit by itself once
// its first run is done, since the loop's pending timer may not keep it alive.
import Fastify from 'fastify';
import { backgroundLoop } from '../../src/plugins/background-loop';

async function main(): Promise<void> {
  const app = Fastify({ logger: false });
  // Holds the process until the first run is done: the loop's own timers are unref'd, so without
  // it the process could end before the first run fires (a race that depends on load). Once it is
  // released, only the loop's pending hourly timer is left, and that must not keep us alive.
  const hold = setTimeout(() => undefined, 30_000);
  backgroundLoop(app, {
    name: 'child loop',
    intervalMs: 3_600_000,
    closeTimeoutMs: 1_000,
    run: async () => 'ran',
    onResult: (r) => {
      process.stdout.write(`${r}\n`);
      clearTimeout(hold);
    },
  });
  await app.ready();
}

void main();
