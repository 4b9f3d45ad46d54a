import type { Metadata } from 'next';
import { activityInput, parseCursor } from '@/components/activity/event-inputs';
import { HydrateClient, prefetch, trpc } from '@/server/api/rsc';
import { ActivityClient } from './client';

export const metadata: Metadata = { title: 'Activity' };

export default async function ActivityPage({
  searchParams,
}: {
  searchParams: Promise<{ before?: string | string[] }>;
}) {
  const before = parseCursor((await searchParams).before);
  await Promise.all([
    prefetch(trpc.activity.events.queryOptions(activityInput(before))),
    prefetch(trpc.services.list.queryOptions()),
  ]);
  return (
    <HydrateClient>
      <ActivityClient before={before} />
    </HydrateClient>
  );
}
