import type { Metadata } from 'next';
import { getQueryClient, HydrateClient, loadOrNotFound, prefetch, trpc } from '@/server/api/rsc';
import { serviceEventsInput } from '@/components/activity/event-inputs';
import { ServiceClient } from './client';

type Props = { params: Promise<{ id: string }> };

/** The service, or the not-found page when the id names none. Cached per request, so metadata reuses it. */
const loadService = (id: string) =>
  loadOrNotFound(id, () =>
    getQueryClient().fetchQuery({ ...trpc.services.get.queryOptions({ serviceId: id }), retry: false }),
  );

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
