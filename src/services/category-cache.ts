import type { Category } from '../generated/prisma/client';
import type { Query } from '../db/query';
import { findCategory } from '../repositories/case-repository';

/** How long filing reuses a category (with its form) it read. */
const CATEGORY_TTL_MS = 5000;

/**
 * Categories for filing, kept a few seconds: a filing's write statement checks that the category
 * is still active at the `updatedAt` the service validated against and writes nothing otherwise;
 * the service then reloads it (`fresh`) and tries again (docs/decisions/one-statement-writes.md).
 */
export class CategoryCache {
  private readonly cache = new Map<string, { at: number; value: Promise<Category | null> }>();

  constructor(private readonly q: Query) {}

  get(key: string): Promise<Category | null> {
    const hit = this.cache.get(key);
    if (hit && performance.now() - hit.at < CATEGORY_TTL_MS) return hit.value;
    return this.fresh(key);
  }

  /** Reads the category now (and keeps it). */
  fresh(key: string): Promise<Category | null> {
    const value = findCategory(this.q, key);
    const entry = { at: performance.now(), value };
    // Unknown keys are not kept: a hostile client could otherwise fill the map.
    if (this.cache.size > 1000) this.cache.clear();
    this.cache.set(key, entry);
    value.then(
      (c) => {
        if (!c && this.cache.get(key) === entry) this.cache.delete(key);
      },
      () => {
        if (this.cache.get(key) === entry) this.cache.delete(key);
      },
    );
    return value;
  }
}
