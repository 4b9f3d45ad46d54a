import { TRPCError } from '@trpc/server';
import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { getQueryClient, HydrateClient, prefetch, trpc } from '@/server/api/rsc';
import { serviceEventsInput } from '@/components/activity/event-inputs';
import { ServiceClient } from './client';

type Props = { params: Promise<{ id: string }> };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The service, or the not-found page when the id names none. Cached per request, so metadata reuses it. */
async function loadService(id: string) {
  if (!UUID.test(id)) notFound();
  try {
    return await getQueryClient().fetchQuery({
      ...trpc.services.get.queryOptions({ serviceId: id }),
      retry: false,
    });
  } catch (err) {
    if (err instanceof TRPCError && (err.code === 'NOT_FOUND' || err.code === 'BAD_REQUEST')) notFound();
    throw err;
  }
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { id } = await params;
  const data = await loadService(id).catch(() => null);
  return { title: data?.service.name ?? 'Service' };
}

export default async function ServicePage({ params }: Props) {
  const { id } = await params;
  await Promise.all([loadService(id), prefetch(trpc.activity.events.queryOptions(serviceEventsInput(id)))]);
  return (
    <HydrateClient>
      <ServiceClient serviceId={id} />
    </HydrateClient>
  );
}
