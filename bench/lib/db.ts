import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { applyMigrations } from '../../src/db/migrator';
import { migrationStatement } from '../../test/helpers/migrations';
import { descriptionSql, subjectSql } from './seed-text';

/** The server the benchmark creates its throwaway database on (never the app's own database). */
export const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

/** The zone case numbers and calendar years are counted in (the service's default TIMEZONE). */
const ZONE = 'Europe/Oslo';

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export interface BenchDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A fresh database with every migration applied; `drop()` removes it (and its connections). */
export async function createBenchDatabase(prefix = 'saksflyt_bench'): Promise<BenchDatabase> {
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  await withAdmin((c) => c.query(`CREATE DATABASE "${name}"`));
  const url = withDatabase(ADMIN_URL, name);
  await applyMigrations({ connectionString: url });
  return { name, url, drop: () => withAdmin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined) };
}

/** Bumped whenever seedCases seeds different data, so that a kept database is seeded again. */
const SEED_VERSION = 4;

/**
 * A database kept between runs for `cases` seeded cases (BENCH_REUSE_DB=1): named after the
 * size, reused (migrated to the newest schema, not seeded again) when a marker table says it
 * holds a finished seed of this size and seed version; else created afresh. `seeded` says
 * whether the caller must seed it (and then call `markSeeded`). Never dropped by the run.
 */
export async function reusableBenchDatabase(cases: number, log: (msg: string) => void): Promise<{ db: BenchDatabase; seeded: boolean }> {
  const name = `saksflyt_bench_seed_${cases}`;
  const url = withDatabase(ADMIN_URL, name);
  const db: BenchDatabase = {
    name,
    url,
    drop: () => withAdmin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
  const exists = (await withAdmin((c) => c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]))).rowCount === 1;
  if (exists) {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    const marker = await c
      .query<{ cases: string; version: number }>('SELECT cases, version FROM bench_seed')
      .then((r) => r.rows[0])
      .catch(() => undefined)
      .finally(() => c.end());
    if (marker && Number(marker.cases) === cases && marker.version === SEED_VERSION) {
      await applyMigrations({ connectionString: url });
      log(`reusing ${name} (${cases.toLocaleString('en-US')} cases seeded earlier)`);
      return { db, seeded: true };
    }
    log(`${name} holds no finished seed of this size and version: seeding it again`);
    await db.drop();
  }
  await withAdmin((c) => c.query(`CREATE DATABASE "${name}"`));
  await applyMigrations({ connectionString: url });
  return { db, seeded: false };
}

/** Records a finished seed in a reusable database (see reusableBenchDatabase). */
export async function markSeeded(url: string, cases: number): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(
      'CREATE TABLE IF NOT EXISTS bench_seed (cases bigint NOT NULL, version int NOT NULL, seeded_at timestamptz NOT NULL DEFAULT now())',
    );
    await c.query('DELETE FROM bench_seed');
    await c.query('INSERT INTO bench_seed (cases, version) VALUES ($1, $2)', [cases, SEED_VERSION]);
  } finally {
    await c.end();
  }
}

async function withAdmin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: ADMIN_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** Server facts for the report. */
export async function serverInfo(url: string): Promise<string> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const v = (await c.query<{ v: string }>('SELECT version() AS v')).rows[0]!.v.split(' on ')[0]!;
    // current_setting shows each with its unit ("128MB"); pg_settings' setting and unit read
    // "16384" and "8kB" for shared_buffers, which the report used to print as "163848kB".
    const s = await c.query<{ name: string; setting: string }>(
      `SELECT name, current_setting(name) AS setting FROM pg_settings
        WHERE name IN ('shared_buffers', 'max_connections', 'synchronous_commit', 'fsync', 'work_mem')`,
    );
    const settings = s.rows.map((r) => `${r.name}=${r.setting}`).join(', ');
    return `${v} (${settings})`;
  } finally {
    await c.end();
  }
}

/** The operator the benchmark acts as: in every team, so every case is theirs to read and move. */
export const BENCH_OPERATOR = 'bench-op';

// Status by age, as in a service centre's archive: recent cases are spread over the open
// statuses, cases a few weeks old are mostly done, older ones closed but for a few stragglers.
const STATUS_BY_AGE: Array<{ maxAgeDays: number; mix: Array<[string, number]> }> = [
  {
    maxAgeDays: 14,
    mix: [
      ['REGISTERED', 15],
      ['ASSIGNED', 15],
      ['IN_PROGRESS', 25],
      ['WAITING_FOR_USER', 15],
      ['ON_HOLD', 10],
      ['UPDATED_BY_USER', 10],
      ['COMPLETED', 10],
    ],
  },
  {
    maxAgeDays: 60,
    mix: [
      ['CLOSED', 50],
      ['COMPLETED', 30],
      ['WAITING_FOR_USER', 5],
      ['IN_PROGRESS', 5],
      ['ON_HOLD', 5],
      ['UPDATED_BY_USER', 3],
      ['REOPENED_BY_USER', 2],
    ],
  },
  {
    maxAgeDays: Infinity,
    mix: [
      ['CLOSED', 995],
      ['ON_HOLD', 2],
      ['COMPLETED', 2],
      ['REOPENED_BY_USER', 1],
    ],
  },
];

/** SQL CASE picking a status from the case's age (`age`, an interval) and a pseudo-random `r` in [0, 1). */
function statusCaseSql(age: string, r: string): string {
  const band = (mix: Array<[string, number]>) => {
    const total = mix.reduce((sum, [, w]) => sum + w, 0);
    let upTo = 0;
    return `CASE ${mix.map(([st, w]) => `WHEN ${r} < ${(upTo += w) / total} THEN '${st}'`).join(' ')} END`;
  };
  const arms = STATUS_BY_AGE.map((b) =>
    Number.isFinite(b.maxAgeDays) ? `WHEN ${age} < interval '${b.maxAgeDays} days' THEN ${band(b.mix)}` : `ELSE ${band(b.mix)}`,
  );
  return `(CASE ${arms.join(' ')} END)`;
}

/** A pseudo-random number in [0, 1) for case `g` and a salt: the seed is the same every run. */
function rnd(g: string, salt: number): string {
  return `((hashint4(${g} * 7 + ${salt}) & 2147483647)::float8 / 2147483648)`;
}

/**
 * The history every seeded case would have: its filing, then the status moves that led to its
 * status (REGISTERED → ASSIGNED → IN_PROGRESS → …), at times between filing and its last change.
 * The service level of a case view is computed from these rows, as it is for filed cases.
 */
const HISTORY_SQL = `
  INSERT INTO case_history (case_id, at, actor_id, actor_role, field, from_value, to_value)
  SELECT c.id, s.at, s.actor, s.role, s.field, s.from_value, s.to_value
    FROM "case" c
    CROSS JOIN LATERAL (SELECT coalesce(c.assignee_id, 'op-0') AS op) AS o
    CROSS JOIN LATERAL (VALUES
      (1, 'created', NULL, 'REGISTERED', c.created_at, c.requester_id, 'requester', true),
      (2, 'status', 'REGISTERED', 'ASSIGNED', c.created_at + interval '10 minutes', o.op, 'operator', c.status <> 'REGISTERED'),
      (3, 'status', 'ASSIGNED', 'IN_PROGRESS', c.created_at + interval '1 hour', o.op, 'operator', c.status NOT IN ('REGISTERED', 'ASSIGNED')),
      (4, 'status', 'IN_PROGRESS', 'WAITING_FOR_USER',
          CASE WHEN c.status = 'UPDATED_BY_USER' THEN c.created_at + interval '90 minutes' ELSE c.status_changed_at END,
          o.op, 'operator', c.status IN ('WAITING_FOR_USER', 'UPDATED_BY_USER')),
      (5, 'status', 'WAITING_FOR_USER', 'UPDATED_BY_USER', c.status_changed_at, c.requester_id, 'requester', c.status = 'UPDATED_BY_USER'),
      (6, 'status', 'IN_PROGRESS', 'ON_HOLD', c.status_changed_at, o.op, 'operator', c.status = 'ON_HOLD'),
      (7, 'status', 'IN_PROGRESS', 'COMPLETED',
          CASE WHEN c.status = 'REOPENED_BY_USER' THEN c.created_at + interval '1 day' ELSE c.status_changed_at END,
          o.op, 'operator', c.status IN ('COMPLETED', 'CLOSED', 'REOPENED_BY_USER')),
      (8, 'status', 'COMPLETED', 'CLOSED', c.status_changed_at, 'system', 'system', c.status = 'CLOSED'),
      (9, 'status', 'COMPLETED', 'REOPENED_BY_USER', c.status_changed_at, c.requester_id, 'requester', c.status = 'REOPENED_BY_USER')
    ) AS s(n, field, from_value, to_value, at, actor, role, present)
   WHERE s.present`;

/** Every seeded case's `status_changes` from its history rows: the backfill of migration 20261203100000 itself. */
const STATUS_CHANGES_SQL = migrationStatement('20261203100000_case_status_changes', 'UPDATE "case"');

/**
 * Seeds `count` cases spread over the five years before now, straight in SQL (generate_series):
 * one statement per calendar year, numbered YYYY-NNNNNN within the year as the service numbers
 * them, with each year's numbering moved past them (case_number_skip_past) so cases filed
 * through the API continue it. Statuses follow age (STATUS_BY_AGE); categories, assignees (40 operators) and
 * requesters (50,000) are spread pseudo-randomly but the same on every run; each case gets the
 * history rows of its way to its status (HISTORY_SQL); the SLA trigger fills case_sla as it would
 * for filed cases, and every SLA row is then marked fresh (FRESH_SLA_SQL).
 */
export async function seedCases(url: string, total: number, log: (msg: string) => void, opts: { indexesAfter?: boolean } = {}): Promise<void> {
  if (total <= 0) return;
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    // A bulk load: no wait for the WAL flush per statement, room for the index builds.
    await c.query(`SET synchronous_commit = off`);
    await c.query(`SET maintenance_work_mem = '${process.env.BENCH_SEED_MAINTENANCE_WORK_MEM ?? '1GB'}'`);
    // Secondary indexes dropped before the bulk insert and built after it (one sort each instead
    // of a random insert per row and index); the primary keys stay (foreign keys need them).
    const deferred = opts.indexesAfter ? await dropSecondaryIndexes(c, ['case', 'case_history']) : [];
    if (deferred.length) log(`  ${deferred.length} secondary indexes of case and case_history dropped for the bulk insert`);
    // In a bulk seed the two per-row AFTER INSERT triggers of "case" (the SLA row, the search word
    // list) are replaced by one set-based statement each after the insert: the same rows, without a
    // trigger call and ~50 index probes per case (BULK_ROW_TRIGGERS).
    if (opts.indexesAfter) for (const t of BULK_ROW_TRIGGERS) await c.query(`ALTER TABLE "case" DISABLE TRIGGER ${t.name}`);
    // Above BENCH_SEED_DISTINCT cases the seed makes that many distinct cases and copies them
    // (copyCases): the copies' text is the same, so their search vectors are copied, not computed.
    const distinct = distinctCases(total);
    const count = distinct;
    // g = 1 is the newest case (a day old), g = count the oldest (five years old).
    const span = `(interval '5 years' / ${count})`;
    const createdSql = `(now() - interval '1 day' - (s.g - 1) * ${span})`;
    const { rows: years } = await c.query<{ year: number; first: string; last: string }>(
      `SELECT extract(year FROM (${createdSql}) AT TIME ZONE '${ZONE}')::int AS year, min(s.g) AS first, max(s.g) AS last
         FROM generate_series(1, ${count}) AS s(g) GROUP BY 1 ORDER BY 1`,
    );
    for (const y of years) {
      const started = Date.now();
      // Oldest first within the year: number 1 is the year's first case.
      await c.query(
        `INSERT INTO "case" (id, number, status, status_changed_at, category_key, team_key, assignee_id, subject,
                             description, details, channel, requester_id, requester_name, employee_number, filed_by_id,
                             filed_by_role, last_public_reply_at, first_response_at, completed_at, closed_at, version,
                             created_at, updated_at)
         SELECT gen_random_uuid(),
                '${y.year}-' || lpad((${y.last} - s.g + 1)::text, greatest(6, length((${y.last} - s.g + 1)::text)), '0'),
                x.status::"CaseStatus",
                x.done,
                cat.key, cat.default_team_key,
                CASE WHEN x.status = 'REGISTERED' THEN NULL ELSE 'op-' || floor(${rnd('s.g', 2)} * 40)::int END,
                ${subjectSql((salt) => rnd('s.g', salt), 'cat.name_nb')},
                ${descriptionSql((salt) => rnd('s.g', salt), '(100000 + x.requester)::text', "'Bench User ' || x.requester")},
                '{}'::jsonb,
                'portal'::"Channel",
                'u' || x.requester, 'Bench User ' || x.requester, (100000 + x.requester)::text,
                'u' || x.requester, 'requester',
                CASE WHEN x.status IN ('WAITING_FOR_USER', 'COMPLETED', 'CLOSED') THEN x.done END,
                CASE WHEN x.status IN ('WAITING_FOR_USER', 'COMPLETED', 'CLOSED') THEN x.done END,
                CASE WHEN x.status IN ('COMPLETED', 'CLOSED') THEN x.done END,
                CASE WHEN x.status = 'CLOSED' THEN x.done END,
                3, x.created, x.done
           FROM generate_series(${y.first}, ${y.last}) AS s(g)
           CROSS JOIN LATERAL (SELECT ${createdSql} AS created) AS c0
           CROSS JOIN LATERAL (SELECT c0.created, least(c0.created + interval '2 days', now()) AS done,
                                      ${statusCaseSql('(now() - c0.created)', rnd('s.g', 1))} AS status,
                                      floor(${rnd('s.g', 3)} * 50000)::int AS requester) AS x
           JOIN (SELECT key, default_team_key, name_nb, row_number() OVER (ORDER BY key) - 1 AS n,
                        count(*) OVER () AS total FROM category) AS cat
             ON cat.n = floor(${rnd('s.g', 4)} * cat.total)`,
      );
      await c.query(`SELECT case_number_skip_past($1, $2)`, [y.year, Number(y.last) - Number(y.first) + 1]);
      log(`  ${y.year}: ${Number(y.last) - Number(y.first) + 1} cases (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    }
    // The copies take no new word (same text), so the word list is filled once from the distinct
    // cases; the SLA rows once after the copies, into an empty key in id order.
    if (total > distinct) {
      const perYear = new Map(years.map((y) => [String(y.year), Number(y.last) - Number(y.first) + 1]));
      await copyCases(c, distinct, total, perYear, log);
    }
    if (opts.indexesAfter || total > distinct) {
      for (const t of BULK_ROW_TRIGGERS) {
        const filled = Date.now();
        const { rowCount: n } = await bulk(c, t.fill, log);
        await c.query(`ALTER TABLE "case" ENABLE TRIGGER ${t.name}`);
        log(`  ${t.name}: ${n} rows set-based (${((Date.now() - filled) / 1000).toFixed(1)} s)`);
      }
    }
    const started = Date.now();
    const { rowCount } = opts.indexesAfter ? await bulk(c, HISTORY_SQL, log) : await c.query(HISTORY_SQL);
    log(`  history: ${rowCount} rows (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    // Each row's status changes from its history, as the writer of plans keeps them (no trigger
    // of "case" fires in bulk(): nothing a status change's triggers write is due here).
    const listed = Date.now();
    const { rowCount: changed } = await bulk(c, STATUS_CHANGES_SQL, log);
    log(`  status_changes: ${changed} rows (${((Date.now() - listed) / 1000).toFixed(1)} s)`);
    const freshed = Date.now();
    const { rowCount: fresh } = await c.query(FRESH_SLA_SQL);
    if (fresh) log(`  case_sla: ${fresh} rows marked fresh (${((Date.now() - freshed) / 1000).toFixed(1)} s)`);
    if (deferred.length) {
      const built = Date.now();
      for (const d of deferred) await c.query(d);
      log(`  ${deferred.length} indexes built (${((Date.now() - built) / 1000).toFixed(1)} s)`);
    }
    // Vacuum and checkpoint now, so that autovacuum (which the inserts above trigger) and the
    // flush of the seed's dirty pages do not run in the middle of a measurement.
    const settled = Date.now();
    await c.query('VACUUM (ANALYZE)');
    await c.query('CHECKPOINT').catch((err: unknown) => log(`  no CHECKPOINT (${(err as Error).message}); measurements may overlap its flush`));
    log(`  vacuumed and checkpointed (${((Date.now() - settled) / 1000).toFixed(1)} s)`);
  } finally {
    await c.end();
  }
}

/**
 * How many distinct cases a seed of `count` generates (BENCH_SEED_DISTINCT, default 1,000,000):
 * all of them up to that; above it `count` must be a multiple of it and the rest are copies.
 */
function distinctCases(count: number): number {
  const distinct = Number(process.env.BENCH_SEED_DISTINCT ?? 1_000_000);
  if (!Number.isInteger(distinct) || distinct < 1) throw new Error('BENCH_SEED_DISTINCT: a whole number ≥ 1');
  if (count <= distinct) return count;
  if (count % distinct !== 0) throw new Error(`BENCH_CASES ${count}: above BENCH_SEED_DISTINCT (${distinct}) it must be a multiple of it`);
  return distinct;
}

/**
 * Makes `total` cases of the `distinct` seeded ones: copy k (1 … total/distinct − 1) of every case
 * with a new id, every instant k × (5 years / total) earlier (so the copies fill the gaps between
 * the distinct cases and the archive keeps its age profile: open cases recent, old ones closed),
 * and a number of its own in the same year (sequence k × that year's count + the original's, so
 * numbers stay unique but are not in filing order). The text is the original's, so the search
 * vectors are copied instead of computed again (the BEFORE INSERT trigger that computes them is
 * off meanwhile): to_tsvector in three configurations is most of a seed's time. The SLA rows, the
 * history and the word list (no new words) are filled after the copies, for all cases at once.
 */
async function copyCases(c: pg.Client, distinct: number, total: number, lastByYear: Map<string, number>, log: (msg: string) => void): Promise<void> {
  const { rows: cols } = await c.query<{ name: string; type: string }>(
    `SELECT column_name AS name, data_type AS type FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name = 'case' ORDER BY ordinal_position`,
  );
  const years = [...lastByYear].map(([year, last]) => ({ year, last }));
  const perYear = `(CASE split_part(o.number, '-', 1) ${years.map((y) => `WHEN '${y.year}' THEN ${Number(y.last)}`).join(' ')} END)`;
  const shift = (k: number) => `(${k} * (interval '5 years' / ${total}))`;
  const value =
    (k: number) =>
    (col: { name: string; type: string }): string => {
      if (col.name === 'id') return 'gen_random_uuid()';
      if (col.name === 'number') {
        const seq = `(${k} * ${perYear} + split_part(o.number, '-', 2)::int)::text`;
        return `split_part(o.number, '-', 1) || '-' || lpad(${seq}, greatest(6, length(${seq})), '0')`;
      }
      if (col.type.startsWith('timestamp')) return `o."${col.name}" - ${shift(k)}`;
      return `o."${col.name}"`;
    };
  const off = ['case_search_fields', ...BULK_ROW_TRIGGERS.map((t) => t.name)];
  for (const t of off) await c.query(`ALTER TABLE "case" DISABLE TRIGGER ${t}`);
  try {
    for (let k = 1; k < total / distinct; k++) {
      const started = Date.now();
      const { rowCount } = await c.query(
        `INSERT INTO "case" (${cols.map((col) => `"${col.name}"`).join(', ')})
         SELECT ${cols.map(value(k)).join(', ')} FROM "case" o WHERE split_part(o.number, '-', 2)::int <= ${perYear}`,
      );
      log(`  copy ${k}: ${rowCount} cases (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    }
  } finally {
    for (const t of off) await c.query(`ALTER TABLE "case" ENABLE TRIGGER ${t}`);
  }
  for (const y of years) await c.query(`SELECT case_number_skip_past($1, $2)`, [Number(y.year), y.last * (total / distinct)]);
}

/**
 * Runs one set-based statement of a bulk seed with the foreign-key checks off
 * (session_replication_role = replica: PostgreSQL's own switch for loading rows whose references
 * are known to hold, here rows made from the cases themselves). Each checked row was an index
 * probe into the case key: 50,000,000 of them for the history of a 10M seed. Needs a superuser;
 * without one the statement runs with the checks.
 */
async function bulk(c: pg.Client, sql: string, log: (msg: string) => void): Promise<pg.QueryResult> {
  const replica = await c.query(`SET session_replication_role = replica`).then(
    () => true,
    (err: unknown) => (log(`  foreign-key checks stay on (${(err as Error).message})`), false),
  );
  try {
    return await c.query(sql);
  } finally {
    if (replica) await c.query(`SET session_replication_role = DEFAULT`);
  }
}

/**
 * The seeded cases' SLA rows as an SLA sweep leaves them: not stale (seed version 3; before, every
 * row stayed stale, as the trigger leaves a filed case's). The background loops are off in the
 * benchmark, so nothing refreshed them, and a stale row is one a status change's trigger finds
 * already marked and leaves alone: every transition and every case the timer sweep moved skipped
 * the write production makes (marking the case's fresh row stale), which flattered both figures.
 * The due times are left empty: no measured request reads them (a case's `sla` is computed from
 * its status changes at the request; only the due-time sorts and queue filters read case_sla).
 */
const FRESH_SLA_SQL = `DELETE FROM case_sla_stale`;

/** The per-row insert triggers of "case" a bulk seed replaces, and the statement that does their work for every case at once. */
const BULK_ROW_TRIGGERS = [
  {
    name: 'case_sla_on_insert',
    fill: `INSERT INTO case_sla (case_id) SELECT id FROM "case" ORDER BY id ON CONFLICT (case_id) DO NOTHING`,
  },
  {
    name: 'case_search_lexemes_added',
    fill: `INSERT INTO search_lexeme (lexeme)
           SELECT DISTINCT unnest(tsvector_to_array(coalesce(search_fields, ''::tsvector) || coalesce(search_messages, ''::tsvector)
                                                    || coalesce(search_internal, ''::tsvector)))
             FROM "case" ORDER BY 1 ON CONFLICT DO NOTHING`,
  },
];

/**
 * Drops the indexes of `tables` that back no constraint (primary keys and unique constraints
 * stay) and answers the statements that build them again.
 */
async function dropSecondaryIndexes(c: pg.Client, tables: string[]): Promise<string[]> {
  const { rows } = await c.query<{ name: string; def: string }>(
    `SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def
       FROM pg_index i
      WHERE i.indrelid = ANY($1::regclass[])
        AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)`,
    [tables.map((t) => `"${t}"`)],
  );
  for (const r of rows) await c.query(`DROP INDEX ${r.name}`);
  return rows.map((r) => r.def);
}

/**
 * Inserts `count` cases of one shape filed `ageDays` ago (the year's next `count` numbers), their
 * SLA rows fresh, and answers their ids. Used for the transition pool and the timer sweep.
 */
async function seedBatch(
  c: pg.Client,
  count: number,
  shape: { status: string; ageDays: number; categoryKey: string; assignee: string | null; publicReply: boolean },
): Promise<string[]> {
  const { rows: y } = await c.query<{ year: number }>(
    `SELECT extract(year FROM (now() - make_interval(days => $1)) AT TIME ZONE '${ZONE}')::int AS year`,
    [shape.ageDays],
  );
  const year = y[0]!.year;
  // `count` numbers of the year in a row: the highest the year has given (its base's distance
  // from the sequence's position), then the year moved past the batch.
  const { rows: counter } = await c.query<{ last: string | null }>(
    `SELECT coalesce(pg_sequence_last_value('case_number_seq'), 0) - y.base AS last FROM case_number_year y WHERE y.year = $1`,
    [year],
  );
  const first = Number(counter[0]?.last ?? 0) + 1;
  await c.query(`SELECT case_number_skip_past($1, $2)`, [year, first + count - 1]);
  const { rows } = await c.query<{ id: string }>(
    `INSERT INTO "case" (id, number, status, status_changed_at, category_key, team_key, assignee_id, subject, description,
                         details, channel, requester_id, requester_name, filed_by_id, filed_by_role,
                         last_public_reply_at, first_response_at, version, created_at, updated_at)
     SELECT gen_random_uuid(), $1 || '-' || lpad(($2 + s.g)::text, greatest(6, length(($2 + s.g)::text)), '0'), $3::"CaseStatus", at.t, cat.key,
            cat.default_team_key, $4, 'Bench case ' || s.g, 'Seeded by the benchmark.', '{}'::jsonb, 'portal'::"Channel",
            'u' || (s.g % 50000), 'Bench User ' || (s.g % 50000), 'u' || (s.g % 50000), 'requester',
            CASE WHEN $5 THEN at.t END, CASE WHEN $5 THEN at.t END, 3, at.t, at.t
       FROM generate_series(0, $6 - 1) AS s(g)
       CROSS JOIN (SELECT now() - make_interval(days => $7) AS t) AS at
       JOIN category cat ON cat.key = $8
     RETURNING id`,
    [String(year), first, shape.status, shape.assignee, shape.publicReply, count, shape.ageDays, shape.categoryKey],
  );
  const ids = rows.map((r) => r.id);
  await markSlaFresh(c, ids);
  return ids;
}

/**
 * Marks the SLA rows of `ids` fresh, as an SLA sweep leaves them (FRESH_SLA_SQL says why): before
 * each transition measurement for its pool, whose moves marked them stale, and for every batch
 * seedBatch files.
 */
async function markSlaFresh(c: pg.Client, ids: readonly string[]): Promise<void> {
  await c.query(`DELETE FROM case_sla_stale WHERE case_id = ANY($1::uuid[])`, [ids]);
}

/** markSlaFresh on a connection of its own to `url` (the benchmark, between measurements). */
export async function markPoolFresh(url: string, ids: readonly string[]): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await markSlaFresh(c, ids);
  } finally {
    await c.end();
  }
}

/** Cases IN_PROGRESS with the bench operator as assignee, for the IN_PROGRESS ↔ ON_HOLD scenario. */
export async function seedTransitionPool(url: string, count: number): Promise<string[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    // Employment (team `employment`): a team and category no list or search query of the benchmark
    // asks for, and filed 60 days ago, behind the newest cases a search ranks (docs/search.md),
    // so a pool of thousands of open cases does not change what the list and the search find.
    // Filed 3 days ago in `general` (team `service`), a 20,000-case pool doubled the service
    // team's open cases and put 20,000 non-matching cases in front of every newest-first scan:
    // the list's team queue and the common-word search slowed several times.
    return await seedBatch(c, count, { status: 'IN_PROGRESS', ageDays: 60, categoryKey: 'employment', assignee: BENCH_OPERATOR, publicReply: false });
  } finally {
    await c.end();
  }
}

/**
 * `count` cases WAITING_FOR_USER for 20 days with their WAITING_FOR_USER → COMPLETED timer due
 * 10 days ago: the backlog a sweep finds after the service was down, or after a large import.
 */
export async function seedDueTimers(url: string, count: number): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query('BEGIN');
    const ids = await seedBatch(c, count, {
      status: 'WAITING_FOR_USER',
      ageDays: 20,
      categoryKey: 'general',
      assignee: BENCH_OPERATOR,
      publicReply: true,
    });
    await c.query(
      `INSERT INTO case_timer (case_id, from_status, to_status, entered_at, due_at)
       SELECT id, 'WAITING_FOR_USER', 'COMPLETED', now() - interval '20 days', now() - interval '10 days'
         FROM unnest($1::uuid[]) AS id`,
      [ids],
    );
    await c.query('COMMIT');
    await c.query('ANALYZE case_timer');
  } finally {
    await c.end();
  }
}

/** Ids of up to `count` cases in non-sensitive categories, for the read scenario. */
export async function sampleReadableIds(url: string, count: number): Promise<string[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const { rows } = await c.query<{ id: string }>(
      `SELECT c.id FROM "case" c JOIN category cat ON cat.key = c.category_key
        WHERE NOT cat.sensitive ORDER BY random() LIMIT $1`,
      [count],
    );
    return rows.map((r) => r.id);
  } finally {
    await c.end();
  }
}

/** A case number and an employee number of seeded, non-sensitive cases, for the search benchmark. */
export async function sampleSearchTargets(url: string, teams: string[]): Promise<{ number: string; employeeNumber: string }> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const { rows } = await c.query<{ number: string; employee_number: string }>(
      `SELECT c.number, c.employee_number FROM "case" c JOIN category cat ON cat.key = c.category_key
        WHERE NOT cat.sensitive AND c.employee_number IS NOT NULL AND c.team_key = ANY($1::text[])
        ORDER BY c.created_at DESC OFFSET 100 LIMIT 1`,
      [teams],
    );
    if (!rows[0]) throw new Error('no seeded case to search for (BENCH_CASES too small?)');
    return { number: rows[0].number, employeeNumber: rows[0].employee_number };
  } finally {
    await c.end();
  }
}
