'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { errorMessage } from '@/components/errors/describe-error';
import type { Replica } from '@/components/router-types';
import { useTRPC } from '@/components/trpc/provider';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { Field } from '@/components/ui/field';
import { RotateCcwIcon } from '@/components/ui/icons';
import { Input } from '@/components/ui/input';
import { DisabledReason } from '@/components/ui/tooltip';

type Props = {
  serviceId: string;
  replica: Pick<Replica, 'id' | 'name'>;
  disabledReason: string | null;
};

/** Replaces one replica: drained, stopped, started again and let into traffic once healthy. */
export function RestartReplicaButton({ serviceId, replica, disabledReason }: Props) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const restart = useMutation(
    trpc.services.restartReplica.mutationOptions({
      onSuccess: async () => {
        setOpen(false);
        await Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.services.pathKey() }),
          queryClient.invalidateQueries({ queryKey: trpc.activity.events.pathKey() }),
        ]);
      },
    }),
  );

  return (
    <>
      <DisabledReason reason={disabledReason} align="end">
        <Button
          size="sm"
          variant="ghost"
          aria-label={`Restart ${replica.name}`}
          disabled={disabledReason !== null}
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
        onConfirm={() => restart.mutate({ serviceId, containerId: replica.id, reason })}
        title={`Restart ${replica.name}?`}
        description="It is drained and stopped, and a fresh container of the same revision takes its place once healthy. The other replicas keep serving."
        confirmLabel="Restart replica"
        pending={restart.isPending}
        error={errorMessage(restart.error)}
      >
        <Field label="Reason" optional hint="Shown in the activity log.">
          {(c) => (
            <Input
              {...c}
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              placeholder="e.g. stuck worker thread"
            />
          )}
        </Field>
      </ConfirmDialog>
    </>
  );
}
