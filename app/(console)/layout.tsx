import type { ReactNode } from 'react';
import { redirect } from 'next/navigation';
import { SessionProvider } from '@/components/auth/session';
import { AppShell } from '@/components/layout/app-shell';
import { RedirectToLogin } from '@/components/layout/redirect-to-login';
import { authStatus, HydrateClient, prefetch, trpc } from '@/server/api/rsc';

export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const status = await authStatus();
  if (status.needsSetup) redirect('/setup');
  if (!status.user) return <RedirectToLogin />;
  // The shell's status banner reads the service list. Hydrated here, above the page: a query the shell
  // made first (without data) would make the page's boundary defer its data to an effect, which never
  // runs while rendering on the server, and the page would fetch it again there.
  await prefetch(trpc.services.list.queryOptions());
  return (
    <SessionProvider user={status.user}>
      <HydrateClient>
        <AppShell>{children}</AppShell>
      </HydrateClient>
    </SessionProvider>
  );
}
