import type { Metadata } from 'next';
import { getQueryClient, HydrateClient, loadOrNotFound, trpc } from '@/server/api/rsc';
import { DeploymentClient } from './client';

type Props = { params: Promise<{ id: string }> };

const loadDeployment = (id: string) =>
  loadOrNotFound(id, () =>
    getQueryClient().fetchQuery({
      ...trpc.services.deployment.queryOptions({ deploymentId: id }),
      retry: false,
    }),
  );

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { id } = await params;
  const data = await loadDeployment(id).catch(() => null);
  return { title: data ? `${data.service.name} r${data.deployment.toRevision}` : 'Deployment' };
}

export default async function DeploymentPage({ params }: Props) {
  const { id } = await params;
  await loadDeployment(id);
  return (
    <HydrateClient>
      <DeploymentClient deploymentId={id} />
    </HydrateClient>
  );
}
