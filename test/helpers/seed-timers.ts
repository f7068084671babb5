import pg from 'pg';

/**
 * Seeds `n` cases straight into the database, each waiting in WAITING_FOR_USER since `enteredAt`
 * with its COMPLETED timer due at `dueAt`: two set-based statements, so tests and the sweep
 * benchmark get thousands of due timers in a moment. The cases look like ones an operator put
 * in WAITING_FOR_USER with a public reply (salary category, payroll team, assignee `kari`).
 *
 * @returns the ids of the seeded cases
 */
export async function seedWaitingCases(
  databaseUrl: string,
  n: number,
  opts: { enteredAt: Date; dueAt: Date; numberPrefix?: string },
): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ case_id: string }>(
      `WITH c AS (
         INSERT INTO "case" (id, number, status, status_changed_at, category_key, team_key, assignee_id, subject,
                             description, channel, requester_id, requester_name, filed_by_id, filed_by_role,
                             last_public_reply_at, first_response_at, created_at, updated_at)
         SELECT gen_random_uuid(), $1 || '-' || lpad(g::text, 7, '0'), 'WAITING_FOR_USER', $2, 'salary', 'payroll',
                'kari', 'Seeded case ' || g, 'Seeded for timer tests', 'portal', 'req-' || g, 'Requester ' || g,
                'req-' || g, 'requester', $2, $2, $2, $2
         FROM generate_series(1, $3::int) AS g
         RETURNING id
       )
       INSERT INTO case_timer (case_id, from_status, to_status, entered_at, due_at)
       SELECT id, 'WAITING_FOR_USER', 'COMPLETED', $2, $4 FROM c
       RETURNING case_id`,
      [opts.numberPrefix ?? 'SEED', opts.enteredAt, n, opts.dueAt],
    );
    return rows.map((r) => r.case_id);
  } finally {
    await client.end();
  }
}
