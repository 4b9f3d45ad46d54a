'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { errorMessage } from '@/components/errors/describe-error';
import { useTRPC } from '@/components/trpc/provider';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { TrashIcon } from '@/components/ui/icons';
import { DisabledReason } from '@/components/ui/tooltip';

/** Deletes the service and stops its replicas, after the person types its name. */
export function DeleteServiceButton({
  serviceId,
  name,
  disabledReason,
}: {
  serviceId: string;
  name: string;
  disabledReason: string | null;
}) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const remove = useMutation(
    trpc.services.delete.mutationOptions({
      onSuccess: () => {
        router.replace('/');
        queryClient.removeQueries({ queryKey: trpc.services.get.queryKey({ serviceId }) });
        void queryClient.invalidateQueries({ queryKey: trpc.services.list.queryKey() });
      },
    }),
  );
  return (
    <>
      <DisabledReason reason={disabledReason}>
        <Button
          variant="danger-outline"
          disabled={disabledReason !== null}
          onClick={() => {
            remove.reset();
            setOpen(true);
          }}
        >
          <TrashIcon className="size-3.5" /> Delete service
        </Button>
      </DisabledReason>
      <ConfirmDialog
        open={open}
        onClose={() => setOpen(false)}
        onConfirm={() => remove.mutate({ serviceId })}
        title={`Delete ${name}?`}
        description="Its replicas stop and are removed, and its revisions, deployments and events are deleted. This cannot be undone."
        confirmLabel="Delete service"
        tone="danger"
        confirmText={name}
        pending={remove.isPending || remove.isSuccess}
        error={errorMessage(remove.error)}
      />
    </>
  );
}
