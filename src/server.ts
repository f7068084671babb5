import closeWithGrace from 'close-with-grace';
import { buildApp } from './app';
import { ConfigError, loadConfig } from './config';

/** Listens and shuts down gracefully; nothing else. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`saksflyt: configuration error: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const app = await buildApp({ config });
  // SIGTERM/SIGINT: stop accepting, finish in-flight requests, stop loops, close the pool.
  // A second signal (or SHUTDOWN_GRACE_MS) forces the exit; the loops' wait is bounded within it.
  closeWithGrace({ delay: config.SHUTDOWN_GRACE_MS }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'shutting down after an error');
    else app.log.info({ signal }, 'shutting down');
    await app.close();
  });
  await app.listen({ host: config.HOST, port: config.PORT });
  // Log lines go out in batches (src/app.ts); the start lines should not wait for the next one.
  (app.log as { flush?: () => void }).flush?.();
}

main().catch((err: unknown) => {
  process.stderr.write(`saksflyt: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
