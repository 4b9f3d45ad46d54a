import type { Metadata } from 'next';
import { getQueryClient, HydrateClient, prefetch, trpc } from '@/server/api/rsc';
import { UptimeClient } from './client';

export const metadata: Metadata = { title: 'Uptime' };

export default async function UptimePage() {
  const [uptime] = await Promise.all([
    getQueryClient().fetchQuery(trpc.metrics.uptime.queryOptions({})),
    // The shell's status banner reads the service list.
    prefetch(trpc.services.list.queryOptions()),
  ]);
  await Promise.all(
    uptime.services.map((s) => prefetch(trpc.metrics.slo.queryOptions({ serviceId: s.serviceId }))),
  );
  return (
    <HydrateClient>
      <UptimeClient />
    </HydrateClient>
  );
}
