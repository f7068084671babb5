import { randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { createTestApp, type TestApp, type Who } from '../helpers/app';

/**
 * Who may do what (DOMAIN.md "Privacy", docs/identity.md "Access rules"): every /v1 endpoint ×
 * every kind of caller × the caller's own case, someone else's case and a sensitive case.
 *
 * The three cases all belong to team `absence`:
 *   own       — a `leave` case Ola filed for herself;
 *   others    — a `leave` case leader Lena filed about her employee Emil;
 *   sensitive — a `sickness` case Ola filed (health data).
 * "Operator (owning team)" is in team absence; "operator (other team)" in payroll. The
 * integration granted cases:read:sensitive also holds cases:read (the sensitive grant only
 * widens a read grant).
 */
const CALLERS = {
  owner: { sub: 'ola', name: 'Ola Nordmann', employeeNumber: '1001' },
  other: { sub: 'per', name: 'Per Annen' },
  leader: { sub: 'lena', roles: ['leader'], name: 'Lena Leder' },
  opOwn: { sub: 'otto', roles: ['operator'], teams: ['absence'] },
  opOther: { sub: 'oda', roles: ['operator'], teams: ['payroll'] },
  admin: { sub: 'ada', roles: ['admin'] },
  intRead: { sub: 'client-read', roles: ['integration'], scope: ['cases:read'] },
  intWrite: { sub: 'client-write', roles: ['integration'], scope: ['cases:write'] },
  intSens: { sub: 'client-sens', roles: ['integration'], scope: ['cases:read', 'cases:read:sensitive'] },
  anon: null,
} satisfies Record<string, Who | null>;
type Caller = keyof typeof CALLERS;
const REPLY_TEMPLATE = { name: 'Svar', categoryKey: null, body: { nb: 'Sak {{caseNumber}}', en: 'Case {{caseNumber}}' } };
/** The column order of every row below. */
const COLUMNS: Caller[] = ['owner', 'other', 'leader', 'opOwn', 'opOther', 'admin', 'intRead', 'intWrite', 'intSens', 'anon'];

type CaseKind = 'own' | 'others' | 'sensitive';
const KINDS: CaseKind[] = ['own', 'others', 'sensitive'];

/** Expected status per endpoint that acts on one case, per case kind, in COLUMNS order. */
const CASE_TABLE: Record<string, Record<CaseKind, number[]>> = {
  //                                           owner other leader opOwn opOther admin intRead intWrite intSens anon
  'GET /v1/cases/{id}': {
    own: [200, 404, 404, 200, 200, 200, 200, 200, 200, 401],
    others: [404, 404, 200, 200, 200, 200, 200, 200, 200, 401],
    sensitive: [200, 404, 404, 200, 404, 200, 404, 404, 200, 401],
  },
  'GET /v1/cases/{id}/messages': {
    own: [200, 404, 404, 200, 200, 200, 200, 200, 200, 401],
    others: [404, 404, 200, 200, 200, 200, 200, 200, 200, 401],
    sensitive: [200, 404, 404, 200, 404, 200, 404, 404, 200, 401],
  },
  'GET /v1/cases/{id}/history': {
    own: [200, 404, 404, 200, 200, 200, 200, 200, 200, 401],
    others: [404, 404, 200, 200, 200, 200, 200, 200, 200, 401],
    sensitive: [200, 404, 404, 200, 404, 200, 404, 404, 200, 401],
  },
  'GET /v1/cases/{id}/notifications': {
    own: [403, 403, 403, 200, 200, 200, 200, 200, 200, 401],
    others: [403, 403, 403, 200, 200, 200, 200, 200, 200, 401],
    sensitive: [403, 403, 403, 200, 404, 200, 404, 404, 200, 401],
  },
  'GET /v1/cases/{id}/attachments/{attachmentId}': {
    own: [200, 404, 404, 200, 200, 200, 200, 200, 200, 401],
    others: [404, 404, 200, 200, 200, 200, 200, 200, 200, 401],
    sensitive: [200, 404, 404, 200, 404, 200, 404, 404, 200, 401],
  },
  'GET /v1/cases/{id}/access-log': {
    own: [403, 403, 403, 403, 403, 200, 403, 403, 403, 401],
    others: [403, 403, 403, 403, 403, 200, 403, 403, 403, 401],
    sensitive: [403, 403, 403, 403, 403, 200, 403, 403, 403, 401],
  },
  // Staff edit; a read-only integration may read but not change (403); requesters never edit.
  'PATCH /v1/cases/{id}': {
    own: [403, 404, 404, 200, 200, 200, 403, 200, 403, 401],
    others: [404, 404, 403, 200, 200, 200, 403, 200, 403, 401],
    sensitive: [403, 404, 404, 200, 404, 200, 404, 404, 403, 401],
  },
  // The requester's close: staff reach the case but the graph gives them no REGISTERED → CLOSED (409).
  'POST /v1/cases/{id}/transitions (to CLOSED)': {
    own: [200, 404, 404, 409, 409, 409, 403, 409, 403, 401],
    others: [404, 404, 200, 409, 409, 409, 403, 409, 403, 401],
    sensitive: [200, 404, 404, 409, 404, 409, 404, 404, 403, 401],
  },
  // The staff move: a requester reaches the case but may not put it on hold (409).
  'POST /v1/cases/{id}/transitions (to ON_HOLD)': {
    own: [409, 404, 404, 200, 200, 200, 403, 200, 403, 401],
    others: [404, 404, 409, 200, 200, 200, 403, 200, 403, 401],
    sensitive: [409, 404, 404, 200, 404, 200, 404, 404, 403, 401],
  },
  'POST /v1/cases/{id}/messages': {
    own: [201, 404, 404, 201, 201, 201, 403, 201, 403, 401],
    others: [404, 404, 201, 201, 201, 201, 403, 201, 403, 401],
    sensitive: [201, 404, 404, 201, 404, 201, 404, 404, 403, 401],
  },
  'POST /v1/cases/{id}/attachments': {
    own: [201, 404, 404, 201, 201, 201, 403, 201, 403, 401],
    others: [404, 404, 201, 201, 201, 201, 403, 201, 403, 401],
    sensitive: [201, 404, 404, 201, 404, 201, 404, 404, 403, 401],
  },
  // Merge and links (docs/merge-and-links.md): staff who may change both cases; a read-only
  // integration reaches the case but may not change it (403), one that cannot see it gets 404.
  'POST /v1/cases/{id}/merge': {
    own: [403, 403, 403, 200, 200, 200, 403, 200, 403, 401],
    others: [403, 403, 403, 200, 200, 200, 403, 200, 403, 401],
    sensitive: [403, 403, 403, 200, 404, 200, 404, 404, 403, 401],
  },
  'GET /v1/cases/{id}/links': {
    own: [200, 404, 404, 200, 200, 200, 200, 200, 200, 401],
    others: [404, 404, 200, 200, 200, 200, 200, 200, 200, 401],
    sensitive: [200, 404, 404, 200, 404, 200, 404, 404, 200, 401],
  },
  'POST /v1/cases/{id}/links': {
    own: [403, 403, 403, 201, 201, 201, 403, 201, 403, 401],
    others: [403, 403, 403, 201, 201, 201, 403, 201, 403, 401],
    sensitive: [403, 403, 403, 201, 404, 201, 404, 404, 403, 401],
  },
  'DELETE /v1/cases/{id}/links/{linkedCaseId}': {
    own: [403, 403, 403, 204, 204, 204, 403, 204, 403, 401],
    others: [403, 403, 403, 204, 204, 204, 403, 204, 403, 401],
    sensitive: [403, 403, 403, 204, 404, 204, 404, 404, 403, 401],
  },
  // Bulk answers 200 with a status per operation; the cells are the operation's status, which
  // must be what the single endpoint answers (no way round the rules through bulk).
  'POST /v1/cases/bulk (transition to ON_HOLD)': {
    own: [409, 404, 404, 200, 200, 200, 403, 200, 403, 401],
    others: [404, 404, 409, 200, 200, 200, 403, 200, 403, 401],
    sensitive: [409, 404, 404, 200, 404, 200, 404, 404, 403, 401],
  },
};

/** Expected status of endpoints that act on no particular case, in COLUMNS order. */
const TABLE: Record<string, number[]> = {
  //                                           owner other leader opOwn opOther admin intRead intWrite intSens anon
  'GET /v1/statuses': [200, 200, 200, 200, 200, 200, 200, 200, 200, 401],
  'GET /v1/categories': [200, 200, 200, 200, 200, 200, 200, 200, 200, 401],
  'GET /v1/categories/{key}': [200, 200, 200, 200, 200, 200, 200, 200, 200, 401],
  'PUT /v1/categories/{key}': [403, 403, 403, 403, 403, 201, 403, 403, 403, 401],
  'GET /v1/teams': [200, 200, 200, 200, 200, 200, 200, 200, 200, 401],
  'PUT /v1/teams/{key}': [403, 403, 403, 403, 403, 201, 403, 403, 403, 401],
  // Every person files; an integration needs cases:write.
  'POST /v1/cases': [201, 201, 201, 201, 201, 201, 403, 201, 403, 401],
  'GET /v1/cases': [200, 200, 200, 200, 200, 200, 200, 200, 200, 401],
  'GET /v1/suspension-windows': [200, 200, 200, 200, 200, 200, 200, 200, 200, 401],
  'POST /v1/suspension-windows': [403, 403, 403, 403, 403, 201, 403, 403, 403, 401],
  'DELETE /v1/suspension-windows/{id}': [403, 403, 403, 403, 403, 200, 403, 403, 403, 401],
  'POST /v1/admin/timers/run': [403, 403, 403, 403, 403, 200, 403, 403, 403, 401],
  'POST /v1/admin/retention/run': [403, 403, 403, 403, 403, 200, 403, 403, 403, 401],
  'GET /v1/staff': [403, 403, 403, 403, 403, 200, 403, 403, 403, 401],
  'GET /v1/staff/{subject}': [403, 403, 403, 403, 403, 200, 403, 403, 403, 401],
  'PUT /v1/staff/{subject}': [403, 403, 403, 403, 403, 201, 403, 403, 403, 401],
  'DELETE /v1/staff/{subject}': [403, 403, 403, 403, 403, 204, 403, 403, 403, 401],
  // The person directory and who is who (docs/identity.md "People and the staff directory").
  'GET /v1/people/{subject}': [403, 403, 403, 403, 403, 200, 403, 403, 403, 401],
  'PUT /v1/people/{subject}': [403, 403, 403, 403, 403, 201, 403, 403, 403, 401],
  'GET /v1/me': [200, 200, 200, 200, 200, 200, 200, 200, 200, 401],
  'GET /v1/teams/{key}/members': [403, 403, 403, 200, 200, 200, 200, 200, 200, 401],
  // Integration surface (docs/integration.md); the feed skips events of cases the reader may not see.
  'GET /v1/events': [403, 403, 403, 200, 200, 200, 200, 200, 200, 401],
  'GET /v1/notification-templates': [403, 403, 403, 403, 403, 200, 403, 403, 403, 401],
  'GET /v1/notification-templates/{kind}/{language}': [403, 403, 403, 403, 403, 200, 403, 403, 403, 401],
  'PUT /v1/notification-templates/{kind}/{language}': [403, 403, 403, 403, 403, 200, 403, 403, 403, 401],
  // Reply templates: staff read them to send them, admins keep them.
  'GET /v1/reply-templates': [403, 403, 403, 200, 200, 200, 200, 200, 200, 401],
  'GET /v1/reply-templates/{key}': [403, 403, 403, 200, 200, 200, 200, 200, 200, 401],
  'PUT /v1/reply-templates/{key}': [403, 403, 403, 403, 403, 201, 403, 403, 403, 401],
  'DELETE /v1/reply-templates/{key}': [403, 403, 403, 403, 403, 204, 403, 403, 403, 401],
  'POST /v1/webhooks': [403, 403, 403, 403, 403, 201, 403, 403, 403, 401],
  'GET /v1/webhooks': [403, 403, 403, 403, 403, 200, 403, 403, 403, 401],
  'GET /v1/webhooks/{id}': [403, 403, 403, 403, 403, 200, 403, 403, 403, 401],
  'PATCH /v1/webhooks/{id}': [403, 403, 403, 403, 403, 200, 403, 403, 403, 401],
  'DELETE /v1/webhooks/{id}': [403, 403, 403, 403, 403, 204, 403, 403, 403, 401],
  'GET /v1/webhooks/{id}/deliveries': [403, 403, 403, 403, 403, 200, 403, 403, 403, 401],
  'POST /v1/admin/webhooks/run': [403, 403, 403, 403, 403, 200, 403, 403, 403, 401],
  // Service levels (docs/service-levels.md): reports for staff that handle cases; service info is public.
  'GET /v1/service-calendar': [200, 200, 200, 200, 200, 200, 200, 200, 200, 401],
  'PUT /v1/service-calendar': [403, 403, 403, 403, 403, 200, 403, 403, 403, 401],
  'GET /v1/reports/sla': [403, 403, 403, 200, 200, 200, 403, 403, 403, 401],
  'GET /v1/reports/time-in-status': [403, 403, 403, 200, 200, 200, 403, 403, 403, 401],
  'POST /v1/admin/sla/run': [403, 403, 403, 403, 403, 200, 403, 403, 403, 401],
  'GET /v1/service-info': [200, 200, 200, 200, 200, 200, 200, 200, 200, 200],
  'PUT /v1/service-info/channels/{key}': [403, 403, 403, 403, 403, 201, 403, 403, 403, 401],
  'DELETE /v1/service-info/channels/{key}': [403, 403, 403, 403, 403, 204, 403, 403, 403, 401],
  // Mail intake (docs/mail-intake.md): the mail gateway only (scope mail:inbound, none of these callers).
  'POST /v1/inbound-mail': [403, 403, 403, 403, 403, 403, 403, 403, 403, 401],
  // Notices (docs/reference-data.md): everyone reads the active ones, admins keep them.
  'GET /v1/notices': [200, 200, 200, 200, 200, 200, 200, 200, 200, 401],
  'GET /v1/notices (includeInactive)': [403, 403, 403, 403, 403, 200, 403, 403, 403, 401],
  'POST /v1/notices': [403, 403, 403, 403, 403, 201, 403, 403, 403, 401],
  'GET /v1/notices/{id}': [200, 200, 200, 200, 200, 200, 200, 200, 200, 401],
  'PUT /v1/notices/{id}': [403, 403, 403, 403, 403, 200, 403, 403, 403, 401],
  'DELETE /v1/notices/{id}': [403, 403, 403, 403, 403, 204, 403, 403, 403, 401],
  // Queues (docs/queues.md): anyone keeps views of their own; the by-id cells use a view of the
  // admin's, which is a 404 to everyone else. Queue counts: the team's operators and admins.
  'GET /v1/views': [200, 200, 200, 200, 200, 200, 200, 200, 200, 401],
  'POST /v1/views': [201, 201, 201, 201, 201, 201, 201, 201, 201, 401],
  'GET /v1/views/{id}': [404, 404, 404, 404, 404, 200, 404, 404, 404, 401],
  'PATCH /v1/views/{id}': [404, 404, 404, 404, 404, 200, 404, 404, 404, 401],
  'DELETE /v1/views/{id}': [404, 404, 404, 404, 404, 204, 404, 404, 404, 401],
  'GET /v1/teams/{key}/queue-counts': [403, 403, 403, 200, 403, 200, 403, 403, 403, 401],
};

interface Req {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  payload?: string | Buffer | object;
  headers?: Record<string, string>;
  /** The answer is 200 with one result per operation: compare the first result's status. */
  itemStatus?: boolean;
}

const BOUNDARY = 'authz-test-boundary';
function multipart(filename: string, contentType: string, body: string): Pick<Req, 'payload' | 'headers'> {
  const payload = Buffer.from(
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\n` +
      `Content-Type: ${contentType}\r\n\r\n${body}\r\n--${BOUNDARY}--\r\n`,
  );
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` } };
}

let t: TestApp;
const tokens = {} as Record<Caller, Record<string, string>>;
/** The three cases every read cell uses (with an internal note and an attachment each). */
const fixture = {} as Record<CaseKind, { id: string; attachmentId: string }>;
let seq = 0;
/** A webhook subscription the by-id cells read and edit. */
let webhookId: string;

async function call(caller: Caller, req: Req): Promise<LightMyRequestResponse> {
  return t.app.inject({ method: req.method, url: req.url, payload: req.payload, headers: { ...tokens[caller], ...req.headers } });
}

function ok(res: LightMyRequestResponse, status: number): LightMyRequestResponse {
  if (res.statusCode !== status) throw new Error(`expected ${status}, got ${res.statusCode}: ${res.body}`);
  return res;
}

/** Files a case of the kind, as its filer would. */
async function fileCase(kind: CaseKind): Promise<string> {
  const body =
    kind === 'others'
      ? {
          categoryKey: 'leave',
          subject: 'Leave for Emil',
          description: 'Emil needs leave',
          concernsEmployee: { name: 'Emil Ansatt', employeeNumber: '2002' },
        }
      : kind === 'own'
        ? { categoryKey: 'leave', subject: 'My leave', description: 'Unpaid leave in May', details: { paid: false } }
        : { categoryKey: 'sickness', subject: 'Sick leave', description: 'Diagnosis: something private', details: { from: '2025-03-01' } };
  const res = ok(await call(kind === 'others' ? 'leader' : 'owner', { method: 'POST', url: '/v1/cases', payload: body }), 201);
  return res.json().id as string;
}

/** The request of a case endpoint; mutating ones get a fresh case so no cell depends on another. */
async function caseRequest(endpoint: string, kind: CaseKind): Promise<Req> {
  const f = fixture[kind];
  switch (endpoint) {
    case 'GET /v1/cases/{id}':
      return { method: 'GET', url: `/v1/cases/${f.id}` };
    case 'GET /v1/cases/{id}/messages':
      return { method: 'GET', url: `/v1/cases/${f.id}/messages` };
    case 'GET /v1/cases/{id}/history':
      return { method: 'GET', url: `/v1/cases/${f.id}/history` };
    case 'GET /v1/cases/{id}/notifications':
      return { method: 'GET', url: `/v1/cases/${f.id}/notifications` };
    case 'GET /v1/cases/{id}/attachments/{attachmentId}':
      return { method: 'GET', url: `/v1/cases/${f.id}/attachments/${f.attachmentId}` };
    case 'GET /v1/cases/{id}/access-log':
      return { method: 'GET', url: `/v1/cases/${f.id}/access-log` };
    case 'PATCH /v1/cases/{id}':
      return { method: 'PATCH', url: `/v1/cases/${await fileCase(kind)}`, payload: { subject: 'Edited' }, headers: { 'if-match': '"1"' } };
    case 'POST /v1/cases/{id}/transitions (to CLOSED)':
      return { method: 'POST', url: `/v1/cases/${await fileCase(kind)}/transitions`, payload: { to: 'CLOSED' }, headers: { 'if-match': '"1"' } };
    case 'POST /v1/cases/{id}/transitions (to ON_HOLD)':
      return {
        method: 'POST',
        url: `/v1/cases/${await fileCase(kind)}/transitions`,
        payload: { to: 'ON_HOLD', reason: 'asked payroll' },
        headers: { 'if-match': '"1"' },
      };
    case 'POST /v1/cases/{id}/messages':
      return { method: 'POST', url: `/v1/cases/${await fileCase(kind)}/messages`, payload: { body: 'A question' }, headers: { 'if-match': '"1"' } };
    case 'POST /v1/cases/{id}/attachments':
      return { method: 'POST', url: `/v1/cases/${await fileCase(kind)}/attachments`, ...multipart('note.txt', 'text/plain', 'hello') };
    case 'POST /v1/cases/{id}/merge':
      return {
        method: 'POST',
        url: `/v1/cases/${await fileCase(kind)}/merge`,
        payload: { into: await fileCase(kind) },
        headers: { 'if-match': '"1"' },
      };
    case 'GET /v1/cases/{id}/links':
      return { method: 'GET', url: `/v1/cases/${f.id}/links` };
    case 'POST /v1/cases/{id}/links':
      return { method: 'POST', url: `/v1/cases/${await fileCase(kind)}/links`, payload: { caseId: await fileCase(kind), kind: 'related' } };
    case 'DELETE /v1/cases/{id}/links/{linkedCaseId}': {
      const [a, b] = [await fileCase(kind), await fileCase(kind)];
      ok(await call('admin', { method: 'POST', url: `/v1/cases/${a}/links`, payload: { caseId: b, kind: 'duplicate' } }), 201);
      return { method: 'DELETE', url: `/v1/cases/${a}/links/${b}` };
    }
    case 'POST /v1/cases/bulk (transition to ON_HOLD)':
      return {
        method: 'POST',
        url: '/v1/cases/bulk',
        payload: { operations: [{ op: 'transition', caseId: await fileCase(kind), to: 'ON_HOLD', reason: 'asked payroll' }] },
        itemStatus: true,
      };
    default:
      throw new Error(`no request for ${endpoint}`);
  }
}

/** The request of an endpoint not about one case; those that create or delete get fresh targets. */
async function request(endpoint: string): Promise<Req> {
  const n = ++seq;
  switch (endpoint) {
    case 'GET /v1/statuses':
      return { method: 'GET', url: '/v1/statuses' };
    case 'GET /v1/categories':
      return { method: 'GET', url: '/v1/categories' };
    case 'GET /v1/categories/{key}':
      return { method: 'GET', url: '/v1/categories/sickness' };
    case 'PUT /v1/categories/{key}':
      return {
        method: 'PUT',
        url: `/v1/categories/authz-${n}`,
        payload: { name: { nb: 'Test', en: 'Test' }, defaultTeamKey: 'service', sensitive: false },
      };
    case 'GET /v1/teams':
      return { method: 'GET', url: '/v1/teams' };
    case 'PUT /v1/teams/{key}':
      return { method: 'PUT', url: `/v1/teams/authz-${n}`, payload: { name: { nb: 'Test', en: 'Test' } } };
    case 'POST /v1/cases':
      return { method: 'POST', url: '/v1/cases', payload: { categoryKey: 'general', subject: 'A question', description: 'Details' } };
    case 'GET /v1/cases':
      return { method: 'GET', url: '/v1/cases' };
    case 'GET /v1/suspension-windows':
      return { method: 'GET', url: '/v1/suspension-windows' };
    case 'POST /v1/suspension-windows':
      return { method: 'POST', url: '/v1/suspension-windows', payload: { from: '2031-07-01', to: '2031-07-31', reason: `authz ${n}` } };
    case 'DELETE /v1/suspension-windows/{id}': {
      const w = ok(await call('admin', await request('POST /v1/suspension-windows')), 201).json();
      return { method: 'DELETE', url: `/v1/suspension-windows/${w.window.id}` };
    }
    case 'POST /v1/admin/timers/run':
      return { method: 'POST', url: '/v1/admin/timers/run', payload: {} };
    case 'GET /v1/notices':
      return { method: 'GET', url: '/v1/notices?category=salary' };
    case 'GET /v1/notices (includeInactive)':
      return { method: 'GET', url: '/v1/notices?includeInactive=true' };
    case 'POST /v1/notices':
      return { method: 'POST', url: '/v1/notices', payload: { title: { nb: `Melding ${n}`, en: `Notice ${n}` }, text: { nb: 'Tekst', en: 'Text' } } };
    case 'GET /v1/notices/{id}':
      return { method: 'GET', url: '/v1/notices/5b1c7d8e-0000-4000-8000-00000000a002' };
    case 'PUT /v1/notices/{id}':
      return {
        method: 'PUT',
        url: '/v1/notices/5b1c7d8e-0000-4000-8000-00000000a001',
        payload: { title: { nb: 'Streik', en: 'Strike' }, text: { nb: 'Tekst', en: 'Text' }, categories: ['salary'] },
      };
    case 'DELETE /v1/notices/{id}': {
      const notice = ok(await call('admin', await request('POST /v1/notices')), 201).json();
      return { method: 'DELETE', url: `/v1/notices/${notice.id}` };
    }
    case 'POST /v1/admin/retention/run':
      return { method: 'POST', url: '/v1/admin/retention/run', payload: {} };
    case 'GET /v1/staff':
      return { method: 'GET', url: '/v1/staff' };
    case 'GET /v1/staff/{subject}':
      return { method: 'GET', url: '/v1/staff/otto' };
    case 'PUT /v1/staff/{subject}':
      return { method: 'PUT', url: `/v1/staff/new-${n}`, payload: { roles: ['operator'], teams: ['payroll'] } };
    case 'GET /v1/people/{subject}':
      return { method: 'GET', url: '/v1/people/otto' };
    case 'PUT /v1/people/{subject}':
      return { method: 'PUT', url: `/v1/people/new-${n}`, payload: { name: 'New Person' } };
    case 'GET /v1/me':
      return { method: 'GET', url: '/v1/me' };
    case 'GET /v1/teams/{key}/members':
      return { method: 'GET', url: '/v1/teams/absence/members' };
    case 'GET /v1/service-calendar':
      return { method: 'GET', url: '/v1/service-calendar' };
    case 'PUT /v1/service-calendar':
      return {
        method: 'PUT',
        url: '/v1/service-calendar',
        payload: { hours: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: '08:00', end: '16:00' })), closedDays: [] },
      };
    case 'GET /v1/reports/sla':
      return { method: 'GET', url: '/v1/reports/sla?from=2025-01-01T00:00:00Z&to=2026-01-01T00:00:00Z' };
    case 'GET /v1/reports/time-in-status':
      return { method: 'GET', url: '/v1/reports/time-in-status?from=2025-01-01T00:00:00Z&to=2026-01-01T00:00:00Z&groupBy=team' };
    case 'POST /v1/admin/sla/run':
      return { method: 'POST', url: '/v1/admin/sla/run', payload: {} };
    case 'GET /v1/service-info':
      return { method: 'GET', url: '/v1/service-info' };
    case 'POST /v1/inbound-mail':
      return {
        method: 'POST',
        url: '/v1/inbound-mail',
        headers: { 'content-type': 'message/rfc822' },
        payload: Buffer.from(`From: authz@example.org\r\nSubject: authz ${n}\r\nMessage-ID: <authz-${n}@example.org>\r\n\r\nHello\r\n`),
      };
    case 'PUT /v1/service-info/channels/{key}':
      return {
        method: 'PUT',
        url: `/v1/service-info/channels/authz-${n}`,
        payload: { kind: 'email', name: { nb: 'Test', en: 'Test' }, address: 'x@example.org' },
      };
    case 'DELETE /v1/service-info/channels/{key}': {
      ok(await call('admin', await request('PUT /v1/service-info/channels/{key}')), 201);
      return { method: 'DELETE', url: `/v1/service-info/channels/authz-${seq}` };
    }
    case 'DELETE /v1/staff/{subject}': {
      ok(await call('admin', { method: 'PUT', url: `/v1/staff/gone-${n}`, payload: { roles: ['leader'] } }), 201);
      return { method: 'DELETE', url: `/v1/staff/gone-${n}` };
    }
    case 'GET /v1/events':
      return { method: 'GET', url: '/v1/events' };
    case 'GET /v1/notification-templates':
      return { method: 'GET', url: '/v1/notification-templates' };
    case 'GET /v1/notification-templates/{kind}/{language}':
      return { method: 'GET', url: '/v1/notification-templates/filed/nb' };
    case 'PUT /v1/notification-templates/{kind}/{language}':
      return { method: 'PUT', url: '/v1/notification-templates/filed/en', payload: { subject: 'Received', body: 'Case {{caseNumber}}: {{link}}' } };
    case 'GET /v1/reply-templates':
      return { method: 'GET', url: '/v1/reply-templates' };
    case 'GET /v1/reply-templates/{key}':
      await call('admin', { method: 'PUT', url: '/v1/reply-templates/authz-read', payload: REPLY_TEMPLATE });
      return { method: 'GET', url: '/v1/reply-templates/authz-read' };
    case 'PUT /v1/reply-templates/{key}':
      return { method: 'PUT', url: `/v1/reply-templates/authz-${n}`, payload: REPLY_TEMPLATE };
    case 'DELETE /v1/reply-templates/{key}':
      ok(await call('admin', { method: 'PUT', url: `/v1/reply-templates/gone-${n}`, payload: REPLY_TEMPLATE }), 201);
      return { method: 'DELETE', url: `/v1/reply-templates/gone-${n}` };
    case 'POST /v1/webhooks':
      // Paused, so the delivery run below sends nothing over the network.
      return { method: 'POST', url: '/v1/webhooks', payload: { url: `https://hooks.example.org/authz/${n}`, eventTypes: ['*'], active: false } };
    case 'GET /v1/webhooks':
      return { method: 'GET', url: '/v1/webhooks' };
    case 'GET /v1/webhooks/{id}':
      return { method: 'GET', url: `/v1/webhooks/${webhookId}` };
    case 'PATCH /v1/webhooks/{id}':
      return { method: 'PATCH', url: `/v1/webhooks/${webhookId}`, payload: { description: `edited ${n}` } };
    case 'DELETE /v1/webhooks/{id}': {
      const w = ok(await call('admin', await request('POST /v1/webhooks')), 201).json();
      return { method: 'DELETE', url: `/v1/webhooks/${w.id}` };
    }
    case 'GET /v1/webhooks/{id}/deliveries':
      return { method: 'GET', url: `/v1/webhooks/${webhookId}/deliveries` };
    case 'POST /v1/admin/webhooks/run':
      return { method: 'POST', url: '/v1/admin/webhooks/run', payload: {} };
    case 'GET /v1/views':
      return { method: 'GET', url: '/v1/views' };
    case 'POST /v1/views':
      return { method: 'POST', url: '/v1/views', payload: { name: `authz ${n}`, filter: { status: ['REGISTERED'] } } };
    case 'GET /v1/views/{id}':
    case 'PATCH /v1/views/{id}':
    case 'DELETE /v1/views/{id}': {
      const v = ok(await call('admin', await request('POST /v1/views')), 201).json();
      const [method] = endpoint.split(' ') as ['GET' | 'PATCH' | 'DELETE'];
      return { method, url: `/v1/views/${v.id}`, payload: method === 'PATCH' ? { name: `renamed ${n}` } : undefined };
    }
    case 'GET /v1/teams/{key}/queue-counts':
      return { method: 'GET', url: '/v1/teams/absence/queue-counts' };
    default:
      throw new Error(`no request for ${endpoint}`);
  }
}

beforeAll(async () => {
  t = await createTestApp();
  for (const [k, who] of Object.entries(CALLERS)) tokens[k as Caller] = who ? await t.auth(who) : {};
  for (const kind of KINDS) {
    const id = await fileCase(kind);
    // Each case carries an internal note, a public reply and a file from its filer.
    ok(
      await call('admin', { method: 'POST', url: `/v1/cases/${id}/messages`, payload: { body: `INTERNAL NOTE ${kind}`, visibility: 'internal' } }),
      201,
    );
    ok(
      await call('admin', { method: 'POST', url: `/v1/cases/${id}/messages`, payload: { body: `Public reply ${kind}`, visibility: 'public' } }),
      201,
    );
    const filer = kind === 'others' ? 'leader' : 'owner';
    const a = ok(await call(filer, { method: 'POST', url: `/v1/cases/${id}/attachments`, ...multipart('doc.txt', 'text/plain', 'contents') }), 201);
    fixture[kind] = { id, attachmentId: a.json().id };
  }
  ok(await call('admin', { method: 'PUT', url: '/v1/staff/otto', payload: { roles: ['operator'], teams: ['absence'] } }), 201);
  webhookId = ok(await call('admin', await request('POST /v1/webhooks')), 201).json().id;
});
afterAll(async () => t.close());

describe('the authorization table', () => {
  it('covers every /v1 endpoint the API publishes (200)', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json<{ paths: Record<string, Record<string, unknown>> }>();
    const published = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith('/v1/'))
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    const covered = new Set([...Object.keys(TABLE), ...Object.keys(CASE_TABLE).map((k) => k.replace(/ \(.*\)$/, ''))]);
    expect(published.filter((e) => !covered.has(e)).sort()).toEqual([]);
  });

  const caseCells = Object.entries(CASE_TABLE).flatMap(([endpoint, byKind]) =>
    KINDS.flatMap((kind) => COLUMNS.map((caller, i) => ({ endpoint, kind, caller, status: byKind[kind][i]! }))),
  );
  it.each(caseCells)('$endpoint as $caller on the $kind case ($status)', async ({ endpoint, kind, caller, status }) => {
    const req = await caseRequest(endpoint, kind);
    const res = await call(caller, req);
    if (req.itemStatus && res.statusCode === 200) {
      const [item] = res.json().results as Array<{ status: number; problem?: { status: number } }>;
      expect({ status: item!.status, item: item!.status === status ? undefined : item }).toEqual({ status, item: undefined });
      if (status >= 400) expect(item!.problem!.status).toBe(status);
      return;
    }
    expect({ status: res.statusCode, body: res.statusCode === status ? undefined : res.body }).toEqual({ status, body: undefined });
    if (status >= 400) {
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json().status).toBe(status);
    }
    if (status === 401) expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
  });

  const cells = Object.entries(TABLE).flatMap(([endpoint, row]) => COLUMNS.map((caller, i) => ({ endpoint, caller, status: row[i]! })));
  it.each(cells)('$endpoint as $caller ($status)', async ({ endpoint, caller, status }) => {
    const res = await call(caller, await request(endpoint));
    expect({ status: res.statusCode, body: res.statusCode === status ? undefined : res.body }).toEqual({ status, body: undefined });
    if (status >= 400) expect(res.headers['content-type']).toContain('application/problem+json');
  });

  it.each(COLUMNS.filter((c) => c !== 'anon'))('GET /v1/cases lists to %s exactly the cases they may open (200)', async (caller) => {
    const listed = new Set<string>();
    let cursor: string | null = null;
    do {
      const page: { items: Array<{ id: string }>; nextCursor: string | null } = ok(
        await call(caller, { method: 'GET', url: `/v1/cases?limit=100${cursor ? `&cursor=${cursor}` : ''}` }),
        200,
      ).json();
      for (const c of page.items) listed.add(c.id);
      cursor = page.nextCursor;
    } while (cursor);
    const col = COLUMNS.indexOf(caller);
    const mayOpen = KINDS.filter((k) => CASE_TABLE['GET /v1/cases/{id}']![k][col] === 200);
    expect(KINDS.filter((k) => listed.has(fixture[k].id))).toEqual(mayOpen);
  });

  it("answers another's case exactly like a case that does not exist (404)", async () => {
    const strip = (r: LightMyRequestResponse) => {
      const { instance: _i, ...rest } = r.json<Record<string, unknown>>();
      return { status: r.statusCode, ...rest };
    };
    for (const path of ['', '/messages', '/history']) {
      const hidden = await call('other', { method: 'GET', url: `/v1/cases/${fixture.own.id}${path}` });
      const missing = await call('other', { method: 'GET', url: `/v1/cases/${randomUUID()}${path}` });
      expect(strip(hidden)).toEqual(strip(missing));
    }
  });
});

describe('the events feed', () => {
  async function caseIdsInFeed(caller: Caller): Promise<Set<string>> {
    const seen = new Set<string>();
    let after = '0';
    for (;;) {
      const page = ok(await call(caller, { method: 'GET', url: `/v1/events?after=${after}&limit=1000` }), 200).json<{
        items: Array<{ caseId: string | null }>;
        nextAfter: string;
      }>();
      for (const e of page.items) if (e.caseId) seen.add(e.caseId);
      if (page.items.length === 0 || page.nextAfter === after) return seen;
      after = page.nextAfter;
    }
  }

  it.each(['opOwn', 'opOther', 'admin', 'intRead', 'intWrite', 'intSens'] as const)(
    'shows %s events only of the cases they may open (200)',
    async (caller) => {
      const seen = await caseIdsInFeed(caller);
      const col = COLUMNS.indexOf(caller);
      const mayOpen = KINDS.filter((k) => CASE_TABLE['GET /v1/cases/{id}']![k][col] === 200);
      expect(KINDS.filter((k) => seen.has(fixture[k].id))).toEqual(mayOpen);
    },
  );
});

describe('internal notes and internal history', () => {
  it.each([
    ['owner', 'own'],
    ['owner', 'sensitive'],
    ['leader', 'others'],
  ] as const)('never reach the %s on the %s case (200)', async (caller, kind) => {
    const id = fixture[kind].id;
    const messages = ok(await call(caller, { method: 'GET', url: `/v1/cases/${id}/messages` }), 200).json();
    expect(messages.map((m: { body: string }) => m.body)).toEqual([`Public reply ${kind}`]);
    const history = ok(await call(caller, { method: 'GET', url: `/v1/cases/${id}/history` }), 200).json();
    expect(history.length).toBeGreaterThan(0);
    expect(history.filter((h: { internal: boolean }) => h.internal)).toEqual([]);
    const everything = [
      (await call(caller, { method: 'GET', url: `/v1/cases/${id}` })).body,
      JSON.stringify(messages),
      JSON.stringify(history),
      (await call(caller, { method: 'GET', url: '/v1/cases?limit=100' })).body,
    ].join('\n');
    expect(everything).not.toContain('INTERNAL NOTE');
    const internalMessageId = ok(await call('admin', { method: 'GET', url: `/v1/cases/${id}/messages` }), 200)
      .json()
      .find((m: { visibility: string }) => m.visibility === 'internal').id;
    expect(everything).not.toContain(internalMessageId);
  });

  it('reach staff of the case: the note and its history row (200)', async () => {
    const id = fixture.sensitive.id;
    const messages = ok(await call('opOwn', { method: 'GET', url: `/v1/cases/${id}/messages` }), 200).json();
    expect(messages.map((m: { body: string }) => m.body)).toEqual(['INTERNAL NOTE sensitive', 'Public reply sensitive']);
    const history = ok(await call('opOwn', { method: 'GET', url: `/v1/cases/${id}/history` }), 200).json();
    expect(history.filter((h: { internal: boolean }) => h.internal)).toHaveLength(1);
  });
});

describe('reads of a sensitive case', () => {
  const accessRows = (caseId: string) => t.app.db.accessLog.findMany({ where: { caseId }, orderBy: { id: 'asc' } });

  it.each([
    ['GET /v1/cases/:id', (id: string) => `/v1/cases/${id}`],
    ['GET /v1/cases/:id/messages', (id: string) => `/v1/cases/${id}/messages`],
    ['GET /v1/cases/:id/history', (id: string) => `/v1/cases/${id}/history`],
    ['GET /v1/cases/:id/attachments/:attachmentId', (id: string) => `/v1/cases/${id}/attachments/${fixture.sensitive.attachmentId}`],
    // By its number: the matrix above files many sickness cases at the same pinned instant, so a
    // category page of 100 (ties in id order) did not always hold this one.
    ['GET /v1/cases', async (id: string) => `/v1/cases?q=${(await t.app.db.case.findUniqueOrThrow({ where: { id } })).number}`],
  ])('each write one access-log row: %s (200)', async (endpoint, url) => {
    const id = fixture.sensitive.id;
    const target = await url(id);
    const before = await accessRows(id);
    const res = ok(await call('opOwn', { method: 'GET', url: target }), 200);
    if (endpoint === 'GET /v1/cases') expect(res.json().items.map((c: { id: string }) => c.id)).toEqual([id]);
    const after = await accessRows(id);
    expect(after).toHaveLength(before.length + 1);
    expect(after[after.length - 1]).toMatchObject({ actorId: 'otto', actorRole: 'operator', endpoint });
  });

  it('are logged for every reader, the requester and integrations too (200)', async () => {
    const id = fixture.sensitive.id;
    const before = (await accessRows(id)).length;
    ok(await call('owner', { method: 'GET', url: `/v1/cases/${id}` }), 200);
    ok(await call('intSens', { method: 'GET', url: `/v1/cases/${id}` }), 200);
    ok(await call('admin', { method: 'GET', url: `/v1/cases/${id}` }), 200);
    const added = (await accessRows(id)).slice(before).map((r) => `${r.actorId}:${r.actorRole}`);
    expect(added).toEqual(['ola:requester', 'client-sens:integration', 'ada:admin']);
  });

  it('are readable by admins, with who, when and which endpoint (200)', async () => {
    const res = ok(await call('admin', { method: 'GET', url: `/v1/cases/${fixture.sensitive.id}/access-log` }), 200);
    const rows = res.json<Array<{ at: string; actorId: string; actorRole: string; endpoint: string }>>();
    expect(rows.length).toBeGreaterThanOrEqual(8);
    expect(rows).toContainEqual({ at: t.clock.now().toISOString(), actorId: 'otto', actorRole: 'operator', endpoint: 'GET /v1/cases/:id/messages' });
    // Reading the log is not a read of the case.
    const again = ok(await call('admin', { method: 'GET', url: `/v1/cases/${fixture.sensitive.id}/access-log` }), 200);
    expect(again.json()).toHaveLength(rows.length);
  });

  it('are not readable by the owning operator or the requester (403)', async () => {
    for (const caller of ['opOwn', 'owner', 'intSens'] as const) {
      ok(await call(caller, { method: 'GET', url: `/v1/cases/${fixture.sensitive.id}/access-log` }), 403);
    }
  });

  it('refused reads leave no row, and reads of ordinary cases none (404, 200)', async () => {
    const before = (await accessRows(fixture.sensitive.id)).length;
    ok(await call('opOther', { method: 'GET', url: `/v1/cases/${fixture.sensitive.id}` }), 404);
    expect(await accessRows(fixture.sensitive.id)).toHaveLength(before);
    ok(await call('opOwn', { method: 'GET', url: `/v1/cases/${fixture.own.id}` }), 200);
    expect(await accessRows(fixture.own.id)).toEqual([]);
  });

  it('answer 404 for the access log of a case that does not exist (404)', async () => {
    ok(await call('admin', { method: 'GET', url: `/v1/cases/${randomUUID()}/access-log` }), 404);
  });
});
