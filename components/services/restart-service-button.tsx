'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { errorMessage } from '@/components/errors/describe-error';
import { useTRPC } from '@/components/trpc/provider';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { Field } from '@/components/ui/field';
import { RotateCcwIcon } from '@/components/ui/icons';
import { Input } from '@/components/ui/input';
import { DisabledReason } from '@/components/ui/tooltip';

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
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const restart = useMutation(
    trpc.services.restart.mutationOptions({
      onSuccess: async () => {
        setOpen(false);
        await Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.services.pathKey() }),
          queryClient.invalidateQueries({ queryKey: trpc.activity.events.pathKey() }),
        ]);
      },
    }),
  );
  const reasonDisabled =
    disabledReason ?? (desired === 0 ? `Nothing to restart: ${serviceName} is scaled to zero.` : null);

  return (
    <>
      <DisabledReason reason={reasonDisabled} align="end">
        <Button
          size="sm"
          variant="secondary"
          disabled={reasonDisabled !== null}
          onClick={() => {
            restart.reset();
            setReason('');
            setOpen(true);
          }}
        >
          <RotateCcwIcon className="size-3" />
          Restart
        </Button>
      </DisabledReason>
      <ConfirmDialog
        open={open}
        onClose={() => setOpen(false)}
        onConfirm={() => restart.mutate({ serviceId, reason })}
        title={`Restart every replica of ${serviceName}?`}
        description="A rolling restart: each replica is replaced by a fresh one of the same revision, one at a time. A new replica joins traffic once healthy and an old one is drained before it stops, so the service keeps serving."
        confirmLabel="Restart"
        pending={restart.isPending}
        error={errorMessage(restart.error)}
      >
        <Field label="Reason" optional hint="Shown in the deployment history.">
          {(c) => (
            <Input
              {...c}
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              placeholder="e.g. pick up rotated certificates"
            />
          )}
        </Field>
      </ConfirmDialog>
    </>
  );
}
