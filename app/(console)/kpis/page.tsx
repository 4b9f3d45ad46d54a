import type { Metadata } from 'next';
import { HydrateClient, prefetch, trpc } from '@/server/api/rsc';
import { DEFAULT_WEEKS } from '@/components/metrics/kpi-weeks';
import { KpisClient } from './client';

export const metadata: Metadata = { title: 'KPIs' };

export default async function KpisPage() {
  await Promise.all([
    // The shell's status banner reads the service list.
    prefetch(trpc.services.list.queryOptions()),
    prefetch(trpc.metrics.dora.queryOptions({ weeks: DEFAULT_WEEKS })),
  ]);
  return (
    <HydrateClient>
      <KpisClient />
    </HydrateClient>
  );
}
