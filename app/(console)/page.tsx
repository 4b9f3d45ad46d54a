import type { Metadata } from 'next';
import { HydrateClient, prefetch, trpc } from '@/server/api/rsc';
import { OverviewClient } from './client';

export const metadata: Metadata = { title: 'Overview' };

export default async function OverviewPage() {
  await Promise.all([
    prefetch(trpc.services.list.queryOptions()),
    prefetch(trpc.metrics.sparklines.queryOptions()),
  ]);
  return (
    <HydrateClient>
      <OverviewClient />
    </HydrateClient>
  );
}
