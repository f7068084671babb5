import type pg from 'pg';
import type { Clock } from '../domain/clock';
import { DomainError } from '../domain/errors';
import { pgQuery, type Query } from '../db/query';
import { existingTeamKeys } from '../repositories/reference-repository';
import { deleteStaff, findStaff, listStaff, upsertStaff, type StaffRow } from '../repositories/staff-repository';
import { GRANTABLE_ROLES, type PutStaffMemberBody, type StaffMemberDto } from '../schemas/staff';

/**
 * The service's own record of who is staff (ROLE_SOURCE=database): roles and team memberships
 * that admins manage, used instead of the token's role claims.
 */
export class StaffService {
  private readonly q: Query;

  constructor(
    pool: pg.Pool,
    private readonly clock: Clock,
  ) {
    this.q = pgQuery(pool);
  }

  async list(): Promise<StaffMemberDto[]> {
    const rows = await listStaff(this.q);
    return rows.map(toDto);
  }

  async get(subject: string): Promise<StaffMemberDto> {
    const row = await findStaff(this.q, subject);
    if (!row) throw new DomainError('not-found', `No staff member '${subject}'.`);
    return toDto(row);
  }

  /** The roles and teams recorded for a subject, or null when they are not staff. */
  async lookup(subject: string): Promise<{ roles: string[]; teams: string[] } | null> {
    const row = await findStaff(this.q, subject);
    return row && { roles: row.roles, teams: row.teams };
  }

  /** Creates or replaces a staff member; answers whether it was created. */
  async put(subject: string, body: PutStaffMemberBody, by: string): Promise<{ created: boolean; member: StaffMemberDto }> {
    const teams = body.teams ?? [];
    if (teams.length > 0) {
      const known = await existingTeamKeys(this.q, teams);
      const unknown = teams.filter((t) => !known.includes(t));
      if (unknown.length > 0) {
        throw new DomainError('validation-failed', `Unknown team '${unknown[0]}'.`, {
          errors: unknown.map((t) => ({ in: 'body', path: `/teams/${teams.indexOf(t)}`, message: 'unknown team' })),
        });
      }
    }
    const { created, row } = await upsertStaff(this.q, {
      subject,
      name: body.name ?? null,
      roles: [...body.roles],
      teams,
      updatedBy: by,
      updatedAt: this.clock.now(),
    });
    return { created, member: toDto(row) };
  }

  async remove(subject: string): Promise<void> {
    if (!(await deleteStaff(this.q, subject))) throw new DomainError('not-found', `No staff member '${subject}'.`);
  }
}

function toDto(r: StaffRow): StaffMemberDto {
  return {
    subject: r.subject,
    name: r.name,
    roles: r.roles.filter((x): x is StaffMemberDto['roles'][number] => (GRANTABLE_ROLES as readonly string[]).includes(x)),
    teams: r.teams,
    updatedBy: r.updatedBy,
    updatedAt: r.updatedAt.toISOString(),
  };
}
