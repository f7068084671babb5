/** The directory look-ups of case changes: the employee a filing names, and who may be assigned. */
import { mayBeAssigned, type CaseAccessFacts } from '../domain/access';
import type { Decision } from '../domain/decide';
import { DomainError } from '../domain/errors';
import type { KnownPerson } from '../domain/filing';
import { isStaff, type Principal } from '../domain/roles';
import type { Query } from '../db/query';
import { findDirectoryEntry, findPerson, findPersonByEmployeeNumber } from '../repositories/people-repository';
import type { CreateCaseBody } from '../schemas/case';

/**
 * The employee a staff filing names, as the person directory knows them (by Feide id, else by
 * employee number), for decideFiling. Looked up only when staff name someone other than
 * themselves, so other filings cost no query.
 */
export async function namedEmployee(q: Query, p: Principal, body: CreateCaseBody): Promise<KnownPerson | null> {
  if (!isStaff(p) || body.externalRequester) return null;
  let person = null;
  if (body.requesterId !== undefined && body.requesterId !== p.id) person = await findPerson(q, body.requesterId);
  else if (body.requesterId === undefined && body.employeeNumber !== undefined && body.employeeNumber !== p.employeeNumber) {
    person = await findPersonByEmployeeNumber(q, body.employeeNumber);
  }
  return person && { subject: person.subject, name: person.name, employeeNumber: person.employeeNumber, email: person.email };
}

/**
 * Assignees are real staff (issue #13): someone the staff directory knows who could handle the
 * case themselves (mayBeAssigned in src/domain/access.ts). Runs after decide(), which refuses
 * what the case's state or the caller's role forbids first, and only when the request names a
 * new assignee (a repeated one, or an operator taking a case they start, is not checked).
 */
export async function checkAssignee(
  q: Query,
  tokenRoles: boolean,
  target: CaseAccessFacts,
  assigneeId: string | null | undefined,
  decision: Decision,
): Promise<void> {
  if (assigneeId === undefined || assigneeId === null || !decision.assigneeChanged) return;
  const entry = await findDirectoryEntry(q, assigneeId, tokenRoles);
  if (!entry) {
    throw new DomainError('unknown-assignee', `The service knows no one by the id '${assigneeId}'.`, {
      assigneeId,
      errors: [{ in: 'body', path: '/assigneeId', message: 'unknown operator' }],
    });
  }
  if (!mayBeAssigned(entry, target)) {
    throw new DomainError('assignee-cannot-see-case', `'${assigneeId}' cannot handle this case.`, {
      assigneeId,
      errors: [{ in: 'body', path: '/assigneeId', message: 'cannot handle this case' }],
    });
  }
}
