'use client';

import type { Deployment } from '@/components/router-types';
import { useTRPC } from '@/components/trpc/provider';
import { ServiceActionButton, ServiceActionDialog, useServiceAction } from './service-action';

/** Stops a running deployment (the service returns to its last stable revision) or drops a queued one. */
export function CancelDeploymentButton({
  deployment,
  disabledReason,
}: {
  deployment: Deployment;
  disabledReason: string | null;
}) {
  const trpc = useTRPC();
  const cancel = useServiceAction(trpc.services.cancel);
  const queued = deployment.status === 'queued';
  return (
    <>
      <ServiceActionButton action={cancel} disabledReason={disabledReason}>
        {queued ? 'Remove from queue' : 'Cancel deployment'}
      </ServiceActionButton>
      <ServiceActionDialog
        action={cancel}
        onConfirm={() => cancel.mutate({ deploymentId: deployment.id, reason: cancel.reason })}
        title={
          queued
            ? `Drop the queued deployment of r${deployment.toRevision}?`
            : `Cancel the deployment of r${deployment.toRevision}?`
        }
        description={
          queued
            ? 'It never starts. The running deployment is not affected.'
            : 'New replicas stop and the service returns to its last stable revision, whose replicas are still serving.'
        }
        confirmLabel={queued ? 'Remove from queue' : 'Cancel deployment'}
        tone="danger"
        reasonHint="Shown in the deployment history."
      />
    </>
  );
}
