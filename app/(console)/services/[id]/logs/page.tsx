import type { Metadata } from 'next';
import { getQueryClient, HydrateClient, loadOrNotFound, trpc } from '@/server/api/rsc';
import { LogsClient } from './client';

type Props = { params: Promise<{ id: string }> };

export const metadata: Metadata = { title: 'Logs' };

export default async function LogsPage({ params }: Props) {
  const { id } = await params;
  await loadOrNotFound(id, () =>
    getQueryClient().fetchQuery({ ...trpc.services.get.queryOptions({ serviceId: id }), retry: false }),
  );
  return (
    <HydrateClient>
      <LogsClient serviceId={id} />
    </HydrateClient>
  );
}
