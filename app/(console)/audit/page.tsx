import type { Metadata } from 'next';
import { auditInput, parseCursor } from '@/components/activity/event-inputs';
import { AdminOnly } from '@/components/auth/admin-only';
import { authStatus, HydrateClient, prefetch, trpc } from '@/server/api/rsc';
import { AuditClient } from './client';

export const metadata: Metadata = { title: 'Audit log' };

export default async function AuditPage({
  searchParams,
}: {
  searchParams: Promise<{ before?: string | string[] }>;
}) {
  const status = await authStatus();
  if (status.user?.role !== 'admin') return <AdminOnly title="Audit log" />;
  const before = parseCursor((await searchParams).before);
  await Promise.all([
    prefetch(trpc.activity.audit.queryOptions(auditInput(before))),
    prefetch(trpc.services.list.queryOptions()),
    prefetch(trpc.users.list.queryOptions()),
  ]);
  return (
    <HydrateClient>
      <AuditClient before={before} />
    </HydrateClient>
  );
}
