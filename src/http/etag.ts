import { DomainError } from '../domain/errors';

/** The ETag of a case version. */
export function etagOf(version: number): string {
  return `"${version}"`;
}

/**
 * Parses If-Match into the version the client last saw: undefined when absent or `*`. A value
 * that names no version of ours can never match, so it is refused as stale (412). If-Match uses
 * the strong comparison (RFC 9110 §13.1.1): a weak tag (`W/"14"`) never matches.
 */
export function expectedVersion(ifMatch: string | undefined): number | undefined {
  if (ifMatch === undefined || ifMatch.trim() === '*') return undefined;
  if (/^\s*W\//.test(ifMatch)) {
    throw new DomainError('precondition-failed', 'A weak ETag never matches If-Match (strong comparison): send the ETag as given.', { ifMatch });
  }
  const m = /^\s*"(\d{1,10})"\s*$/.exec(ifMatch);
  if (!m?.[1]) {
    throw new DomainError('precondition-failed', 'If-Match does not name a version of this case.', { ifMatch });
  }
  return Number(m[1]);
}
