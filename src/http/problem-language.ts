import type { FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_INFO, type Status } from '../domain/statuses';
import type { ErrorCode } from '../domain/errors';
import type { Problem } from './problems';

/**
 * The languages problems are answered in (docs/reference-data.md "Languages"). English is the
 * default and the language of the catalogue in src/domain/errors.ts; Norwegian is what the
 * request asks for with Accept-Language nb, nb-NO, no, nn (Nynorsk readers get Bokmål, the
 * closer of the two).
 */
export type ProblemLanguage = 'en' | 'nb';

const NORWEGIAN = new Set(['nb', 'no', 'nn']);

/**
 * The language an Accept-Language header (RFC 9110 §12.5.4) prefers among en and nb: the range
 * with the highest q-value that names one of them (by its primary subtag), the earlier one on a
 * tie; `*` means the default. q=0 excludes a language. Anything unreadable answers en.
 */
export function negotiateLanguage(header: string | string[] | undefined): ProblemLanguage {
  const value = Array.isArray(header) ? header.join(',') : header;
  if (!value) return 'en';
  let best: { lang: ProblemLanguage; q: number } | null = null;
  const excluded = new Set<ProblemLanguage>();
  for (const part of value.split(',').slice(0, 50)) {
    const [rangeRaw, ...params] = part.trim().split(';');
    const range = (rangeRaw ?? '').trim().toLowerCase();
    if (!/^(\*|[a-z]{1,8}(-[a-z0-9]{1,8})*)$/.test(range)) continue;
    let q = 1;
    let badWeight = false;
    for (const p of params) {
      if (!/^\s*q\s*=/i.test(p)) continue;
      const m = /^\s*q\s*=\s*([01](?:\.\d{0,3})?)\s*$/i.exec(p);
      if (m) q = Math.min(1, Number(m[1]));
      else badWeight = true;
    }
    // A range with an unreadable weight is ignored rather than guessed at.
    if (badWeight) continue;
    const primary = range.split('-')[0]!;
    const lang: ProblemLanguage | null = range === '*' ? 'en' : NORWEGIAN.has(primary) ? 'nb' : primary === 'en' ? 'en' : null;
    if (lang === null) continue;
    if (q === 0) {
      if (range !== '*') excluded.add(lang);
      continue;
    }
    if (best === null || q > best.q) best = { lang, q };
  }
  if (best && !excluded.has(best.lang)) return best.lang;
  // The preferred one was excluded explicitly (e.g. "*, en;q=0"): the other, if not excluded too.
  const other: ProblemLanguage = best?.lang === 'nb' ? 'en' : 'nb';
  if (best && !excluded.has(other)) return other;
  return 'en';
}

/** Norwegian `title` of every problem code. */
const PROBLEM_TITLES_NB: Readonly<Record<ErrorCode, string>> = {
  'invalid-transition': 'Statusendringen er ikke tillatt',
  'status-suspended': 'Statusen er satt ut av bruk i en periode',
  'assignee-required': 'Statusen krever en saksbehandler',
  'reply-required': 'Statusen krever et svar til innmelder',
  'case-closed': 'Saken er lukket',
  'unknown-assignee': 'Ukjent saksbehandler',
  'assignee-cannot-see-case': 'Saksbehandleren kan ikke behandle denne saken',
  'handled-by-leader': 'Skjemaet behandles av din leder',
  'template-not-applicable': 'Svarmalen passer ikke til denne saken',
  'not-found': 'Finnes ikke',
  forbidden: 'Ingen tilgang',
  unauthorized: 'Ikke innlogget',
  'validation-failed': 'Ugyldig forespørsel',
  'precondition-failed': 'Forutsetningen holder ikke',
  conflict: 'Konflikt',
  'idempotency-key-reused': 'Idempotency-Key er brukt for en annen forespørsel',
  'service-unavailable': 'Tjenesten er utilgjengelig',
  'payload-too-large': 'Forespørselen er for stor',
  'unsupported-media-type': 'Innholdstypen støttes ikke',
  'rate-limited': 'For mange forespørsler',
  'internal-error': 'Intern feil',
};

function statusNb(s: unknown): string {
  return typeof s === 'string' && Object.hasOwn(STATUS_INFO, s) ? `«${STATUS_INFO[s as Status].label.nb}» (${s})` : String(s);
}

function listNb(items: unknown): string {
  return Array.isArray(items) && items.length > 0 ? items.map(statusNb).join(', ') : 'ingen';
}

/**
 * Norwegian `detail` of the common problems, from the problem's own members; a code without an
 * entry keeps its English detail. Details are generic where the English one names a particular
 * resource: the stable members (`code`, `errors`, `currentStatus`, …) carry the specifics.
 */
const DETAILS_NB: Partial<Record<ErrorCode, (p: Problem) => string>> = {
  'validation-failed': (p) =>
    Array.isArray(p.errors) && p.errors.length > 0 ? `Forespørselen er ugyldig: ${p.errors.length} feil (se errors).` : 'Forespørselen er ugyldig.',
  'not-found': () => 'Ressursen finnes ikke, eller du har ikke tilgang til den.',
  forbidden: () => 'Du har ikke tilgang til dette.',
  unauthorized: () => 'Send et gyldig tilgangstoken (Authorization: Bearer).',
  'invalid-transition': (p) =>
    `Saken kan ikke flyttes fra ${statusNb(p.currentStatus)} til ${statusNb(p.requested)}. Tillatt nå: ${listNb(p.allowed)}.`,
  'status-suspended': (p) => {
    const w = (p.window ?? {}) as { from?: unknown; to?: unknown };
    return `«Venter på bruker» brukes ikke fra ${String(w.from)} til ${String(w.to)}. Bruk «På vent» i stedet.`;
  },
  'reply-required': () =>
    '«Venter på bruker» krever et offentlig svar til innmelder, i denne forespørselen eller siden saken fikk sin nåværende status.',
  'assignee-required': () => 'Statusen krever en saksbehandler: oppgi assigneeId.',
  'case-closed': () => 'Saken er lukket og kan ikke endres slik. Gjenåpne den for å skrive til den.',
  'precondition-failed': () => 'Saken er endret siden du hentet den (If-Match stemmer ikke). Hent den på nytt og prøv igjen.',
  conflict: () => 'Ressursen ble endret samtidig, eller finnes allerede. Prøv igjen.',
  'rate-limited': (p) =>
    typeof p.retryAfterSeconds === 'number'
      ? `For mange forespørsler. Vent ${p.retryAfterSeconds} sekunder og prøv igjen.`
      : 'For mange forespørsler. Vent litt og prøv igjen (se Retry-After).',
  'service-unavailable': () => 'Tjenesten er midlertidig utilgjengelig. Prøv igjen om litt (se Retry-After).',
  'payload-too-large': () => 'Forespørselen er større enn tjenesten tar imot.',
  'unsupported-media-type': () => 'Innholdstypen støttes ikke her.',
  'internal-error': () => 'Det oppstod en uventet feil. Den er logget.',
  'handled-by-leader': (p) => {
    const nb: unknown = typeof p.guidance === 'object' && p.guidance !== null ? (p.guidance as Record<string, unknown>).nb : undefined;
    return typeof nb === 'string' ? nb : 'Dette skjemaet behandles av din leder, ikke av Tjenestesenteret.';
  },
};

/**
 * The problem in `lang`: title and detail translated (in place), code, type and members unchanged.
 * The one translation of a problem: a problem answer (localiseProblemReply) and each refused
 * operation inside a bulk answer (routes/v1/bulk.ts) go through it.
 */
export function localise(problem: Problem, lang: ProblemLanguage): Problem {
  if (lang === 'en') return problem;
  problem.title = PROBLEM_TITLES_NB[problem.code] ?? problem.title;
  const detail = DETAILS_NB[problem.code];
  if (detail && problem.detail !== undefined) problem.detail = detail(problem);
  return problem;
}

/**
 * The language of the request's problems (its Accept-Language), said in the answer's
 * Content-Language. An answer that carries problems calls it once, then `localise`s each.
 */
export function problemLanguageOf(request: FastifyRequest, reply: FastifyReply): ProblemLanguage {
  const lang = negotiateLanguage(request.headers['accept-language']);
  void reply.header('content-language', lang);
  return lang;
}

/**
 * Localises a problem answer to the request's Accept-Language and says so in Content-Language.
 * The error handler, the not-found handler and the router's own refusals call it once each.
 */
export function localiseProblemReply(request: FastifyRequest, reply: FastifyReply, problem: Problem): Problem {
  return localise(problem, problemLanguageOf(request, reply));
}
