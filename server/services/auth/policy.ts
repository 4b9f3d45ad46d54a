import type { Role } from '@/db/schema';
import type { Actor } from '../context';
import { Forbidden } from '../errors';

const RANK: Record<Role, number> = { viewer: 0, developer: 1, operator: 2, admin: 3 };

export function roleAtLeast(role: Role, min: Role): boolean {
  return RANK[role] >= RANK[min];
}

export function assertRole(actor: Actor, min: Role): void {
  if (actor.kind === 'system') return;
  if (!roleAtLeast(actor.role, min))
    throw new Forbidden(`This needs the ${min} role; you are ${actor.role}.`);
}

/** Developers change services they own or that are not protected; operators and admins change any. */
export function assertCanChange(
  actor: Actor,
  service: { ownerId: string | null; protected: boolean; name: string },
) {
  if (actor.kind === 'system') return;
  if (roleAtLeast(actor.role, 'operator')) return;
  if (actor.role === 'developer' && (service.ownerId === actor.id || !service.protected)) return;
  if (actor.role === 'developer') {
    throw new Forbidden(`${service.name} is protected: only its owner, operators and admins can change it.`);
  }
  throw new Forbidden('Viewers can look but not change anything.');
}
