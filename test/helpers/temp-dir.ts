import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const made = new Set<string>();

/**
 * A fresh directory under the OS temp dir, removed when the test file that made it ends, so a
 * run leaves no `saksflyt-*` directories behind.
 */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  made.add(dir);
  return dir;
}

// Jest gives each test file its own module registry, so importing this module (at the top of
// a test file, while jest collects it) registers one cleanup for that file.
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
  made.clear();
});
