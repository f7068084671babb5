// Writes openapi/openapi.json from the route schemas (npm run openapi). A test fails when the
// committed file differs from what the code produces.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { generateOpenApi } from '../src/openapi';

async function main(): Promise<void> {
  const file = path.resolve(__dirname, '..', 'openapi', 'openapi.json');
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, await generateOpenApi());
  process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`openapi: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
