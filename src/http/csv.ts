/**
 * CSV for spreadsheet users (docs/csv.md): RFC 4180 (comma-separated, CRLF line ends, a field
 * with a comma, quote, CR or LF quoted, quotes doubled), UTF-8 with a byte-order mark so Excel
 * reads the encoding right, and protection against formula injection: a text cell that starts
 * with `=`, `+`, `-`, `@`, a tab or a CR is prefixed with `'`, so a spreadsheet shows it as text
 * instead of evaluating it (OWASP "CSV Injection").
 */

export const CSV_CONTENT_TYPE = 'text/csv; charset=utf-8';

/** The UTF-8 byte-order mark that starts every CSV document. */
export const CSV_BOM = '\uFEFF';

export type CsvValue = string | number | boolean | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One field: formula-protected (text only; numbers are written as numbers), then quoted if needed. */
export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One record, ended by CRLF. */
export function csvRecord(values: readonly CsvValue[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}

/** A whole document: BOM, header row, records. */
export function csvDocument(header: readonly string[], rows: Iterable<readonly CsvValue[]>): string {
  let out = CSV_BOM + csvRecord(header);
  for (const r of rows) out += csvRecord(r);
  return out;
}

/**
 * Whether the Accept header asks for CSV rather than JSON: `text/csv` listed with a q above 0
 * and above that of any JSON type (or wildcard) the header also lists. No header, or one that
 * does not name text/csv, means JSON.
 */
export function prefersCsv(accept: string | undefined): boolean {
  if (!accept) return false;
  let csv = 0;
  let other = 0;
  for (const part of accept.split(',')) {
    const [type, ...params] = part.trim().toLowerCase().split(';');
    const qParam = params.map((s) => s.trim()).find((s) => s.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    const weight = Number.isFinite(q) ? q : 0;
    if (type === 'text/csv') csv = Math.max(csv, weight);
    else if (type === 'application/json' || type === 'application/*' || type === 'application/problem+json') other = Math.max(other, weight);
  }
  return csv > 0 && csv > other;
}
