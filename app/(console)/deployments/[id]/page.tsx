import { TRPCError } from '@trpc/server';
import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { getQueryClient, HydrateClient, trpc } from '@/server/api/rsc';
import { DeploymentClient } from './client';

type Props = { params: Promise<{ id: string }> };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function loadDeployment(id: string) {
  if (!UUID.test(id)) notFound();
  try {
    return await getQueryClient().fetchQuery({
      ...trpc.services.deployment.queryOptions({ deploymentId: id }),
      retry: false,
    });
  } catch (err) {
    if (err instanceof TRPCError && (err.code === 'NOT_FOUND' || err.code === 'BAD_REQUEST')) notFound();
    throw err;
  }
}

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
