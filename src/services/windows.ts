import type { Query } from '../db/query';
import { windowCovering, type SuspensionWindow } from '../domain/suspension';
import { loadWindows, loadWindowsAtEpoch } from '../repositories/window-repository';

export { loadWindows, lockWindows } from '../repositories/window-repository';

/** How long views reuse the suspension windows they read (an edit on this instance drops them at once). */
const WINDOWS_TTL_MS = 5000;

/**
 * The suspension window in force, for views (allowedTransitions) outside a change. Windows change
 * a few times a year, so views read them at most every WINDOWS_TTL_MS instead of on every
 * request; a change still reads them under the windows lock, so no decision depends on this copy.
 */
export class ViewWindows {
  private cache: { at: number; windows: Promise<SuspensionWindow[]> } | null = null;

  constructor(
    private readonly q: Query,
    private readonly zone: string,
  ) {}

  async covering(now: Date): Promise<SuspensionWindow | null> {
    const fresh = this.cache && performance.now() - this.cache.at < WINDOWS_TTL_MS;
    if (!fresh) {
      const windows = loadWindows(this.q);
      this.cache = { at: performance.now(), windows };
      windows.catch(() => {
        if (this.cache?.windows === windows) this.cache = null;
      });
    }
    return windowCovering(now, await this.cache!.windows, this.zone);
  }

  /** Drops the copy: call after a window edit has committed, so views show it at once. */
  forget(): void {
    this.cache = null;
  }
}

/**
 * The suspension windows for changes, keyed by the window epoch (docs/decisions/one-statement-
 * writes.md): a change's read answers the current epoch; the windows are reloaded only when it
 * moved, and the change's write only acts while the epoch is still the one they were read at.
 */
export class EpochWindows {
  private cache: Promise<{ epoch: number; windows: SuspensionWindow[] }> | null = null;

  constructor(private readonly q: Query) {}

  async at(epoch: number): Promise<{ epoch: number; windows: SuspensionWindow[] }> {
    const cached = this.cache && (await this.cache.catch(() => null));
    if (cached && cached.epoch === epoch) return cached;
    const loading = loadWindowsAtEpoch(this.q);
    this.cache = loading;
    loading.catch(() => {
      if (this.cache === loading) this.cache = null;
    });
    return loading;
  }
}
