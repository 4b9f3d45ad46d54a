'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { errorMessage } from '@/components/errors/describe-error';
import type { Deployment } from '@/components/router-types';
import { useTRPC } from '@/components/trpc/provider';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { Field } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { DisabledReason } from '@/components/ui/tooltip';

/** Stops a running deployment (the service returns to its last stable revision) or drops a queued one. */
export function CancelDeploymentButton({
  deployment,
  disabledReason,
}: {
  deployment: Deployment;
  disabledReason: string | null;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const cancel = useMutation(
    trpc.services.cancel.mutationOptions({
      onSuccess: async () => {
        setOpen(false);
        await Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.services.pathKey() }),
          queryClient.invalidateQueries({ queryKey: trpc.activity.events.pathKey() }),
        ]);
      },
    }),
  );
  const queued = deployment.status === 'queued';
  return (
    <>
      <DisabledReason reason={disabledReason} align="end">
        <Button
          size="sm"
          variant="secondary"
          disabled={disabledReason !== null}
          onClick={() => {
            cancel.reset();
            setReason('');
            setOpen(true);
          }}
        >
          {queued ? 'Remove from queue' : 'Cancel deployment'}
        </Button>
      </DisabledReason>
      <ConfirmDialog
        open={open}
        onClose={() => setOpen(false)}
        onConfirm={() => cancel.mutate({ deploymentId: deployment.id, reason })}
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
        pending={cancel.isPending}
        error={errorMessage(cancel.error)}
      >
        <Field label="Reason" optional hint="Shown in the deployment history.">
          {(c) => <Input {...c} value={reason} onChange={(e) => setReason(e.target.value)} />}
        </Field>
      </ConfirmDialog>
    </>
  );
}
