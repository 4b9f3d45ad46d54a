import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { authStatus } from '@/server/api/rsc';
import { SetupClient } from './client';

export const metadata: Metadata = { title: 'Set up' };

export default async function SetupPage() {
  const status = await authStatus();
  if (!status.needsSetup) redirect('/login');
  return <SetupClient />;
}
