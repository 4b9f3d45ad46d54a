'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { errorMessage } from '@/components/errors/describe-error';
import type { Revision, ServiceSpecView } from '@/components/router-types';
import { useTRPC } from '@/components/trpc/provider';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { Field } from '@/components/ui/field';
import { RotateCcwIcon } from '@/components/ui/icons';
import { Input } from '@/components/ui/input';
import { DisabledReason } from '@/components/ui/tooltip';
import { changeLines, diffSpecs } from '@/server/services/service/spec-diff';

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
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const redeploy = useMutation(
    trpc.services.redeploy.mutationOptions({
      onSuccess: async () => {
        setOpen(false);
        await Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.services.pathKey() }),
          queryClient.invalidateQueries({ queryKey: trpc.activity.events.pathKey() }),
        ]);
      },
    }),
  );

  const isOlder = currentRevision !== null && revision.number < currentRevision;
  const label = isOlder ? 'Roll back to this' : 'Deploy this';
  const title = isOlder
    ? `Roll back ${serviceName} to revision ${revision.number}?`
    : `Deploy revision ${revision.number} of ${serviceName}?`;
  const changes = changeLines(diffSpecs(currentSpec, revision.spec));

  return (
    <>
      <DisabledReason reason={disabledReason} align="end">
        <Button
          size="sm"
          variant="secondary"
          disabled={disabledReason !== null}
          onClick={() => {
            redeploy.reset();
            setReason('');
            setOpen(true);
          }}
        >
          <RotateCcwIcon className="size-3" />
          {label}
        </Button>
      </DisabledReason>
      <ConfirmDialog
        open={open}
        onClose={() => setOpen(false)}
        onConfirm={() => redeploy.mutate({ serviceId, revision: revision.number, reason })}
        title={title}
        description="Replicas of this revision start next to the current ones; the current ones stop only once the new ones are healthy. The replica count stays as it is."
        confirmLabel={label}
        pending={redeploy.isPending}
        error={errorMessage(redeploy.error)}
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
        <Field label="Reason" optional hint="Shown in the deployment history.">
          {(c) => (
            <Input
              {...c}
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              placeholder={isOlder ? 'e.g. r4 returns 500s' : ''}
            />
          )}
        </Field>
      </ConfirmDialog>
    </>
  );
}
