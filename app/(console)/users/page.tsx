import type { Metadata } from 'next';
import { AdminOnly } from '@/components/auth/admin-only';
import { authStatus, HydrateClient, prefetch, trpc } from '@/server/api/rsc';
import { UsersClient } from './client';

export const metadata: Metadata = { title: 'Users' };

export default async function UsersPage() {
  const status = await authStatus();
  if (status.user?.role !== 'admin') return <AdminOnly title="Users" />;
  await prefetch(trpc.users.list.queryOptions());
  return (
    <HydrateClient>
      <UsersClient />
    </HydrateClient>
  );
}
