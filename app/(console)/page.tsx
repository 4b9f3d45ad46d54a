import type { Metadata } from 'next';
import { HydrateClient, prefetch, trpc } from '@/server/api/rsc';
import { OverviewClient } from './client';

export const metadata: Metadata = { title: 'Overview' };

export default async function OverviewPage() {
  await prefetch(trpc.services.list.queryOptions());
  return (
    <HydrateClient>
      <OverviewClient />
    </HydrateClient>
  );
}
