import { loadDevIssuer } from '../../src/auth/dev-issuer';
import type { HttpRequest } from './load';
import { BENCH_OPERATOR } from './db';
import { SEARCH_WORDS } from './seed-text';

/** The operator's teams: the shared desk and payroll, neither holding sensitive categories. */
export const OPERATOR_TEAMS = ['service', 'payroll'];

export interface Tokens {
  /** Requesters filing cases (several, so the load is not one person's). */
  requesters: string[];
  operator: string;
  /**
   * Operators of the same teams for the list and search scenarios: the service lets one identity
   * have EXPENSIVE_CONCURRENCY_PER_IDENTITY (2) searches in flight, so many operators search at once.
   */
  operators: string[];
  admin: string;
}

/** Tokens signed with the dev issuer's key under `dataDir`, which the service trusts outside production. */
export async function signTokens(dataDir: string): Promise<Tokens> {
  const issuer = await loadDevIssuer(dataDir);
  const ttl = 24 * 3600;
  const requesters: string[] = [];
  for (let i = 0; i < 50; i++) {
    requesters.push(
      await issuer.sign(
        { sub: `bench-req-${i}`, roles: ['requester'], teams: [], name: `Bench Requester ${i}`, employee_number: String(200000 + i) },
        ttl,
      ),
    );
  }
  const operators: string[] = [];
  for (let i = 0; i < 256; i++)
    operators.push(await issuer.sign({ sub: `bench-op-${i}`, roles: ['operator'], teams: OPERATOR_TEAMS, name: `Bench Operator ${i}` }, ttl));
  return {
    requesters,
    operators,
    operator: await issuer.sign({ sub: BENCH_OPERATOR, roles: ['operator'], teams: OPERATOR_TEAMS, name: 'Bench Operator' }, ttl),
    admin: await issuer.sign({ sub: 'bench-admin', roles: ['admin'], teams: [], name: 'Bench Admin' }, ttl),
  };
}

const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

/** The body every filed case carries: the general enquiry form has no extra fields. */
const CREATE_BODY = { categoryKey: 'general', subject: 'Bench case', description: 'Filed by the benchmark.' };

export function createRequests(tokens: Tokens): () => HttpRequest {
  let i = 0;
  const body = JSON.stringify(CREATE_BODY);
  return () => ({ method: 'POST', path: '/v1/cases', headers: bearer(tokens.requesters[i++ % tokens.requesters.length]!), body });
}

export function readRequests(tokens: Tokens, ids: string[]): () => HttpRequest {
  let i = 0;
  return () => ({ method: 'GET', path: `/v1/cases/${ids[(i = (i + 7919) % ids.length)]}`, headers: bearer(tokens.operator) });
}

/**
 * A pool of cases, each handed to one request at a time and back when its answer came: a case
 * is never moved by two requests at once, so every move is a success unless the service fails.
 */
export class TogglePool {
  private readonly free: Array<{ id: string; status: string }>;

  constructor(ids: string[]) {
    this.free = ids.map((id) => ({ id, status: 'IN_PROGRESS' }));
  }

  take(): { id: string; status: string } {
    const c = this.free.shift();
    if (!c) throw new Error('transition pool exhausted: raise BENCH_TRANSITION_POOL above the connection count');
    return c;
  }

  give(c: { id: string; status: string }): void {
    this.free.push(c);
  }

  static next(status: string): 'IN_PROGRESS' | 'ON_HOLD' {
    return status === 'IN_PROGRESS' ? 'ON_HOLD' : 'IN_PROGRESS';
  }
}

export function transitionRequests(tokens: Tokens, pool: TogglePool): () => HttpRequest {
  return () => {
    const c = pool.take();
    const to = TogglePool.next(c.status);
    return {
      method: 'POST',
      path: `/v1/cases/${c.id}/transitions`,
      headers: bearer(tokens.operator),
      body: JSON.stringify({ to }),
      onResponse: (status, body) => {
        if (status === 200) c.status = to;
        else if (status === 409) c.status = (JSON.parse(body) as { currentStatus?: string }).currentStatus ?? c.status;
        pool.give(c);
      },
    };
  };
}

/** A list query as the API takes it and as the floor's SQL needs it. */
export interface ListQuery {
  name: string;
  status?: string[];
  team?: string;
  category?: string;
  assignee?: string;
  requester?: string;
  createdFrom?: string;
  createdTo?: string;
  q?: string;
  sort?: 'created' | 'updated';
  cursor?: string;
}

/** A cursor as the service issues it (src/services/case-service.ts encodeCursor), at `at`. */
function cursorAt(at: string): string {
  return Buffer.from(JSON.stringify({ s: 'created', t: at, id: 'ffffffff-ffff-ffff-ffff-ffffffffffff' })).toString('base64url');
}

/** What operators ask the list for, on a 1M-case archive. */
export function listQueries(now: Date): ListQuery[] {
  const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000).toISOString();
  return [
    { name: 'open cases of a team', status: ['ASSIGNED', 'IN_PROGRESS'], team: 'service' },
    { name: "an operator's own open cases", assignee: 'op-7', status: ['IN_PROGRESS', 'ON_HOLD', 'WAITING_FOR_USER', 'UPDATED_BY_USER'] },
    { name: 'unassigned queue of a category', category: 'salary', status: ['REGISTERED'] },
    { name: "a requester's cases", requester: 'u4242' },
    { name: 'a team in a month', team: 'payroll', createdFrom: daysAgo(365), createdTo: daysAgo(335) },
    // Newest first, as the lean reference orders every list page: the same question of both. A
    // search's default order (relevance over the newest 1,000 hits) is measured in the search part.
    { name: 'a word, newest first', q: 'reiseregning', status: ['COMPLETED'], sort: 'created' },
    { name: 'recently updated by requesters', sort: 'updated', status: ['UPDATED_BY_USER'], team: 'service' },
    { name: 'everything, newest first' },
    // Keyset pagination deep into the archive, as an integration paging through everything does.
    { name: 'everything, a page a year back', cursor: cursorAt(daysAgo(365)) },
  ];
}

function listPath(q: ListQuery): string {
  const p = new URLSearchParams();
  for (const s of q.status ?? []) p.append('status', s);
  for (const k of ['team', 'category', 'assignee', 'requester', 'createdFrom', 'createdTo', 'q', 'sort', 'cursor'] as const) {
    const v = q[k];
    if (v !== undefined) p.set(k, v);
  }
  p.set('limit', '25');
  return `/v1/cases?${p.toString()}`;
}

export function listRequests(tokens: Tokens, queries: ListQuery[]): () => HttpRequest {
  const paths = queries.map(listPath);
  let i = 0;
  let o = 0;
  return () => ({ method: 'GET', path: paths[i++ % paths.length]!, headers: bearer(tokens.operators[o++ % tokens.operators.length]!) });
}

/**
 * Adds, for each query with a next page, the same query at its second page (the keyset cursor
 * path), asking the running service for the cursors.
 */
export async function withSecondPages(baseUrl: string, tokens: Tokens, queries: ListQuery[]): Promise<ListQuery[]> {
  const out = [...queries];
  for (const q of queries) {
    const res = await fetch(`${baseUrl}${listPath(q)}`, { headers: bearer(tokens.operator) });
    if (res.status !== 200) throw new Error(`list ${q.name}: HTTP ${res.status} ${await res.text()}`);
    const body = (await res.json()) as { nextCursor: string | null };
    if (body.nextCursor) out.push({ ...q, name: `${q.name} (page 2)`, cursor: body.nextCursor });
  }
  return out;
}

/** A message by the operator on one case (traced for its statement count, not timed). */
export function messageRequests(tokens: Tokens, ids: string[]): () => HttpRequest {
  let i = 0;
  return () => ({
    method: 'POST',
    path: `/v1/cases/${ids[i++ % ids.length]}/messages`,
    headers: bearer(tokens.operator),
    body: JSON.stringify({ body: 'Takk, vi ser på saken.', visibility: 'internal' }),
  });
}

/** One search of the #16 benchmark: `GET /v1/cases?q=…` by the operator, first page of 25. */
export interface SearchQuery {
  name: string;
  q: string;
}

/** The four searches: a common word, a rare word, a case number, an employee number (from the seed). */
export function searchQueries(sample: { number: string; employeeNumber: string }): SearchQuery[] {
  return [
    { name: 'common word', q: SEARCH_WORDS.common },
    { name: 'rare word', q: SEARCH_WORDS.rare },
    { name: 'case number', q: sample.number },
    { name: 'employee number', q: sample.employeeNumber },
  ];
}

export function searchRequests(tokens: Tokens, s: SearchQuery): () => HttpRequest {
  const path = `/v1/cases?${new URLSearchParams({ q: s.q, limit: '25' }).toString()}`;
  let o = 0;
  return () => ({ method: 'GET', path, headers: bearer(tokens.operators[o++ % tokens.operators.length]!) });
}
