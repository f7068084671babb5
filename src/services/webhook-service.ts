import { randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import type { Clock } from '../domain/clock';
import { DomainError } from '../domain/errors';
import { retryDelayMs } from '../domain/events';
import { EgressRefused, type WebhookEgress } from '../http/webhook-egress';
import { SIGNATURE_HEADER, signatureHeader } from '../http/webhook-signature';
import { inTransaction, pgQuery, type Query } from '../db/query';
import {
  claimDeliveries,
  deleteSubscription,
  fanOutBatch,
  findSubscription,
  insertAttempt,
  insertSubscription,
  listDeliveries,
  listSubscriptions,
  lockSubscriptionHealth,
  markDelivered,
  scheduleRetry,
  subscriptionsAhead,
  subscriptionsBehind,
  updateSubscription,
  type ClaimedDelivery,
  type SubscriptionRow,
} from '../repositories/webhook-repository';
import type { Principal } from '../domain/roles';
import type { EventService } from './event-service';
import { holdsSensitiveGrant, toEventDto } from './event-service';
import { mapLimit } from './map-limit';
import type { WebhookDto } from '../schemas/integration';

export interface CreateWebhookInput {
  url: string;
  eventTypes: string[];
  secret?: string;
  description?: string;
  active?: boolean;
  includeSensitive?: boolean;
}

export interface UpdateWebhookInput {
  url?: string;
  eventTypes?: string[];
  secret?: string;
  description?: string | null;
  active?: boolean;
  includeSensitive?: boolean;
}

/**
 * Whether `p` may give a subscription the sensitive grant (full payloads of sensitive cases), or
 * change one that has it: an administrator signed in as a person, or a client that holds the
 * grant itself (`cases:read:sensitive`). A client with only the admin scope may not pass on what
 * it does not hold.
 */
function mayGrantSensitive(p: Principal): boolean {
  return (p.roles.includes('admin') && !p.roles.includes('integration')) || holdsSensitiveGrant(p);
}

export interface DeliveryDto {
  id: string;
  eventId: string;
  eventType: string;
  eventPosition: string;
  caseId: string | null;
  state: 'pending' | 'succeeded';
  attempts: number;
  nextAttemptAt: string | null;
  lastAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  deliveredAt: string | null;
  createdAt: string;
  attemptLog: Array<{ at: string; statusCode: number | null; error: string | null; durationMs: number }>;
}

/** What one run of the delivery loop did. */
export interface RunResult {
  queued: number;
  attempted: number;
  succeeded: number;
  failed: number;
  disabled: number;
}

export interface WebhookOptions {
  maxFailures: number;
  batchSize: number;
  timeoutMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Plain http URLs (loopback receivers in development and tests); https only when false. */
  allowHttp: boolean;
  userAgent: string;
  /** Which hosts deliveries may reach (WEBHOOK_ALLOW_HOSTS), checked on save and on connect. */
  egress: WebhookEgress;
  /** Where the full error of a failed attempt goes; callers only see a generic one. */
  log?: { warn(obj: object, msg: string): void };
  /** The jitter source; Math.random by default. */
  random?: () => number;
}

/** The errors the delivery log shows: no host names, ports or system error text. */
const DELIVERY_ERRORS = {
  refused: 'refused by policy',
  timeout: 'timeout',
  connection: 'connection failed',
} as const;

/** Events fanned out into deliveries per subscription and transaction. */
const FANOUT_BATCH = 500;
/** Rounds per run: each round delivers at most one event per (subscription, case). */
const MAX_ROUNDS = 100;
/** Deliveries sent at once. */
const CONCURRENCY = 8;

/**
 * Webhook subscriptions and their delivery loop. A run first fans new outbox events (up to the
 * feed's safe bound) out into one delivery row per matching subscription, then sends due
 * deliveries in rounds. Per subscription and case, a delivery is only claimed when no earlier
 * one is pending, so event n+1 of a case never overtakes event n. Claims use FOR UPDATE SKIP
 * LOCKED plus a short lease, so any number of instances can run the loop at once. Delivery is
 * at least once: a receiver that answered 2xx after a timeout gets the event again.
 */
export class WebhookService {
  private readonly random: () => number;
  private readonly q: Query;
  /** Keep-alive agents whose DNS lookup is the egress policy's. */
  private readonly agents: { http: http.Agent; https: https.Agent };

  constructor(
    private readonly pool: pg.Pool,
    private readonly events: EventService,
    private readonly clock: Clock,
    private readonly opts: WebhookOptions,
  ) {
    this.random = opts.random ?? Math.random;
    this.q = pgQuery(pool);
    const lookup = opts.egress.lookup;
    this.agents = { http: new http.Agent({ keepAlive: true, lookup }), https: new https.Agent({ keepAlive: true, lookup }) };
  }

  /** Closes the agents' idle connections. */
  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  // ---------------------------------------------------------------- subscriptions

  async list(): Promise<WebhookDto[]> {
    const rows = await listSubscriptions(this.q);
    return rows.map(toWebhookDto);
  }

  async get(id: string): Promise<WebhookDto> {
    const row = await findSubscription(this.q, id);
    if (!row) throw notFound();
    return toWebhookDto(row);
  }

  /**
   * Subscribes `input.url`. It receives events written from now on (the cursor starts at the
   * feed's safe bound, or the highest committed position when writers hold the outbox lock long:
   * EventService.startPosition). Without a secret one is generated; either way it is answered only here.
   */
  async create(p: Principal, input: CreateWebhookInput): Promise<WebhookDto & { secret: string }> {
    if (input.includeSensitive === true && !mayGrantSensitive(p)) throw sensitiveGrantRefused();
    await this.checkUrl(input.url);
    const secret = input.secret ?? `whsec_${randomBytes(32).toString('base64url')}`;
    const now = this.clock.now();
    const cursor = await this.events.startPosition();
    const active = input.active ?? true;
    const row = await insertSubscription(this.q, {
      url: input.url,
      eventTypes: [...new Set(input.eventTypes)],
      secret,
      description: input.description ?? null,
      active,
      includeSensitive: input.includeSensitive ?? false,
      cursor,
      disabledAt: active ? null : now,
      disabledReason: active ? null : 'created inactive',
      createdBy: p.id,
      createdAt: now,
      updatedAt: now,
    });
    return { ...toWebhookDto(row), secret };
  }

  /**
   * Changes a subscription. Re-activating one clears its failure count; its pending deliveries
   * and the events written meanwhile then go out, in order. A subscription with the sensitive
   * grant is changed only by whoever may give it (its url or secret would redirect the data).
   */
  async update(p: Principal, id: string, input: UpdateWebhookInput): Promise<WebhookDto> {
    if (input.includeSensitive === true && !mayGrantSensitive(p)) throw sensitiveGrantRefused();
    if (input.url !== undefined) await this.checkUrl(input.url);
    const now = this.clock.now();
    return inTransaction(this.pool, async (q) => {
      const row = await findSubscription(q, id);
      if (!row) throw notFound();
      if (row.includeSensitive && !mayGrantSensitive(p)) throw sensitiveGrantRefused();
      const activation =
        input.active === true && !row.active
          ? { active: true, consecutiveFailures: 0, disabledAt: null, disabledReason: null }
          : input.active === false && row.active
            ? { active: false, disabledAt: now, disabledReason: 'paused by an administrator' }
            : {};
      const updated = await updateSubscription(q, id, {
        ...(input.url !== undefined ? { url: input.url } : {}),
        ...(input.eventTypes !== undefined ? { eventTypes: [...new Set(input.eventTypes)] } : {}),
        ...(input.secret !== undefined ? { secret: input.secret } : {}),
        ...(input.description !== undefined ? { description: input.description } : {}),
        ...(input.includeSensitive !== undefined ? { includeSensitive: input.includeSensitive } : {}),
        ...activation,
        updatedAt: now,
      });
      // Deleted between the two statements.
      if (!updated) throw notFound();
      return toWebhookDto(updated);
    });
  }

  /** Removes a subscription with its deliveries and their log. */
  async remove(id: string): Promise<void> {
    if (!(await deleteSubscription(this.q, id))) throw notFound();
  }

  /** The delivery log of a subscription, newest first, keyset-paginated by delivery id. */
  async deliveries(
    id: string,
    q: { state?: 'pending' | 'succeeded'; failed?: boolean; limit?: number; cursor?: string },
  ): Promise<{ items: DeliveryDto[]; nextCursor: string | null }> {
    if (!(await findSubscription(this.q, id))) throw notFound();
    const limit = q.limit ?? 50;
    const rows = await listDeliveries(this.q, id, {
      ...(q.state ? { state: q.state } : {}),
      ...(q.failed !== undefined ? { failed: q.failed } : {}),
      ...(q.cursor ? { beforeId: BigInt(q.cursor) } : {}),
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    const items = page.map((d) => ({
      id: d.id.toString(),
      eventId: d.eventId,
      eventType: d.eventType,
      eventPosition: d.eventPosition.toString(),
      caseId: d.caseId,
      state: d.state,
      attempts: d.attempts,
      nextAttemptAt: d.state === 'pending' ? d.nextAttemptAt.toISOString() : null,
      lastAttemptAt: d.lastAttemptAt?.toISOString() ?? null,
      lastStatusCode: d.lastStatusCode,
      lastError: d.lastError,
      deliveredAt: d.deliveredAt?.toISOString() ?? null,
      createdAt: d.createdAt.toISOString(),
      attemptLog: d.attemptLog.map((a) => ({ at: a.at.toISOString(), statusCode: a.statusCode, error: a.error, durationMs: a.durationMs })),
    }));
    const last = page[page.length - 1];
    return { items, nextCursor: rows.length > limit && last ? last.id.toString() : null };
  }

  // ---------------------------------------------------------------- delivery

  /**
   * Queues new events and sends every delivery due at `now`, round after round. Each attempt is
   * signed and recorded at the instant it is sent: `now` plus the time the run has taken so far
   * (a run started as of another instant keeps that offset).
   */
  async run(now: Date = this.clock.now()): Promise<RunResult> {
    const offsetMs = now.getTime() - this.clock.now().getTime();
    const sendTime = (): Date => new Date(this.clock.now().getTime() + offsetMs);
    const result: RunResult = { queued: await this.enqueue(now), attempted: 0, succeeded: 0, failed: 0, disabled: 0 };
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const claimed = await this.claim(now);
      if (claimed.length === 0) break;
      const outcomes = await mapLimit(claimed, CONCURRENCY, (d) => this.attempt(d, sendTime));
      for (const o of outcomes) {
        result.attempted++;
        if (o.ok) result.succeeded++;
        else result.failed++;
        if (o.disabled) result.disabled++;
      }
    }
    return result;
  }

  /** Fans events after each active subscription's cursor out into delivery rows. */
  private async enqueue(now: Date): Promise<number> {
    // The safe bound takes the outbox lock exclusively for an instant; a run with no active
    // subscription behind the outbox skips it (an instance without webhooks never takes it).
    if (!(await subscriptionsAhead(this.q))) return 0;
    const bound = await this.events.safeBound();
    const subs = await subscriptionsBehind(this.q, bound);
    let queued = 0;
    for (const id of subs) {
      for (;;) {
        const step = await inTransaction(this.pool, (q) => fanOutBatch(q, id, bound, now, FANOUT_BATCH));
        if (!step) break;
        queued += step.queued;
        if (!step.more) break;
      }
    }
    return queued;
  }

  /**
   * Claims due deliveries whose case has no earlier pending delivery for the same subscription,
   * leasing them for this instance until the attempt can no longer be running.
   */
  private async claim(now: Date): Promise<ClaimedDelivery[]> {
    const lockedUntil = new Date(now.getTime() + this.opts.timeoutMs * 2 + 5_000);
    return claimDeliveries(this.q, now, lockedUntil, this.opts.batchSize);
  }

  /** Sends one delivery and records the outcome, both at the instant `sendTime` answers. */
  private async attempt(d: ClaimedDelivery, sendTime: () => Date): Promise<{ ok: boolean; disabled: boolean }> {
    const now = sendTime();
    if (d.position === null || d.payload === null || d.createdAt === null) {
      // The event is gone from the outbox: nothing left to send, and it must not block the case.
      await this.record(d, now, { ok: true, statusCode: null, error: 'event no longer in the outbox; skipped', durationMs: 0 });
      return { ok: true, disabled: false };
    }
    const body = JSON.stringify(
      toEventDto(
        { position: d.position, id: d.eventId, type: d.type, caseId: d.caseId, payload: d.payload, createdAt: d.createdAt },
        d.sensitive && !d.includeSensitive,
      ),
    );
    const timestamp = Math.floor(now.getTime() / 1000);
    const started = performance.now();
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      statusCode = await this.post(new URL(d.url), body, {
        'content-type': 'application/json',
        'user-agent': this.opts.userAgent,
        'saksflyt-event-id': d.eventId,
        'saksflyt-event-type': d.type,
        'saksflyt-delivery-id': d.id.toString(),
        [SIGNATURE_HEADER]: signatureHeader(d.secret, timestamp, body),
      });
      if (statusCode < 200 || statusCode > 299) error = `HTTP ${statusCode}`;
    } catch (err) {
      error = deliveryError(err);
      // The cause stays in the service's log: the delivery log is an API, and host names, ports
      // and system errors of internal hosts are what a port scan reads.
      this.opts.log?.warn({ err, subscriptionId: d.subscriptionId, deliveryId: d.id.toString(), error }, 'webhook delivery failed');
    }
    const durationMs = Math.round(performance.now() - started);
    return this.record(d, now, { ok: error === null, statusCode, error, durationMs });
  }

  /**
   * POSTs `body` to `url` through the agents, and answers the status code. Redirects are not
   * followed; the answer's body is drained, not read. IP literals are checked here (a connection
   * to one does no lookup), names by the agents' lookup.
   */
  private post(url: URL, body: string, headers: Record<string, string>): Promise<number> {
    this.opts.egress.checkLiteral(url);
    const secure = url.protocol === 'https:';
    return new Promise<number>((resolve, reject) => {
      const req = (secure ? https : http).request(url, {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        agent: secure ? this.agents.https : this.agents.http,
        signal: AbortSignal.timeout(this.opts.timeoutMs),
      });
      req.on('response', (res) => {
        res.on('error', () => undefined);
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  private async record(
    d: ClaimedDelivery,
    now: Date,
    outcome: { ok: boolean; statusCode: number | null; error: string | null; durationMs: number },
  ): Promise<{ ok: boolean; disabled: boolean }> {
    return inTransaction(this.pool, async (q) => {
      await insertAttempt(q, d.id, now, outcome);
      const attempts = d.attempts + 1;
      const sub = await lockSubscriptionHealth(q, d.subscriptionId);
      if (outcome.ok) {
        await markDelivered(q, d.id, attempts, now, outcome);
        if (sub && sub.failures > 0) await updateSubscription(q, d.subscriptionId, { consecutiveFailures: 0 });
        return { ok: true, disabled: false };
      }
      const delay = retryDelayMs(attempts, this.opts.backoffBaseMs, this.opts.backoffMaxMs, this.random());
      await scheduleRetry(q, d.id, attempts, now, new Date(now.getTime() + delay), outcome);
      if (!sub) return { ok: false, disabled: false };
      const failures = sub.failures + 1;
      const disable = sub.active && failures >= this.opts.maxFailures;
      await updateSubscription(q, d.subscriptionId, {
        consecutiveFailures: failures,
        ...(disable ? { active: false, disabledAt: now, disabledReason: `${failures} consecutive failed deliveries (last: ${outcome.error})` } : {}),
      });
      return { ok: false, disabled: disable };
    });
  }

  /**
   * Refuses a URL that is not http(s), or whose host is (or resolves to) an internal address
   * not allowed by WEBHOOK_ALLOW_HOSTS, in any notation: `new URL` turns 0x7f000001, 2130706433
   * and 127.1 into 127.0.0.1 before the check, as it does before a connection.
   */
  private async checkUrl(url: string): Promise<void> {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw invalidUrl('not a URL');
    }
    if (u.protocol !== 'https:' && !(u.protocol === 'http:' && this.opts.allowHttp)) {
      throw invalidUrl(this.opts.allowHttp ? 'must be http or https' : 'must be https');
    }
    if ((await this.opts.egress.screen(u)) === 'refused') {
      throw invalidUrl('must not point to a loopback, private, link-local or other internal address');
    }
  }
}

function toWebhookDto(row: SubscriptionRow): WebhookDto {
  return {
    id: row.id,
    url: row.url,
    eventTypes: row.eventTypes,
    description: row.description,
    active: row.active,
    includeSensitive: row.includeSensitive,
    consecutiveFailures: row.consecutiveFailures,
    disabledAt: row.disabledAt?.toISOString() ?? null,
    disabledReason: row.disabledReason,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

function sensitiveGrantRefused(): DomainError {
  return new DomainError(
    'forbidden',
    'Only an administrator signed in as a person, or a client granted cases:read:sensitive, may give a subscription ' +
      'the sensitive grant or change one that has it.',
  );
}

function notFound(): DomainError {
  return new DomainError('not-found', 'No such webhook subscription.');
}

function invalidUrl(message: string): DomainError {
  return new DomainError('validation-failed', `The webhook url ${message}.`, {
    errors: [{ in: 'body', path: '/url', message }],
  });
}

/** The generic error of a failed attempt, as the delivery log shows it. */
function deliveryError(err: unknown): string {
  for (let e: unknown = err, depth = 0; e && depth < 4; depth++) {
    if (e instanceof EgressRefused) return DELIVERY_ERRORS.refused;
    const o = e as { name?: string; code?: string; cause?: unknown };
    if (o.name === 'TimeoutError' || o.name === 'AbortError' || o.code === 'ABORT_ERR') return DELIVERY_ERRORS.timeout;
    e = o.cause;
  }
  return DELIVERY_ERRORS.connection;
}
