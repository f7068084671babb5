/**
 * Wall-clock arithmetic in a time zone. A "wall millis" value encodes a local date and time as
 * if it were UTC (so every local day is exactly 86 400 000 long), which lets day stepping be
 * plain integer arithmetic; luxon supplies the zone's offsets to convert to and from real
 * instants. Zone offsets at each UTC midnight are memoised per zone (bounded): offset lookups go
 * through Intl and dominate the cost of a day walk, and depend only on the process's tz data.
 */
import { IANAZone } from 'luxon';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

// Zone offset (ms) at UTC midnight of an epoch day, per zone. Offset lookups go through Intl and
// dominate the cost of a day walk; the answer only depends on the process's tz data, so memoising
// is safe. Bounded so a long-running process cannot grow it without limit.
const PROBE_CACHE_LIMIT = 50_000;
const probeCache = new Map<string, Map<number, number>>();

export function probesFor(zone: IANAZone): Map<number, number> {
  let m = probeCache.get(zone.name);
  if (!m) {
    m = new Map();
    probeCache.set(zone.name, m);
  }
  return m;
}

// Valid zones by name: IANAZone.create is cached by luxon, but its validity check is not.
const zones = new Map<string, IANAZone>();

export function zoneOf(name: string): IANAZone {
  let zone = zones.get(name);
  if (zone) return zone;
  zone = IANAZone.create(name);
  if (!zone.isValid) throw new RangeError(`unknown time zone: ${JSON.stringify(name)}`);
  if (zones.size < 1000) zones.set(name, zone);
  return zone;
}

export function assertInstant(d: Date, what: string): number {
  const ms = d instanceof Date ? d.getTime() : NaN;
  if (!Number.isFinite(ms)) throw new RangeError(`${what} must be a valid Date`);
  return ms;
}

/**
 * The local wall-clock reading of `instant` in `zone`, encoded as milliseconds since
 * 1970-01-01T00:00 local (i.e. the local fields read as if they were UTC).
 *
 * @throws RangeError for an invalid Date or unknown zone
 */
export function toWallClockMillis(instant: Date, zone: string): number {
  const ms = assertInstant(instant, 'instant');
  const z = zoneOf(zone);
  return ms + offsetAt(ms, z, probesFor(z));
}

/**
 * The instant at which the clocks in `zone` read the wall time `wallMillis` (as produced by
 * {@link toWallClockMillis}). A wall time skipped by a spring-forward gap maps to the same
 * reading after the gap (02:30 → 03:30), and a wall time that occurs twice in the autumn maps
 * to its first occurrence — the same choices as Temporal's `compatible` disambiguation.
 *
 * @throws RangeError for a non-finite value or unknown zone
 */
export function fromWallClockMillis(wallMillis: number, zone: string): Date {
  if (!Number.isFinite(wallMillis)) throw new RangeError('wallMillis must be finite');
  return new Date(wallToInstant(wallMillis, zoneOf(zone)));
}

export function wallToInstant(wall: number, zone: IANAZone): number {
  // Offsets a day either side bracket any single transition, and no zone changes twice in 48 h.
  const probes = probesFor(zone);
  const before = offsetAt(wall - DAY_MS, zone, probes);
  const after = offsetAt(wall + DAY_MS, zone, probes);
  const viaBefore = wall - before;
  const viaAfter = wall - after;
  const beforeFits = offsetAt(viaBefore, zone, probes) === before;
  const afterFits = offsetAt(viaAfter, zone, probes) === after;
  if (beforeFits && afterFits) return Math.min(viaBefore, viaAfter);
  if (beforeFits) return viaBefore;
  if (afterFits) return viaAfter;
  // In a gap neither offset fits; reading it with the pre-gap offset lands after the gap by the
  // gap's length, which is where a wall clock that skipped ahead would show the same reading.
  return viaBefore;
}

/**
 * The zone's offset (ms) at instant `ms`: from the probe cache when the offsets at the UTC
 * midnights around `ms` agree (no transition that day), else from Intl. The timer sweep computes
 * thousands of due times a second; Intl lookups were the largest part of its CPU in Node.
 */
function offsetAt(ms: number, zone: IANAZone, probes: Map<number, number>): number {
  // As localDayOf: equal offsets at the two UTC midnights around ms mean ms has that offset.
  const d = Math.floor(ms / DAY_MS);
  const offset = zoneProbe(d, zone, probes);
  return offset === zoneProbe(d + 1, zone, probes) ? offset : zone.offset(ms) * MINUTE_MS;
}

/** The zone's offset (ms) at UTC midnight of epoch `day`, from the zone's probe cache. */
export function zoneProbe(day: number, zone: IANAZone, probes: Map<number, number>): number {
  let offset = probes.get(day);
  if (offset === undefined) {
    offset = zone.offset(day * DAY_MS) * MINUTE_MS;
    if (probes.size >= PROBE_CACHE_LIMIT) probes.clear();
    probes.set(day, offset);
  }
  return offset;
}
