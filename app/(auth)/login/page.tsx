import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { safeNext } from '@/components/auth/safe-next';
import { authStatus } from '@/server/api/rsc';
import { LoginClient } from './client';

export const metadata: Metadata = { title: 'Sign in' };

export default async function LoginPage({
  searchParams,
}: {
  searchParams: Promise<{ next?: string | string[] }>;
}) {
  const next = safeNext((await searchParams).next);
  const status = await authStatus();
  if (status.needsSetup) redirect('/setup');
  if (status.user) redirect(next);
  return <LoginClient next={next} />;
}
