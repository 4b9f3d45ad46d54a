'use client';

import type { Revision, ServiceSpecView } from '@/components/router-types';
import { useTRPC } from '@/components/trpc/provider';
import { RotateCcwIcon } from '@/components/ui/icons';
import { changeLines, diffSpecs } from '@/server/services/service/spec-diff';
import { ServiceActionButton, ServiceActionDialog, useServiceAction } from './service-action';

type Props = {
  serviceId: string;
  serviceName: string;
  revision: Revision;
  currentRevision: number | null;
  currentSpec: ServiceSpecView | null;
  disabledReason: string | null;
};

/**
 * Deploys another existing revision again, usually a rollback to an older one. The current revision is not
 * deployed again but restarted (restart-service-button.tsx).
 */
export function RedeployButton({
  serviceId,
  serviceName,
  revision,
  currentRevision,
  currentSpec,
  disabledReason,
}: Props) {
  const trpc = useTRPC();
  const redeploy = useServiceAction(trpc.services.redeploy);

  const isOlder = currentRevision !== null && revision.number < currentRevision;
  const label = isOlder ? 'Roll back to this' : 'Deploy this';
  const title = isOlder
    ? `Roll back ${serviceName} to revision ${revision.number}?`
    : `Deploy revision ${revision.number} of ${serviceName}?`;
  const changes = changeLines(diffSpecs(currentSpec, revision.spec));

  return (
    <>
      <ServiceActionButton action={redeploy} disabledReason={disabledReason}>
        <RotateCcwIcon className="size-3" />
        {label}
      </ServiceActionButton>
      <ServiceActionDialog
        action={redeploy}
        onConfirm={() => redeploy.mutate({ serviceId, revision: revision.number, reason: redeploy.reason })}
        title={title}
        description="Replicas of this revision start next to the current ones; the current ones stop only once the new ones are healthy. The replica count stays as it is."
        confirmLabel={label}
        reasonHint="Shown in the deployment history."
        reasonPlaceholder={isOlder ? 'e.g. r4 returns 500s' : ''}
      >
        <div className="rounded-md border border-zinc-200 bg-zinc-50 p-3 dark:border-zinc-800 dark:bg-zinc-950/40">
          <p className="mb-1.5 text-xs font-medium text-zinc-500 dark:text-zinc-400">
            What changes (r{currentRevision ?? '—'} → r{revision.number})
          </p>
          {changes.length > 0 ? (
            <ul className="list-disc space-y-0.5 pl-4 font-mono text-xs" data-testid="redeploy-changes">
              {changes.map((c) => (
                <li key={c}>{c}</li>
              ))}
            </ul>
          ) : (
            <p className="text-xs">No visible change (secret values are not compared).</p>
          )}
        </div>
      </ServiceActionDialog>
    </>
  );
}
