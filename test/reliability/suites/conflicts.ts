import { createTestApp, type TestApp } from '../../helpers/app';
import { api, caseIn, DbProbe, headersFor, type Headers, type Person } from '../../helpers/cases';
import { expectConsistentCase, expectProblem } from '../../helpers/consistency';

/**
 * Many requests moving one case at the same moment. The row lock serialises them: each success
 * is one version, a request whose If-Match went stale is 412, a move the case no longer allows
 * is 409, and nothing surfaces as a 5xx (a deadlock or serialization failure would be 409 too).
 */
export function conflictSuite(opts: { requests: number }): void {
  const n = opts.requests;

  describe(`${n} concurrent transitions on one case`, () => {
    let t: TestApp;
    let h: Record<Person, Headers>;
    let probe: DbProbe;

    beforeAll(async () => {
      t = await createTestApp();
      h = await headersFor(t);
      probe = await new DbProbe(t.url).open();
    });
    afterAll(async () => {
      await probe.close();
      await t.close();
    });

    it(`lets one of ${n} moves sent with the same If-Match through, the others are 412 (200, 412)`, async () => {
      const c = await caseIn(t, h, 'IN_PROGRESS');
      const before = await probe.snapshot(c.id);
      const a = api(t);
      const res = await Promise.all(
        Array.from({ length: n }, (_, i) =>
          a.post(`/v1/cases/${c.id}/transitions`, { ...h.operator, 'if-match': `"${before.version}"` }, { to: i % 2 ? 'ON_HOLD' : 'COMPLETED' }),
        ),
      );
      const codes = res.map((r) => r.statusCode);
      expect(codes.filter((s) => s === 200)).toHaveLength(1);
      expect(codes.filter((s) => s === 412)).toHaveLength(n - 1);
      for (const r of res.filter((x) => x.statusCode !== 200)) expectProblem(r);
      const after = await probe.snapshot(c.id);
      expect(after.version).toBe(before.version + 1);
      expect(after.events).toBe(before.events + 1);
      await expectConsistentCase(probe, c.id);
    });

    it(`serialises ${n} moves without If-Match: one success per version, the rest 409 or 412, history unbroken (200, 409, 412)`, async () => {
      const c = await caseIn(t, h, 'IN_PROGRESS');
      const before = await probe.snapshot(c.id);
      const targets = ['ON_HOLD', 'IN_PROGRESS', 'COMPLETED'] as const;
      const a = api(t);
      // Every tenth request carries the version it started from, as a client that read the case would.
      const sent = Array.from({ length: n }, (_, i) => ({ to: targets[i % targets.length]!, ifMatch: i % 10 === 0 }));
      const res = await Promise.all(
        sent.map((s) =>
          a.post(`/v1/cases/${c.id}/transitions`, s.ifMatch ? { ...h.operator, 'if-match': `"${before.version}"` } : h.operator, { to: s.to }),
        ),
      );
      const fives = res.filter((r) => r.statusCode >= 500);
      expect(fives.map((r) => r.body)).toEqual([]);
      for (const [i, r] of res.entries()) {
        if (r.statusCode === 200) continue;
        expectProblem(r);
        // 412 only for a stale If-Match; 409 for a move the status no longer allows.
        if (sent[i]!.ifMatch) expect([409, 412]).toContain(r.statusCode);
        else expect(r.statusCode).toBe(409);
      }
      const versions = res
        .filter((r) => r.statusCode === 200)
        .map((r) => r.json<{ version: number }>().version)
        .sort((x, y) => x - y);
      expect(versions.length).toBeGreaterThan(0);
      // Each success made exactly one version, and no version was made twice.
      expect(versions).toEqual(versions.map((_, i) => before.version + 1 + i));
      const after = await probe.snapshot(c.id);
      expect(after.version).toBe(before.version + versions.length);
      expect(after.events - before.events).toBe(versions.length);
      // One status row per success, and a resolution row with each move into COMPLETED.
      const completions = res.filter((r) => r.statusCode === 200 && r.json<{ status: string }>().status === 'COMPLETED').length;
      expect(after.history - before.history).toBe(versions.length + completions);
      await expectConsistentCase(probe, c.id);
    });
  });
}
