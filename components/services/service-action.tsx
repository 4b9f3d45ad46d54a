'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { DecorateMutationProcedure, ResolverDef } from '@trpc/tanstack-react-query';
import { useState, type ComponentProps, type ReactNode } from 'react';
import { errorMessage } from '@/components/errors/describe-error';
import { useTRPC } from '@/components/trpc/provider';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { Field } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { DisabledReason } from '@/components/ui/tooltip';

/** What the dialog needs of an action: whether it is open, its reason, and how the call went. */
type ServiceActionState = {
  open: boolean;
  close: () => void;
  reason: string;
  setReason: (reason: string) => void;
  pending: boolean;
  error: string | null;
};

/**
 * An action on a service (scale, restart, redeploy, cancel) that a person confirms in a dialog, with an
 * optional reason for the history. `start` opens the dialog afresh; on success it closes, and the service
 * queries and the activity log are refetched.
 */
export function useServiceAction<TDef extends ResolverDef>(procedure: DecorateMutationProcedure<TDef>) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const mutation = useMutation(
    procedure.mutationOptions({
      onSuccess: async () => {
        setOpen(false);
        await Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.services.pathKey() }),
          queryClient.invalidateQueries({ queryKey: trpc.activity.events.pathKey() }),
        ]);
      },
    }),
  );
  return {
    open,
    close: () => setOpen(false),
    reason,
    setReason,
    pending: mutation.isPending,
    error: errorMessage(mutation.error),
    mutate: mutation.mutate,
    start: () => {
      mutation.reset();
      setReason('');
      setOpen(true);
    },
  };
}

/** Opens the action's dialog; while the action is not allowed, the button is disabled and says why. */
export function ServiceActionButton({
  action,
  disabledReason,
  variant = 'secondary',
  'aria-label': ariaLabel,
  children,
}: {
  action: { start: () => void };
  disabledReason: string | null;
  variant?: 'secondary' | 'ghost';
  'aria-label'?: string;
  children: ReactNode;
}) {
  return (
    <DisabledReason reason={disabledReason} align="end">
      <Button
        size="sm"
        variant={variant}
        aria-label={ariaLabel}
        disabled={disabledReason !== null}
        onClick={action.start}
      >
        {children}
      </Button>
    </DisabledReason>
  );
}

type DialogProps = Omit<ComponentProps<typeof ConfirmDialog>, 'open' | 'onClose' | 'pending' | 'error'> & {
  action: ServiceActionState;
  /** Where the reason shows up afterwards, e.g. "Shown in the activity log." */
  reasonHint: string;
  reasonPlaceholder?: string;
  /** Shown above the reason. */
  children?: ReactNode;
};

/** The confirmation of a service action: what happens, anything to read first, then the reason. */
export function ServiceActionDialog({
  action,
  reasonHint,
  reasonPlaceholder,
  children,
  ...confirm
}: DialogProps) {
  return (
    <ConfirmDialog
      {...confirm}
      open={action.open}
      onClose={action.close}
      pending={action.pending}
      error={action.error}
    >
      {children}
      <Field label="Reason" optional hint={reasonHint}>
        {(c) => (
          <Input
            {...c}
            value={action.reason}
            onChange={(e) => action.setReason(e.target.value)}
            placeholder={reasonPlaceholder}
          />
        )}
      </Field>
    </ConfirmDialog>
  );
}
