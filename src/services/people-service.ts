import type pg from 'pg';
import type { Config } from '../config';
import type { Clock } from '../domain/clock';
import { DomainError } from '../domain/errors';
import { planRequesterMatch } from '../domain/filing';
import type { Principal } from '../domain/roles';
import type { Status } from '../domain/statuses';
import { inTransaction, pgQuery, type Query } from '../db/query';
import {
  findPerson,
  findPersonByEmployeeNumber,
  listTeamOperators,
  putPerson,
  releaseEmployeeNumber,
  takeRequesterMatches,
  upsertSignIn,
  type PersonRow,
} from '../repositories/people-repository';
import { writePlans } from '../repositories/plan-writer';
import { existingTeamKeys } from '../repositories/reference-repository';
import type { PersonDto, PutPersonBody, TeamMemberDto } from '../schemas/staff';

/** Staff roles a token snapshot keeps (requester is everyone's; integrations are not people). */
const SNAPSHOT_ROLES = ['leader', 'operator', 'admin'];

/**
 * The person directory (docs/identity.md "People and the staff directory"): who signed in, with
 * their employee number and e-mail, and in token-role mode the staff roles their token carried.
 * It resolves employee numbers when staff file for an employee, ties cases that waited for a
 * number to the person when they appear, and lists a team's operators.
 */
export class PeopleService {
  private readonly q: Query;
  /** Whether token role claims count (ROLE_SOURCE=token): then sign-ins snapshot staff roles. */
  private readonly tokenRoles: boolean;

  constructor(
    private readonly pool: pg.Pool,
    private readonly clock: Clock,
    config: Pick<Config, 'ROLE_SOURCE'>,
  ) {
    this.q = pgQuery(pool);
    this.tokenRoles = config.ROLE_SOURCE === 'token';
  }

  /**
   * Records a verified token's person and ties the cases that waited for their employee number.
   * Called once per verification (not on token-cache reuse), so a busy caller costs nothing more.
   * Integration clients are not people and are not recorded.
   */
  async recordSignIn(p: Principal): Promise<void> {
    if (p.roles.includes('integration')) return;
    const now = this.clock.now();
    const roles = this.tokenRoles ? p.roles.filter((r) => SNAPSHOT_ROLES.includes(r)) : null;
    const signIn = {
      subject: p.id,
      name: p.name,
      employeeNumber: p.employeeNumber,
      // The token's e-mail claim, once Principal carries it (notifications, issue #13 point 1).
      email: p.email ?? null,
      roles,
      teams: roles ? [...p.teams] : null,
      at: now,
    };
    const employeeNumber = p.employeeNumber;
    // Without an employee number there is no number to move and no case to tie: one statement.
    if (!employeeNumber) {
      await upsertSignIn(this.q, signIn);
      return;
    }
    await inTransaction(this.pool, async (q) => {
      await releaseEmployeeNumber(q, employeeNumber, p.id);
      await upsertSignIn(q, signIn);
      await this.tieWaitingCases(q, { subject: p.id, name: p.name }, employeeNumber, now);
    });
  }

  async get(subject: string): Promise<PersonDto> {
    const row = await findPerson(this.q, subject);
    if (!row) throw new DomainError('not-found', `No person '${subject}'.`);
    return toDto(row);
  }

  /**
   * Records a person (admins), e.g. an employee known by number before they ever sign in. A
   * number held by someone else is a conflict; cases waiting for the number are tied to them.
   */
  async put(subject: string, body: PutPersonBody): Promise<{ created: boolean; person: PersonDto }> {
    const now = this.clock.now();
    const employeeNumber = body.employeeNumber ?? null;
    return inTransaction(this.pool, async (q) => {
      if (employeeNumber) {
        const holder = await findPersonByEmployeeNumber(q, employeeNumber);
        if (holder && holder.subject !== subject) {
          throw new DomainError('conflict', `Employee number ${employeeNumber} is recorded for another person.`, {
            errors: [{ in: 'body', path: '/employeeNumber', message: 'held by another person' }],
          });
        }
      }
      const { created, row } = await putPerson(q, { subject, name: body.name ?? null, employeeNumber, email: body.email ?? null, at: now });
      if (employeeNumber) await this.tieWaitingCases(q, { subject, name: row.name }, employeeNumber, now);
      return { created, person: toDto(row) };
    });
  }

  /** The operators of a team, from the staff directory; 404 for an unknown team. */
  async teamMembers(teamKey: string): Promise<TeamMemberDto[]> {
    if ((await existingTeamKeys(this.q, [teamKey])).length === 0) throw new DomainError('not-found', `No team '${teamKey}'.`);
    const rows = await listTeamOperators(this.q, teamKey, this.tokenRoles);
    return rows.map((r) => ({ subject: r.subject, name: r.name }));
  }

  private async tieWaitingCases(q: Query, person: { subject: string; name: string | null }, employeeNumber: string, now: Date): Promise<void> {
    const waiting = await takeRequesterMatches(q, employeeNumber);
    // A case anonymised, or given a requester some other way meanwhile, is left as it is.
    const open = waiting.filter((c) => c.anonymisedAt === null && c.requesterId === null);
    if (open.length === 0) return;
    await writePlans(
      q,
      open.map((c) => planRequesterMatch({ ...c, status: c.status as Status }, person, now)),
    );
  }
}

function toDto(r: PersonRow): PersonDto {
  return { subject: r.subject, name: r.name, employeeNumber: r.employeeNumber, email: r.email, updatedAt: r.updatedAt.toISOString() };
}
