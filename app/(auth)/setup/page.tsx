import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { serverCaller } from '@/server/api/rsc';
import { SetupClient } from './client';

export const metadata: Metadata = { title: 'Set up' };

export default async function SetupPage() {
  const status = await (await serverCaller()).auth.status();
  if (!status.needsSetup) redirect('/login');
  return <SetupClient />;
}
