import { Type, type Static } from 'typebox';
import { DateTimeSchema } from './common';

/** Roles an admin grants in the staff table; requester is implicit for everyone authenticated. */
export const GRANTABLE_ROLES = ['leader', 'operator', 'admin', 'integration'] as const;

const Subject = Type.String({
  minLength: 1,
  maxLength: 255,
  pattern: '^[^\\s/]+$',
  description: "The token's `sub` (Feide user id, or an integration's client id)",
});
export const SubjectParamsSchema = Type.Object({ subject: Subject }, { additionalProperties: false });

export const StaffMemberSchema = Type.Object(
  {
    subject: Type.String(),
    name: Type.Union([Type.String(), Type.Null()]),
    roles: Type.Array(Type.Enum(GRANTABLE_ROLES)),
    teams: Type.Array(Type.String()),
    updatedBy: Type.String(),
    updatedAt: DateTimeSchema,
  },
  { title: 'StaffMember' },
);
export type StaffMemberDto = Static<typeof StaffMemberSchema>;

export const PutStaffMemberSchema = Type.Object(
  {
    name: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 200 }), Type.Null()])),
    roles: Type.Array(Type.Enum(GRANTABLE_ROLES), { uniqueItems: true, maxItems: 4 }),
    teams: Type.Optional(
      Type.Array(Type.String({ pattern: '^[a-z][a-z0-9-]{0,63}$', maxLength: 64 }), { uniqueItems: true, maxItems: 50, description: 'team keys' }),
    ),
  },
  { title: 'PutStaffMemberRequest', additionalProperties: false },
);
export type PutStaffMemberBody = Static<typeof PutStaffMemberSchema>;

const EmployeeNumber = Type.String({ pattern: '^[0-9]{1,12}$', maxLength: 12, description: 'ansattnummer' });

export const PersonSchema = Type.Object(
  {
    subject: Type.String(),
    name: Type.Union([Type.String(), Type.Null()]),
    employeeNumber: Type.Union([Type.String(), Type.Null()]),
    email: Type.Union([Type.String(), Type.Null()]),
    updatedAt: DateTimeSchema,
  },
  { title: 'Person' },
);
export type PersonDto = Static<typeof PersonSchema>;

export const PutPersonSchema = Type.Object(
  {
    name: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 200 }), Type.Null()])),
    employeeNumber: Type.Optional(Type.Union([EmployeeNumber, Type.Null()])),
    email: Type.Optional(Type.Union([Type.String({ format: 'email', maxLength: 320 }), Type.Null()])),
  },
  { title: 'PutPersonRequest', additionalProperties: false },
);
export type PutPersonBody = Static<typeof PutPersonSchema>;

export const TeamMemberSchema = Type.Object({ subject: Type.String(), name: Type.Union([Type.String(), Type.Null()]) }, { title: 'TeamMember' });
export type TeamMemberDto = Static<typeof TeamMemberSchema>;

export const MeSchema = Type.Object(
  {
    subject: Type.String(),
    name: Type.Union([Type.String(), Type.Null()]),
    roles: Type.Array(Type.String()),
    teams: Type.Array(Type.String()),
    scopes: Type.Array(Type.String()),
    employeeNumber: Type.Union([Type.String(), Type.Null()]),
  },
  { title: 'Me' },
);
