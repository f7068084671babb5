import { pgQuery, type Query } from '../../src/db/query';
import { ANONYMISED, ANONYMISED_ID } from '../../src/domain/retention';
import { scrubCasesParts } from '../../src/repositories/retention-repository';
import { createTestApp, type TestApp } from '../helpers/app';
import { caseIn, headersFor } from '../helpers/cases';

/**
 * scrubCasesParts scrubs a whole retention batch in one pass per table; a person is a person of
 * their own case only. Someone who is the requester of one case of the batch and staff on another
 * (an operator is an employee too) loses their id in the first and keeps it in the second, where
 * it is staff accountability (the access log, who moved the case, who wrote a note).
 */
describe('scrubbing the parts of a retention batch', () => {
  let t: TestApp;
  let q: Query;
  let own: string;
  let handled: string;

  beforeAll(async () => {
    t = await createTestApp();
    q = pgQuery(t.app.pool);
    const h = await headersFor(t);
    const file = async () => (await caseIn(t, h, 'REGISTERED')).id;
    own = await file();
    handled = await file();
    // "anna" is the person of `own`, and the staff member who handled `handled`.
    for (const [caseId, role] of [
      [own, 'requester'],
      [handled, 'operator'],
    ] as const) {
      await q(
        `INSERT INTO case_history (case_id, actor_id, actor_role, field, from_value, to_value, reason) VALUES ($1, 'anna', $2, 'assignee', NULL, 'anna', 'why')`,
        [caseId, role],
      );
      await q(`INSERT INTO access_log (case_id, actor_id, actor_role, endpoint) VALUES ($1, 'anna', $2, 'GET /v1/cases/:id')`, [caseId, role]);
      await q(
        `INSERT INTO case_message (id, case_id, author_id, author_role, visibility, body) VALUES (gen_random_uuid(), $1, 'anna', $2, 'internal', 'a note')`,
        [caseId, role],
      );
    }
  });
  afterAll(async () => t.close());

  it("scrubs a person in their own case and keeps the same id where it is another case's staff", async () => {
    await scrubCasesParts(q, [
      { id: own, people: ['anna'] },
      { id: handled, people: ['someone-else'] },
    ]);
    const history = async (id: string) =>
      q<{ actor_id: string; to_value: string | null; reason: string | null }>(
        `SELECT actor_id, to_value, reason FROM case_history WHERE case_id = $1 AND field = 'assignee'`,
        [id],
      );
    expect(await history(own)).toEqual([{ actor_id: ANONYMISED_ID, to_value: ANONYMISED_ID, reason: ANONYMISED }]);
    // Staff keep their id; free text goes in every case of the batch.
    expect(await history(handled)).toEqual([{ actor_id: 'anna', to_value: 'anna', reason: ANONYMISED }]);
    const log = async (id: string) =>
      (await q<{ actor_id: string }>(`SELECT actor_id FROM access_log WHERE case_id = $1`, [id])).map((r) => r.actor_id);
    expect(await log(own)).toEqual([ANONYMISED_ID]);
    expect(await log(handled)).toEqual(['anna']);
    const notes = async (id: string) =>
      q<{ author_id: string; body: string }>(`SELECT author_id, body FROM case_message WHERE case_id = $1 AND author_id IN ('anna', $2)`, [
        id,
        ANONYMISED_ID,
      ]);
    expect(await notes(own)).toEqual([{ author_id: ANONYMISED_ID, body: ANONYMISED }]);
    expect(await notes(handled)).toEqual([{ author_id: 'anna', body: ANONYMISED }]);
  });
});
