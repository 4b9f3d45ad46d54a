import type { ReactNode } from 'react';
import { redirect } from 'next/navigation';
import { SessionProvider } from '@/components/auth/session';
import { AppShell } from '@/components/layout/app-shell';
import { RedirectToLogin } from '@/components/layout/redirect-to-login';
import { authStatus } from '@/server/api/rsc';

export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const status = await authStatus();
  if (status.needsSetup) redirect('/setup');
  if (!status.user) return <RedirectToLogin />;
  return (
    <SessionProvider user={status.user}>
      <AppShell>{children}</AppShell>
    </SessionProvider>
  );
}
