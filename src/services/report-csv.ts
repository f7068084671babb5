/** The service-level reports as CSV (docs/csv.md): one row per group (and status), flat columns. */
import { csvDocument } from '../http/csv';
import type { SlaReportDto, TimeInStatusReportDto } from '../schemas/service-level';

export function slaReportCsv(r: SlaReportDto): string {
  const header = [
    'from',
    'to',
    'groupBy',
    'key',
    'cases',
    'met',
    'breached',
    'open',
    'firstResponseMet',
    'firstResponseBreached',
    'firstResponseMedianHours',
    'firstResponseP90Hours',
    'resolutionMet',
    'resolutionBreached',
    'resolutionMedianHours',
    'resolutionP90Hours',
  ];
  return csvDocument(
    header,
    r.groups.map((g) => [
      r.from,
      r.to,
      r.groupBy,
      g.key,
      g.cases,
      g.met,
      g.breached,
      g.open,
      g.firstResponse.met,
      g.firstResponse.breached,
      g.firstResponse.medianHours,
      g.firstResponse.p90Hours,
      g.resolution.met,
      g.resolution.breached,
      g.resolution.medianHours,
      g.resolution.p90Hours,
    ]),
  );
}

export function timeInStatusCsv(r: TimeInStatusReportDto): string {
  const header = ['from', 'to', 'groupBy', 'key', 'status', 'stints', 'current', 'medianHours', 'p90Hours', 'medianWorkingHours', 'p90WorkingHours'];
  return csvDocument(
    header,
    r.groups.flatMap((g) =>
      g.statuses.map((s) => [
        r.from,
        r.to,
        r.groupBy,
        g.key,
        s.status,
        s.stints,
        s.current,
        s.medianHours,
        s.p90Hours,
        s.medianWorkingHours,
        s.p90WorkingHours,
      ]),
    ),
  );
}
