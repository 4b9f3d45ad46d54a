'use client';

import { useState, type ReactNode } from 'react';
import { Alert } from './alert';
import { Button } from './button';
import { Dialog } from './dialog';
import { Field } from './field';
import { Input } from './input';

type ConfirmDialogProps = {
  open: boolean;
  onClose: () => void;
  onConfirm: () => void;
  title: ReactNode;
  description?: ReactNode;
  children?: ReactNode;
  confirmLabel: string;
  tone?: 'primary' | 'danger';
  pending?: boolean;
  error?: string | null;
  /** When set, the person types this exact text before the confirm button unlocks. */
  confirmText?: string;
};

export function ConfirmDialog(props: ConfirmDialogProps) {
  return (
    <Dialog open={props.open} onClose={props.onClose} title={props.title} description={props.description}>
      {props.open && <ConfirmBody {...props} />}
    </Dialog>
  );
}

function ConfirmBody({
  onClose,
  onConfirm,
  children,
  confirmLabel,
  tone = 'primary',
  pending,
  error,
  confirmText,
}: ConfirmDialogProps) {
  const [typed, setTyped] = useState('');
  const locked = confirmText !== undefined && typed.trim() !== confirmText;
  return (
    <form
      className="space-y-4"
      onSubmit={(e) => {
        e.preventDefault();
        if (!locked && !pending) onConfirm();
      }}
    >
      {children}
      {confirmText !== undefined && (
        <Field
          label={
            <>
              Type{' '}
              <span className="font-mono font-semibold text-zinc-900 dark:text-zinc-100">{confirmText}</span>{' '}
              to confirm
            </>
          }
        >
          {(control) => (
            <Input
              {...control}
              value={typed}
              onChange={(e) => setTyped(e.target.value)}
              autoComplete="off"
              spellCheck={false}
              autoFocus
            />
          )}
        </Field>
      )}
      {error && <Alert>{error}</Alert>}
      <div className="-mx-5 -mb-4 flex items-center justify-end gap-2 border-t border-zinc-200 bg-zinc-50 px-5 py-3 dark:border-zinc-800 dark:bg-zinc-900/80">
        <Button onClick={onClose} disabled={pending}>
          Cancel
        </Button>
        <Button
          type="submit"
          variant={tone === 'danger' ? 'danger' : 'primary'}
          loading={pending}
          disabled={locked}
          autoFocus={confirmText === undefined}
        >
          {confirmLabel}
        </Button>
      </div>
    </form>
  );
}
