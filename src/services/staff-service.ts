import type { Clock } from '../domain/clock';
import { DomainError } from '../domain/errors';
import type { Db } from '../db/client';
import type { Prisma } from '../generated/prisma/client';
import { GRANTABLE_ROLES, type PutStaffMemberBody, type StaffMemberDto } from '../schemas/staff';

type StaffRow = Prisma.StaffMemberGetPayload<object>;

/**
 * The service's own record of who is staff (ROLE_SOURCE=database): roles and team memberships
 * that admins manage, used instead of the token's role claims.
 */
export class StaffService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async list(): Promise<StaffMemberDto[]> {
    const rows = await this.db.staffMember.findMany({ orderBy: { subject: 'asc' } });
    return rows.map(toDto);
  }

  async get(subject: string): Promise<StaffMemberDto> {
    const row = await this.db.staffMember.findUnique({ where: { subject } });
    if (!row) throw new DomainError('not-found', `No staff member '${subject}'.`);
    return toDto(row);
  }

  /** The roles and teams recorded for a subject, or null when they are not staff. */
  async lookup(subject: string): Promise<{ roles: string[]; teams: string[] } | null> {
    return this.db.staffMember.findUnique({ where: { subject }, select: { roles: true, teams: true } });
  }

  /** Creates or replaces a staff member; answers whether it was created. */
  async put(subject: string, body: PutStaffMemberBody, by: string): Promise<{ created: boolean; member: StaffMemberDto }> {
    const teams = body.teams ?? [];
    if (teams.length > 0) {
      const known = await this.db.team.findMany({ where: { key: { in: teams } }, select: { key: true } });
      const unknown = teams.filter((t) => !known.some((k) => k.key === t));
      if (unknown.length > 0) {
        throw new DomainError('validation-failed', `Unknown team '${unknown[0]}'.`, {
          errors: unknown.map((t) => ({ in: 'body', path: `/teams/${teams.indexOf(t)}`, message: 'unknown team' })),
        });
      }
    }
    const data = { name: body.name ?? null, roles: [...body.roles], teams, updatedBy: by, updatedAt: this.clock.now() };
    const existing = await this.db.staffMember.findUnique({ where: { subject }, select: { subject: true } });
    const row = await this.db.staffMember.upsert({ where: { subject }, create: { subject, ...data }, update: data });
    return { created: !existing, member: toDto(row) };
  }

  async remove(subject: string): Promise<void> {
    const { count } = await this.db.staffMember.deleteMany({ where: { subject } });
    if (count === 0) throw new DomainError('not-found', `No staff member '${subject}'.`);
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
