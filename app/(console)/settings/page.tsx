import type { Metadata } from 'next';
import { AdminOnly } from '@/components/auth/admin-only';
import { authStatus, HydrateClient, prefetch, trpc } from '@/server/api/rsc';
import { SettingsClient } from './client';

export const metadata: Metadata = { title: 'Settings' };

export default async function SettingsPage() {
  const status = await authStatus();
  if (status.user?.role !== 'admin') return <AdminOnly title="Settings" />;
  await Promise.all([
    prefetch(trpc.registries.list.queryOptions()),
    prefetch(trpc.metrics.scrapeAccess.queryOptions()),
  ]);
  return (
    <HydrateClient>
      <SettingsClient />
    </HydrateClient>
  );
}
