/**
 * The lean reference of `npm run bench` (issue #17): a small Fastify + `pg` server doing only the
 * essential database work of each benchmark scenario against the service's tables, written
 * independently of the service (none of src/ is imported): no authentication, no access checks,
 * no service levels, no validation beyond Fastify's JSON parsing, no logging, no response schemas.
 * It answers the same paths as the service so that the same load generator drives both:
 *
 *   POST /v1/cases                     BEGIN; number + case (one statement); history row; event; COMMIT
 *   GET  /v1/cases/:id                 one SELECT of the case row
 *   POST /v1/cases/:id/transitions     BEGIN; SELECT … FOR UPDATE; UPDATE; history row; event; COMMIT
 *   GET  /v1/cases?team=&status=&…     one SELECT of a page of 25, newest first, on the query's filters
 *
 * Run by bench/lib/app-process.ts as `node --import tsx bench/lean/server.ts`; settings from the
 * environment: LEAN_DATABASE_URL, PORT, HOST, LEAN_POOL_MAX (the service's DB_POOL_MAX).
 * The statements are deliberately plain (what a developer writes first); LEAN_SINGLE_STATEMENT=1
 * folds each write into one statement with data-modifying CTEs instead, the round-trip floor.
 */
import Fastify from 'fastify';
import pg from 'pg';

const pool = new pg.Pool({
  connectionString: process.env.LEAN_DATABASE_URL,
  max: Number(process.env.LEAN_POOL_MAX ?? 10),
  // The server settings the harness gives (the service's: no JIT, no parallel workers), so that
  // the two differ in their code, not in how PostgreSQL plans for them.
  ...(process.env.LEAN_PG_OPTIONS ? { options: process.env.LEAN_PG_OPTIONS } : {}),
});
const single = process.env.LEAN_SINGLE_STATEMENT === '1';
const app = Fastify({ logger: false });

type Row = Record<string, unknown>;

async function tx<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    const out = await fn(c);
    await c.query('COMMIT');
    return out;
  } catch (err) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    c.release();
  }
}

const CASE_FIELDS = `id, number, status, category_key AS "categoryKey", team_key AS "teamKey", assignee_id AS "assigneeId",
  subject, description, requester_id AS "requesterId", version, created_at AS "createdAt", updated_at AS "updatedAt"`;

/** Number from the schema's numbering function (a sequence, migration 20261202110000) and the case row: the CTEs, then the insert. */
const NUMBER_CTES = `
  n AS (
    SELECT y.year, case_number_next(y.year) AS last
      FROM (SELECT extract(year FROM now() AT TIME ZONE 'Europe/Oslo')::int AS year) y),
  cat AS (SELECT key, default_team_key FROM category WHERE key = $1)`;
const CASE_INSERT = `
  INSERT INTO "case" (id, number, status, category_key, team_key, subject, description, channel,
                      requester_id, requester_name, filed_by_id, filed_by_role)
  SELECT gen_random_uuid(), n.year || '-' || lpad(n.last::text, greatest(6, length(n.last::text)), '0'), 'REGISTERED', cat.key, cat.default_team_key,
         $2, $3, 'portal', $4, $4, $4, 'requester'
    FROM n, cat
  RETURNING ${CASE_FIELDS}`;
const INSERT_CASE = `WITH ${NUMBER_CTES} ${CASE_INSERT}`;

const INSERT_HISTORY = `INSERT INTO case_history (case_id, actor_id, actor_role, field, from_value, to_value)
  VALUES ($1, $2, $3, $4, $5, $6)`;
const INSERT_EVENT = `INSERT INTO outbox_event (id, type, case_id, payload) VALUES (gen_random_uuid(), $1, $2, $3)`;

app.post<{ Body: { categoryKey?: string; subject?: string; description?: string } }>('/v1/cases', async (req, reply) => {
  const b = req.body ?? {};
  const requester = 'lean-requester';
  const args = [b.categoryKey ?? 'general', b.subject ?? '', b.description ?? '', requester];
  let row: Row | undefined;
  if (single) {
    const r = await pool.query<Row>(
      `WITH ${NUMBER_CTES},
       c AS (${CASE_INSERT}),
       h AS (INSERT INTO case_history (case_id, actor_id, actor_role, field, to_value)
             SELECT id, $4, 'requester', 'created', 'REGISTERED' FROM c)
       INSERT INTO outbox_event (id, type, case_id, payload)
       SELECT gen_random_uuid(), 'case.created', c.id, jsonb_build_object('caseId', c.id, 'number', c.number) FROM c
       RETURNING (SELECT row_to_json(c) FROM c) AS row`,
      args,
    );
    row = r.rows[0]?.row as Row | undefined;
  } else {
    row = await tx(async (c) => {
      const r = (await c.query<Row>(INSERT_CASE, args)).rows[0];
      if (!r) return undefined;
      await c.query(INSERT_HISTORY, [r.id, requester, 'requester', 'created', null, 'REGISTERED']);
      await c.query(INSERT_EVENT, ['case.created', r.id, JSON.stringify({ caseId: r.id, number: r.number })]);
      return r;
    });
  }
  if (!row) return reply.code(400).send({ error: 'unknown category' });
  return reply.code(201).send(row);
});

app.get<{ Params: { id: string } }>('/v1/cases/:id', async (req, reply) => {
  const r = await pool.query<Row>(`SELECT ${CASE_FIELDS} FROM "case" WHERE id = $1::uuid`, [req.params.id]);
  return r.rows[0] ?? reply.code(404).send({ error: 'not found' });
});

const ACTOR = 'lean-operator';

app.post<{ Params: { id: string }; Body: { to?: string } }>('/v1/cases/:id/transitions', async (req, reply) => {
  const to = req.body?.to ?? '';
  const id = req.params.id;
  if (single) {
    const r = await pool.query<Row>(
      `WITH old AS (SELECT id, status FROM "case" WHERE id = $1::uuid FOR UPDATE),
       upd AS (UPDATE "case" c SET status = $2::"CaseStatus", status_changed_at = now(), version = c.version + 1, updated_at = now()
                 FROM old WHERE c.id = old.id AND old.status <> $2::"CaseStatus" RETURNING c.*, old.status AS from_status),
       h AS (INSERT INTO case_history (case_id, actor_id, actor_role, field, from_value, to_value)
             SELECT id, $3, 'operator', 'status', from_status::text, $2 FROM upd)
       INSERT INTO outbox_event (id, type, case_id, payload)
       SELECT gen_random_uuid(), 'case.status_changed', upd.id, jsonb_build_object('caseId', upd.id, 'from', upd.from_status, 'to', $2::text) FROM upd
       RETURNING (SELECT row_to_json(u) FROM (SELECT ${CASE_FIELDS} FROM upd) u) AS row`,
      [id, to, ACTOR],
    );
    const row = r.rows[0]?.row;
    if (row) return row;
    // Not moved: already in that status (or no such case); say where it is, as the plain path does.
    const now = await pool.query<{ status: string }>(`SELECT status FROM "case" WHERE id = $1::uuid`, [id]);
    return now.rows[0] ? reply.code(409).send({ code: 409, currentStatus: now.rows[0].status }) : reply.code(404).send({ code: 404 });
  }
  const out = await tx(async (c) => {
    const old = (await c.query<{ status: string }>(`SELECT status FROM "case" WHERE id = $1::uuid FOR UPDATE`, [id])).rows[0];
    if (!old) return { code: 404 as const };
    if (old.status === to) return { code: 409 as const, currentStatus: old.status };
    const row = (
      await c.query<Row>(
        `UPDATE "case" SET status = $2::"CaseStatus", status_changed_at = now(), version = version + 1, updated_at = now()
          WHERE id = $1::uuid RETURNING ${CASE_FIELDS}`,
        [id, to],
      )
    ).rows[0]!;
    await c.query(INSERT_HISTORY, [id, ACTOR, 'operator', 'status', old.status, to]);
    await c.query(INSERT_EVENT, ['case.status_changed', id, JSON.stringify({ caseId: id, from: old.status, to })]);
    return { code: 200 as const, row };
  });
  if (out.code !== 200) return reply.code(out.code).send(out);
  return out.row;
});

/** The list: the filters the benchmark's list mix uses, a page of 25, newest first (keyset cursor). */
app.get<{ Querystring: Record<string, string | string[] | undefined> }>('/v1/cases', async (req) => {
  const qs = req.query;
  const where: string[] = [];
  const params: unknown[] = [];
  const p = (v: unknown) => `$${params.push(v)}`;
  const statuses = qs.status === undefined ? [] : Array.isArray(qs.status) ? qs.status : [qs.status];
  if (statuses.length === 1) where.push(`status = ${p(statuses[0])}::"CaseStatus"`);
  else if (statuses.length > 1) where.push(`status = ANY(${p(statuses)}::"CaseStatus"[])`);
  const eq: Array<[string, string]> = [
    ['team', 'team_key'],
    ['category', 'category_key'],
    ['assignee', 'assignee_id'],
    ['requester', 'requester_id'],
  ];
  for (const [k, col] of eq) if (typeof qs[k] === 'string') where.push(`${col} = ${p(qs[k])}`);
  if (typeof qs.createdFrom === 'string') where.push(`created_at >= ${p(qs.createdFrom)}`);
  if (typeof qs.createdTo === 'string') where.push(`created_at < ${p(qs.createdTo)}`);
  if (typeof qs.q === 'string') where.push(`subject ILIKE ${p(`%${qs.q.replace(/[\\%_]/g, '\\$&')}%`)}`);
  const col = qs.sort === 'updated' ? 'updated_at' : 'created_at';
  if (typeof qs.cursor === 'string') {
    const cur = JSON.parse(Buffer.from(qs.cursor, 'base64url').toString('utf8')) as { t: string; id: string };
    const t = p(cur.t);
    where.push(`${col} <= ${t} AND (${col}, id) < (${t}::timestamptz, ${p(cur.id)}::uuid)`);
  }
  const limit = Math.min(100, Number(qs.limit ?? 25) || 25);
  const r = await pool.query<Row>(
    `SELECT ${CASE_FIELDS} FROM "case" ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY ${col} DESC, id DESC LIMIT ${limit}`,
    params,
  );
  const last = r.rows.length === limit ? r.rows[r.rows.length - 1] : undefined;
  const nextCursor = last
    ? Buffer.from(
        JSON.stringify({ s: qs.sort ?? 'created', t: (last[qs.sort === 'updated' ? 'updatedAt' : 'createdAt'] as Date).toISOString(), id: last.id }),
      ).toString('base64url')
    : null;
  return { items: r.rows, nextCursor };
});

app.get('/health/ready', async () => ({ status: 'ok' }));

const shutdown = () => {
  void app.close().then(() => pool.end().then(() => process.exit(0)));
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

app.listen({ host: process.env.HOST ?? '127.0.0.1', port: Number(process.env.PORT ?? 0) }).catch((err: unknown) => {
  process.stderr.write(`lean reference failed to start: ${String(err)}\n`);
  process.exit(1);
});
