import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * The repository (or image) root: the nearest ancestor holding prisma/migrations. Source runs
 * from src/, compiled code from dist/src/; both find the same root.
 */
function findRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'prisma', 'migrations'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`prisma/migrations not found above ${from}`);
  }
}

export const ROOT_DIR = findRoot(__dirname);
export const MIGRATIONS_DIR = path.join(ROOT_DIR, 'prisma', 'migrations');
