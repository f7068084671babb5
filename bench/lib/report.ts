import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Measurement } from './load';

export const RESULTS_FILE = path.resolve(__dirname, '..', 'results.md');

/** The marker the soak section starts with; `npm run bench` keeps that section when it rewrites the file. */
const SOAK_MARKER = '<!-- soak -->';

export function machineInfo(): string {
  const cpus = os.cpus();
  const load = os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ');
  return (
    `${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ` +
    `${os.type()} ${os.release()}, Node ${process.version}; load average at start ${load} (1/5/15 min)`
  );
}

export function ms(v: number): string {
  if (!Number.isFinite(v)) return '–';
  return v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0);
}

export function num(v: number): string {
  if (!Number.isFinite(v)) return '–';
  return v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(1);
}

export function failures(m: Measurement | undefined): string {
  if (!m) return '–';
  const parts = Object.entries(m.failures).map(([k, v]) => `${k}×${v}`);
  return parts.length ? parts.join(', ') : '0';
}

/** Writes the file, keeping a soak section an earlier `npm run soak` appended. */
export function writeResults(markdown: string, file = RESULTS_FILE): void {
  let soak = '';
  if (existsSync(file)) {
    const old = readFileSync(file, 'utf8');
    const at = old.indexOf(SOAK_MARKER);
    if (at >= 0) soak = `\n${old.slice(at)}`;
  }
  writeFileSync(file, `${markdown.trimEnd()}\n${soak}`);
}

/** Replaces (or adds) the soak section at the end of the file (bench/results.md, or BENCH_RESULTS). */
export function writeSoakSection(markdown: string, file = RESULTS_FILE): void {
  let head = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmark results\n\n(No `npm run bench` run yet.)\n';
  const at = head.indexOf(SOAK_MARKER);
  if (at >= 0) head = head.slice(0, at);
  writeFileSync(file, `${head.trimEnd()}\n\n${SOAK_MARKER}\n${markdown.trimEnd()}\n`);
}

/** A small ASCII plot of a series (one row per sample, bar length proportional to the value). */
export function asciiPlot(points: Array<{ label: string; value: number }>, width = 50): string {
  const max = Math.max(...points.map((p) => p.value));
  const min = Math.min(...points.map((p) => p.value));
  // Bars start a little below the minimum so that small changes stay visible.
  const floor = Math.max(0, min - (max - min) * 0.5 - 1);
  return points
    .map(
      (p) =>
        `${p.label.padStart(7)} | ${'#'.repeat(Math.max(1, Math.round(((p.value - floor) / (max - floor || 1)) * width)))} ${p.value.toFixed(1)}`,
    )
    .join('\n');
}
