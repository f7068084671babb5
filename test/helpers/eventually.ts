/**
 * Polls `check` every `everyMs` until it holds; fails with `what` after `timeoutMs` (a hang, not a
 * slow machine).
 */
export async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 15_000, everyMs = 25): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
