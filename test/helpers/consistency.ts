import type { LightMyRequestResponse } from 'fastify';
import type { DbProbe } from './cases';

/**
 * Checks that a case's records tell one story: its status history chains from REGISTERED to the
 * status it is in, each row starting where the previous one ended (a lost or doubled change
 * breaks the chain), and every status change has exactly one `case.status_changed` event with
 * the same from and to, in the same order; the row's `status_changes` repeat the history's status
 * rows. Returns the chain for further assertions.
 */
export async function expectConsistentCase(probe: DbProbe, caseId: string): Promise<Array<{ from: string; to: string; actor: string }>> {
  const [c] = await probe.query<{ status: string; status_changes: Array<{ at: string; to: string }> }>(
    'SELECT status::text AS status, status_changes FROM "case" WHERE id = $1',
    [caseId],
  );
  const history = await probe.query<{ field: string; from_value: string | null; to_value: string; actor_id: string; at: Date }>(
    `SELECT field, from_value, to_value, actor_id, at FROM case_history
      WHERE case_id = $1 AND field IN ('created', 'status') ORDER BY id`,
    [caseId],
  );
  const events = await probe.query<{ payload: { from: string; to: string } }>(
    `SELECT payload FROM outbox_event WHERE case_id = $1 AND type = 'case.status_changed' ORDER BY position`,
    [caseId],
  );
  expect(history[0]).toMatchObject({ field: 'created', to_value: 'REGISTERED' });
  const chain = history.slice(1).map((h) => ({ from: h.from_value ?? '', to: h.to_value, actor: h.actor_id }));
  let at = 'REGISTERED';
  for (const step of chain) {
    if (step.from !== at) throw new Error(`case ${caseId}: history jumps from ${at} to a move ${step.from} → ${step.to}`);
    at = step.to;
  }
  expect(c?.status).toBe(at);
  // The row's own list of its status changes (what its service level is computed from) is the
  // history's, change for change and instant for instant.
  expect(c!.status_changes.map((s) => `${new Date(s.at).toISOString()} ${s.to}`)).toEqual(
    history.slice(1).map((h) => `${h.at.toISOString()} ${h.to_value}`),
  );
  expect(events.map((e) => `${e.payload.from}→${e.payload.to}`)).toEqual(chain.map((s) => `${s.from}→${s.to}`));
  return chain;
}

/** The answer is an RFC 9457 problem: problem+json, with type, title and the same status. */
export function expectProblem(res: LightMyRequestResponse | { statusCode: number; headers: Record<string, unknown>; body: string }): void {
  const type = (res.headers['content-type'] as string | undefined) ?? '';
  if (!type.startsWith('application/problem+json')) {
    throw new Error(`HTTP ${res.statusCode} is not a problem (content-type ${type}): ${res.body.slice(0, 300)}`);
  }
  const body = JSON.parse(res.body) as { type?: unknown; title?: unknown; status?: unknown };
  expect(typeof body.type).toBe('string');
  expect(typeof body.title).toBe('string');
  expect(body.status).toBe(res.statusCode);
}
