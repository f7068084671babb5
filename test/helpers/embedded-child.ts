// Runs one embedded PostgreSQL (PGlite over the wire protocol) for a test database, in a child
// process: PGlite cannot start inside jest's module sandbox. Prints the URL on stdout, stops
// cleanly when stdin closes. Usage: tsx test/helpers/embedded-child.ts <dataDir>
import { startEmbeddedPostgres } from '../../src/db/embedded';

async function main(): Promise<void> {
  const dataDir = process.argv[2];
  if (!dataDir) throw new Error('usage: embedded-child <dataDir>');
  const pg = await startEmbeddedPostgres({ dataDir, maxConnections: 16 });
  process.stdout.write(`${pg.url}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => {
    void pg.close().then(() => process.exit(0));
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`embedded-child: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
