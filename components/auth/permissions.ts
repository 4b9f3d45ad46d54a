import type { Role, SessionUser } from '@/components/router-types';

// Mirrors server/services/auth/policy.ts so controls can explain themselves; the server still decides.
const RANK: Record<Role, number> = { viewer: 0, developer: 1, operator: 2, admin: 3 };

export function roleAtLeast(role: Role, min: Role): boolean {
  return RANK[role] >= RANK[min];
}

/** Why this person may not create services, or null when they may. */
export function cannotCreateReason(user: SessionUser): string | null {
  return roleAtLeast(user.role, 'developer') ? null : 'Viewers can look but not change anything.';
}

/** Why this person may not change (deploy, roll back, delete) the service, or null when they may. */
export function cannotChangeReason(
  user: SessionUser,
  service: { ownerId: string | null; protected: boolean; name: string },
): string | null {
  if (roleAtLeast(user.role, 'operator')) return null;
  if (user.role === 'developer') {
    if (service.ownerId === user.id || !service.protected) return null;
    return `${service.name} is protected: only its owner, operators and admins can change it.`;
  }
  return 'Viewers can look but not change anything.';
}
