import { createTestApp, type TestApp } from '../helpers/app';
import { api, expectStatus, headersFor, type Headers, type Person } from '../helpers/cases';

/**
 * A list page's rows take their category's facts (sensitive, service-level targets) from a copy the
 * service holds, checked against the category epoch of the page's snapshot
 * (docs/decisions/category-facts.md). These tests change categories behind a running service, by
 * the API and by SQL, and check that the very next page has the new facts: the case view, which
 * joins the category, is the oracle.
 */

interface Item {
  id: string;
  sensitive: boolean;
  sla: { firstResponseDueAt: string; resolutionDueAt: string };
}

let t: TestApp;
let h: Record<Person, Headers>;
/** An operator of another team: sees open cases of non-sensitive categories only. */
let travel: Headers;
let id: string;

beforeAll(async () => {
  t = await createTestApp();
  h = await headersFor(t);
  travel = await t.auth({ sub: 'tor', roles: ['operator'], teams: ['travel'], name: 'Tor Reise' });
  const filed = await api(t).post('/v1/cases', h.requester, { categoryKey: 'feedback', subject: 'category facts', description: 'd' });
  expectStatus(filed, 201);
  id = filed.json<{ id: string }>().id;
});
afterAll(async () => t.close());

/** The case as the operator's list page shows it (undefined: not on the page). */
async function listed(headers: Headers = h.operator): Promise<Item | undefined> {
  const r = await api(t).get('/v1/cases?category=feedback&limit=100', headers);
  expectStatus(r, 200);
  return r.json<{ items: Item[] }>().items.find((i) => i.id === id);
}

/** The case as its view shows it: the view reads the category in its own statement. */
async function viewed(): Promise<Item> {
  const r = await api(t).get(`/v1/cases/${id}`, h.operator);
  expectStatus(r, 200);
  return r.json<Item>();
}

async function putFeedback(change: Record<string, unknown>): Promise<void> {
  const { key: _k, notices: _n, ...body } = (await api(t).get('/v1/categories/feedback', h.admin)).json<Record<string, unknown>>();
  expectStatus(await api(t).put('/v1/categories/feedback', h.admin, { ...body, ...change }), 200);
}

async function readsLogged(): Promise<Array<{ actorId: string; endpoint: string }>> {
  const r = await api(t).get(`/v1/cases/${id}/access-log`, h.admin);
  expectStatus(r, 200);
  return r.json();
}

describe("a list page's category facts follow the category at once", () => {
  it('a category an admin makes sensitive: the next page marks the case sensitive and logs the read; another team no longer sees it', async () => {
    // The copy is held now, at the category's first epoch.
    expect((await listed())!.sensitive).toBe(false);
    expect(await listed(travel)).toBeDefined();
    expect(await readsLogged()).toEqual([]);

    await putFeedback({ sensitive: true });
    expect((await listed())!.sensitive).toBe(true);
    expect(await readsLogged()).toEqual([expect.objectContaining({ actorId: 'kari', endpoint: 'GET /v1/cases' })]);
    // Who may see it is decided by the page's statement, not by the copy.
    expect(await listed(travel)).toBeUndefined();

    await putFeedback({ sensitive: false });
    expect((await listed())!.sensitive).toBe(false);
    expect(await listed(travel)).toBeDefined();
  });

  it('service-level targets changed by SQL, not by the API: the next page has the due times the view has', async () => {
    const before = await listed();
    expect(before!.sla).toEqual((await viewed()).sla);
    await t.app.pool.query(`UPDATE category SET first_response_hours = 2, resolution_hours = 4 WHERE key = 'feedback'`);
    const after = await listed();
    expect(after!.sla.firstResponseDueAt).not.toBe(before!.sla.firstResponseDueAt);
    expect(after!.sla.resolutionDueAt).not.toBe(before!.sla.resolutionDueAt);
    expect(after!.sla).toEqual((await viewed()).sla);
  });

  it('a database whose epoch went back (a restore): the copy is read again, not kept because it looks newer', async () => {
    expect((await listed())!.sensitive).toBe(false);
    const client = await t.app.pool.connect();
    try {
      // What a restore of an older backup looks like to a running service: other facts, an epoch
      // lower than the one it holds.
      await client.query('BEGIN');
      await client.query(`UPDATE category SET sensitive = true WHERE key = 'feedback'`);
      await client.query('UPDATE category_epoch SET epoch = 0 WHERE id = 1');
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    expect((await viewed()).sensitive).toBe(true);
    expect((await listed())!.sensitive).toBe(true);
  });

  it('every kind of change to the category table bumps the epoch in its own transaction, a rolled-back one not', async () => {
    const epoch = async () => (await t.app.pool.query<{ epoch: number }>('SELECT epoch FROM category_epoch WHERE id = 1')).rows[0]!.epoch;
    const e0 = await epoch();
    await t.app.pool.query(`INSERT INTO category (key, name_nb, name_en, default_team_key) VALUES ('epoch-probe', 'Prøve', 'Probe', 'service')`);
    expect(await epoch()).toBe(e0 + 1);
    await t.app.pool.query(`UPDATE category SET sort_order = 7 WHERE key = 'epoch-probe'`);
    expect(await epoch()).toBe(e0 + 2);
    await t.app.pool.query(`DELETE FROM category WHERE key = 'epoch-probe'`);
    expect(await epoch()).toBe(e0 + 3);
    const client = await t.app.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`UPDATE category SET sort_order = sort_order WHERE key = 'feedback'`);
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
    expect(await epoch()).toBe(e0 + 3);
  });
});
