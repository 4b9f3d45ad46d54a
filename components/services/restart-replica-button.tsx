'use client';

import type { Replica } from '@/components/router-types';
import { useTRPC } from '@/components/trpc/provider';
import { RotateCcwIcon } from '@/components/ui/icons';
import { ServiceActionButton, ServiceActionDialog, useServiceAction } from './service-action';

type Props = {
  serviceId: string;
  replica: Pick<Replica, 'id' | 'name'>;
  disabledReason: string | null;
};

/** Replaces one replica: drained, stopped, started again and let into traffic once healthy. */
export function RestartReplicaButton({ serviceId, replica, disabledReason }: Props) {
  const trpc = useTRPC();
  const restart = useServiceAction(trpc.services.restartReplica);

  return (
    <>
      <ServiceActionButton
        action={restart}
        disabledReason={disabledReason}
        variant="ghost"
        aria-label={`Restart ${replica.name}`}
      >
        <RotateCcwIcon className="size-3" />
        Restart
      </ServiceActionButton>
      <ServiceActionDialog
        action={restart}
        onConfirm={() => restart.mutate({ serviceId, containerId: replica.id, reason: restart.reason })}
        title={`Restart ${replica.name}?`}
        description="It is drained and stopped, and a fresh container of the same revision takes its place once healthy. The other replicas keep serving."
        confirmLabel="Restart replica"
        reasonHint="Shown in the activity log."
        reasonPlaceholder="e.g. stuck worker thread"
      />
    </>
  );
}
