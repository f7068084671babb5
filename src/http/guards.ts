import type { FastifyRequest } from 'fastify';
import { DomainError } from '../domain/errors';
import type { Principal } from '../domain/roles';
import { requirePrincipal } from '../plugins/auth';

/** The caller, who must be an admin (or an integration granted `admin`). */
export function requireAdmin(request: FastifyRequest): Principal {
  const p = requirePrincipal(request);
  if (p.roles.includes('admin') || (p.roles.includes('integration') && p.scopes.includes('admin'))) return p;
  throw new DomainError('forbidden', 'Administrators only.');
}

/** The caller, who must be staff that reads cases broadly (operator, admin, integration). */
export function requireStaffReader(request: FastifyRequest): Principal {
  const p = requirePrincipal(request);
  if (p.roles.includes('admin') || p.roles.includes('operator') || p.roles.includes('integration')) return p;
  throw new DomainError('forbidden', 'Staff only.');
}
