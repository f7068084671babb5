import { createTestApp, type TestApp } from '../../helpers/app';
import { onRealServer } from '../../helpers/db';
import { api, caseIn, DbProbe, headersFor, type Headers, type Person } from '../../helpers/cases';
import { expectConsistentCase } from '../../helpers/consistency';

const DAY = 86_400_000;

/** Background loops on, fast, so both instances sweep while requests run. */
const LOOPS = {
  TIMER_INTERVAL_MS: '25',
  TIMER_BATCH_SIZE: '7',
  SLA_INTERVAL_MS: '100',
  WEBHOOK_INTERVAL_MS: '100',
  RATE_LIMIT_MAX: '0',
} as const;

/**
 * Two instances of the service on one database, each with its background loops, under load:
 * timers fall due while requesters write to the same cases on either instance, and a consumer
 * reads the events feed from the other. No timer may fire twice, every change must have its
 * event, and the feed must deliver every event.
 */
export function twoInstancesSuite(opts: { waiting: number; completed: number; workers: number }): void {
  // Two instances racing need real concurrency: the embedded fallback runs one session at a time.
  const maybe = onRealServer() ? describe : describe.skip;
  maybe('two instances with their background loops', () => {
    let a: TestApp;
    let b: TestApp;
    let probe: DbProbe;
    /** Reads the rest of the feed once a and b are closed (no background loops). */
    let reader: TestApp | undefined;

    beforeAll(async () => {
      a = await createTestApp({ config: LOOPS });
      b = await createTestApp({ config: LOOPS, databaseUrl: a.url, clock: a.clock });
      probe = await new DbProbe(a.url).open();
    });
    afterAll(async () => {
      await probe?.close();
      await reader?.close();
      await b?.close();
      await a?.close();
    });

    it('fires every due timer once, loses no event, and the feed delivers all of them (200, 201)', async () => {
      const ha = await headersFor(a);
      const hb = await headersFor(b);
      const apps: Array<{ t: TestApp; h: Record<Person, Headers> }> = [
        { t: a, h: ha },
        { t: b, h: hb },
      ];
      const waiting: string[] = [];
      const completed: string[] = [];
      for (let i = 0; i < opts.waiting; i++) waiting.push((await caseIn(apps[i % 2]!.t, apps[i % 2]!.h, 'WAITING_FOR_USER')).id);
      for (let i = 0; i < opts.completed; i++) completed.push((await caseIn(apps[i % 2]!.t, apps[i % 2]!.h, 'COMPLETED')).id);
      const toggled: string[] = [];
      for (let i = 0; i < opts.workers; i++) toggled.push((await caseIn(apps[i % 2]!.t, apps[i % 2]!.h, 'IN_PROGRESS')).id);

      let stop = false;
      const statuses: Record<string, number> = {};
      const refused: string[] = [];
      // Every request here is one the service must accept: each worker is the only one moving its
      // case, requesters may always write to a waiting (or by now completed) case. A 409 would be
      // a deadlock or serialization failure with a sweeper, a 5xx worse.
      const note = (what: string, code: number, body: string) => {
        statuses[code] = (statuses[code] ?? 0) + 1;
        if (code >= 300) refused.push(`${what}: ${code} ${body.slice(0, 200)}`);
      };
      // Requesters answer some waiting cases (racing their timers), operators move their own
      // cases back and forth, and new cases come in, on both instances.
      const worker = async (w: number): Promise<void> => {
        const { t, h } = apps[w % 2]!;
        const x = api(t);
        const own = toggled[w]!;
        let to: 'ON_HOLD' | 'IN_PROGRESS' = 'ON_HOLD';
        for (let i = 0; !stop; i++) {
          let res;
          const what = ['message', 'transition', 'create'][i % 3]!;
          if (i % 3 === 0) {
            res = await x.post(`/v1/cases/${waiting[(w * 7 + i) % waiting.length]}/messages`, h.requester, { body: 'Here is what you asked for' });
          } else if (i % 3 === 1) {
            res = await x.post(`/v1/cases/${own}/transitions`, h.operator, { to });
            if (res.statusCode === 200) to = to === 'ON_HOLD' ? 'IN_PROGRESS' : 'ON_HOLD';
          } else {
            res = await x.post('/v1/cases', h.requester, { categoryKey: 'general', subject: `load ${w}/${i}`, description: 'd' });
          }
          note(what, res.statusCode, res.body);
        }
      };
      // Every event the feed hands out, in order: a second delivery of one would show as a repeat.
      const delivered: string[] = [];
      let after = '0';
      const readFeed = async (from: TestApp = b): Promise<number> => {
        const res = await from.app.inject({ method: 'GET', url: `/v1/events?after=${after}&limit=200`, headers: hb.admin });
        note('feed', res.statusCode, res.body);
        const page = res.json<{ items: Array<{ id: string }>; nextAfter: string }>();
        for (const e of page.items) delivered.push(e.id);
        after = page.nextAfter;
        return page.items.length;
      };
      const consumer = async (): Promise<void> => {
        while (!stop) if ((await readFeed()) === 0) await new Promise((r) => setTimeout(r, 10));
      };

      const load = Promise.all([...Array.from({ length: opts.workers }, (_, w) => worker(w)), consumer()]);
      await new Promise((r) => setTimeout(r, 300));
      a.clock.advance(11 * DAY);
      const deadline = Date.now() + 60_000;
      for (;;) {
        const [due] = await probe.query<{ n: string }>('SELECT count(*) AS n FROM case_timer WHERE due_at <= $1', [a.clock.now()]);
        if (Number(due!.n) === 0) break;
        if (Date.now() > deadline) throw new Error(`${due!.n} timers still due after 60 s: the loops stopped firing`);
        await new Promise((r) => setTimeout(r, 50));
      }
      await new Promise((r) => setTimeout(r, 200));
      stop = true;
      await load;
      // Stop both instances' background loops before the last read: their SLA sweeps keep recording
      // breaches (case.sla_breached) of the cases the clock jump made late, and an event written
      // after the last read would look lost. Closing an app halts its loops and waits for a run
      // under way. A third instance without loops then reads the feed on from the same cursor, so
      // nothing writes while it reads and the comparison with the outbox below is exact.
      await b.app.close();
      await a.app.close();
      reader = await createTestApp({ databaseUrl: a.url, clock: a.clock });
      while ((await readFeed(reader)) > 0);

      expect(refused).toEqual([]);
      // Each case's story is whole: history chains without gaps and every status change has its event.
      const all = await probe.query<{ id: string }>('SELECT id FROM "case"');
      for (const c of all) await expectConsistentCase(probe, c.id);
      // No timer fired twice: at most one system move per case (the next timer is ten days out).
      const system = await probe.query<{ case_id: string; n: string }>(
        `SELECT case_id, count(*) AS n FROM case_history WHERE actor_id = 'system' AND field = 'status' GROUP BY case_id`,
      );
      expect(system.filter((r) => Number(r.n) > 1)).toEqual([]);
      // The completed cases nobody wrote to all closed by their timer.
      const closedByTimer = new Set(system.map((r) => r.case_id));
      for (const id of completed) expect(closedByTimer.has(id)).toBe(true);
      // Every waiting case either completed by its timer or was answered first (and its timer void).
      for (const id of waiting) {
        const s = await probe.snapshot(id);
        expect(closedByTimer.has(id) ? ['COMPLETED', 'UPDATED_BY_USER'] : ['UPDATED_BY_USER']).toContain(s.status);
      }
      // No event lost: the feed delivered every event the outbox holds; and none twice.
      const seen = new Set(delivered);
      const events = await probe.query<{ id: string }>('SELECT id FROM outbox_event');
      expect(events.filter((e) => !seen.has(e.id)).map((e) => e.id)).toEqual([]);
      const once = new Set<string>();
      expect(delivered.filter((id) => once.has(id) || !once.add(id))).toEqual([]);
      expect(delivered).toHaveLength(events.length);
      expect(statuses[201] ?? 0).toBeGreaterThan(0);
      // Its own deadline for the timers is 60 s; jest's default (30 s) cut it short on a loaded machine.
    }, 120_000);
  });
}
