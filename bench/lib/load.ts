import autocannon from 'autocannon';

/** What one run of one scenario at one concurrency measured. */
export interface Measurement {
  /** Successful operations per second over the run. */
  rps: number;
  p50: number;
  p99: number;
  ok: number;
  /** Responses that were not 2xx (or floor operations that threw), by status or error code. */
  failures: Record<string, number>;
  seconds: number;
}

/** Percentile of an ascending array (nearest rank). */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/** Latencies in milliseconds, kept exactly (autocannon's own histogram rounds to whole ms). */
class Latencies {
  private values = new Float64Array(1 << 16);
  private n = 0;

  add(ms: number): void {
    if (this.n === this.values.length) {
      const next = new Float64Array(this.values.length * 2);
      next.set(this.values);
      this.values = next;
    }
    this.values[this.n++] = ms;
  }

  sorted(): Float64Array {
    return this.values.slice(0, this.n).sort();
  }

  summary(): { count: number; p50: number; p99: number } {
    const sorted = this.sorted();
    return { count: this.n, p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
  }
}

/** One HTTP request of a scenario; `onResponse` sees the status and body (to track state). */
export interface HttpRequest {
  method: 'GET' | 'POST' | 'PATCH';
  path: string;
  headers: Record<string, string>;
  body?: string;
  onResponse?: (status: number, body: string) => void;
}

/**
 * Drives the service with autocannon: `connections` keep-alive connections, each sending the
 * next request from `next()` as soon as its previous one is answered, for `seconds`.
 */
export async function runHttp(
  baseUrl: string,
  connections: number,
  seconds: number,
  next: () => HttpRequest,
  keepLatencies = false,
): Promise<Measurement & { latencies?: Float64Array }> {
  const lat = new Latencies();
  const failures: Record<string, number> = {};
  let ok = 0;
  let done!: (r: autocannon.Result) => void;
  let failed!: (e: unknown) => void;
  const finished = new Promise<autocannon.Result>((resolve, reject) => {
    done = resolve;
    failed = reject;
  });
  const request: autocannon.Request = {
    setupRequest: (req, context) => {
      const r = next();
      (context as { r?: HttpRequest }).r = r;
      return {
        ...req,
        method: r.method,
        path: r.path,
        headers: { ...r.headers, ...(r.body ? { 'content-type': 'application/json' } : {}) },
        body: r.body,
      };
    },
    onResponse: (status, body, context) => {
      (context as { r?: HttpRequest }).r?.onResponse?.(status, body);
    },
  };
  const instance = autocannon(
    {
      url: baseUrl,
      connections,
      duration: seconds,
      // The service answers in milliseconds; anything near this is a hang, not a latency.
      timeout: 30,
      requests: [request],
    },
    (err, result) => (err ? failed(err) : done(result)),
  );
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    if (statusCode >= 200 && statusCode < 300) {
      ok++;
      lat.add(responseTime);
    } else {
      failures[String(statusCode)] = (failures[String(statusCode)] ?? 0) + 1;
    }
  });
  instance.on('reqError', (err: Error & { code?: string }) => {
    const key = err.code ?? err.message;
    failures[key] = (failures[key] ?? 0) + 1;
  });
  const result = await finished;
  const s = lat.summary();
  const elapsed = result.duration || seconds;
  return { rps: ok / elapsed, p50: s.p50, p99: s.p99, ok, failures, seconds: elapsed, ...(keepLatencies ? { latencies: lat.sorted() } : {}) };
}

/**
 * The same closed loop across several instances of a server: the connections are dealt round
 * robin over `baseUrls` (connection i goes to instance i mod n), as an L4 balancer deals
 * keep-alive connections; one autocannon per instance, the measurements merged.
 */
export async function runHttpMulti(baseUrls: string[], connections: number, seconds: number, next: () => HttpRequest): Promise<Measurement> {
  const shares = baseUrls.map((_, i) => Math.floor(connections / baseUrls.length) + (i < connections % baseUrls.length ? 1 : 0));
  const parts = await Promise.all(baseUrls.map((u, i) => (shares[i]! > 0 ? runHttp(u, shares[i]!, seconds, next, true) : Promise.resolve(null))));
  const done = parts.filter((p): p is Measurement & { latencies?: Float64Array } => p !== null);
  const all = new Float64Array(done.reduce((n, p) => n + (p.latencies?.length ?? 0), 0));
  let at = 0;
  for (const p of done) {
    all.set(p.latencies ?? new Float64Array(0), at);
    at += p.latencies?.length ?? 0;
  }
  all.sort();
  const failures: Record<string, number> = {};
  for (const p of done) for (const [k, v] of Object.entries(p.failures)) failures[k] = (failures[k] ?? 0) + v;
  const ok = done.reduce((n, p) => n + p.ok, 0);
  const elapsed = Math.max(...done.map((p) => p.seconds));
  return { rps: ok / elapsed, p50: percentile(all, 50), p99: percentile(all, 99), ok, failures, seconds: elapsed };
}
