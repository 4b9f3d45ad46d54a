'use client';

import { createContext, useContext, type ReactNode } from 'react';
import type { SessionUser } from '@/components/router-types';

const SessionContext = createContext<SessionUser | null>(null);

export function SessionProvider({ user, children }: { user: SessionUser; children: ReactNode }) {
  return <SessionContext.Provider value={user}>{children}</SessionContext.Provider>;
}

/** The signed-in user; the console layout only renders pages once there is one. */
export function useSessionUser(): SessionUser {
  const user = useContext(SessionContext);
  if (!user) throw new Error('useSessionUser needs the console layout');
  return user;
}
