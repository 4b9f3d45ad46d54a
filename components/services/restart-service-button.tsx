'use client';

import { useTRPC } from '@/components/trpc/provider';
import { RotateCcwIcon } from '@/components/ui/icons';
import { ServiceActionButton, ServiceActionDialog, useServiceAction } from './service-action';

type Props = {
  serviceId: string;
  serviceName: string;
  /** The service's replica count: nothing to restart at 0. */
  desired: number;
  disabledReason: string | null;
};

/** A rolling restart: every replica replaced by a fresh one of the same revision, one at a time. */
export function RestartServiceButton({ serviceId, serviceName, desired, disabledReason }: Props) {
  const trpc = useTRPC();
  const restart = useServiceAction(trpc.services.restart);
  const reasonDisabled =
    disabledReason ?? (desired === 0 ? `Nothing to restart: ${serviceName} is scaled to zero.` : null);

  return (
    <>
      <ServiceActionButton action={restart} disabledReason={reasonDisabled}>
        <RotateCcwIcon className="size-3" />
        Restart
      </ServiceActionButton>
      <ServiceActionDialog
        action={restart}
        onConfirm={() => restart.mutate({ serviceId, reason: restart.reason })}
        title={`Restart every replica of ${serviceName}?`}
        description="A rolling restart: each replica is replaced by a fresh one of the same revision, one at a time. A new replica joins traffic once healthy and an old one is drained before it stops, so the service keeps serving."
        confirmLabel="Restart"
        reasonHint="Shown in the deployment history."
        reasonPlaceholder="e.g. pick up rotated certificates"
      />
    </>
  );
}
