import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { HydrateClient, prefetch, trpc } from '@/server/api/rsc';
import { LogsClient } from './client';

type Props = { params: Promise<{ id: string }> };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const metadata: Metadata = { title: 'Logs' };

export default async function LogsPage({ params }: Props) {
  const { id } = await params;
  if (!UUID.test(id)) notFound();
  await prefetch(trpc.services.get.queryOptions({ serviceId: id }));
  return (
    <HydrateClient>
      <LogsClient serviceId={id} />
    </HydrateClient>
  );
}
