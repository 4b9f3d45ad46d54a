'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { describeError } from '@/components/errors/describe-error';
import type { Role } from '@/components/router-types';
import { useTRPC } from '@/components/trpc/provider';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { Field } from '@/components/ui/field';
import { PlusIcon } from '@/components/ui/icons';
import { Input } from '@/components/ui/input';
import { Select } from '@/components/ui/select';
import { ROLE_OPTIONS } from './roles';

function CreateUserForm({ onDone }: { onDone: (email: string) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [form, setForm] = useState({ name: '', email: '', password: '', role: 'developer' as Role });
  const create = useMutation(
    trpc.users.create.mutationOptions({
      onSuccess: async (user) => {
        await queryClient.invalidateQueries({ queryKey: trpc.users.list.queryKey() });
        onDone(user.email);
      },
    }),
  );
  const error = create.error ? describeError(create.error) : null;
  const fieldError = (k: string) => error?.fieldErrors[k]?.[0];
  const set = (k: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) =>
    setForm((f) => ({ ...f, [k]: e.target.value }));

  return (
    <form
      noValidate
      className="space-y-4"
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate(form);
      }}
    >
      {error && (
        <Alert>{error.code === 'BAD_REQUEST' ? 'Check the highlighted fields.' : error.message}</Alert>
      )}
      <Field label="Name" error={fieldError('name')}>
        {(c) => <Input {...c} value={form.name} onChange={set('name')} autoFocus autoComplete="off" />}
      </Field>
      <Field label="Email" error={fieldError('email')}>
        {(c) => <Input {...c} type="email" value={form.email} onChange={set('email')} autoComplete="off" />}
      </Field>
      <Field
        label="Initial password"
        hint="At least 10 characters. Share it with them privately."
        error={fieldError('password')}
      >
        {(c) => (
          <Input
            {...c}
            type="password"
            value={form.password}
            onChange={set('password')}
            autoComplete="new-password"
          />
        )}
      </Field>
      <Field
        label="Role"
        hint={ROLE_OPTIONS.find((r) => r.value === form.role)?.description}
        error={fieldError('role')}
      >
        {(c) => (
          <Select {...c} value={form.role} onChange={set('role')}>
            {ROLE_OPTIONS.map((r) => (
              <option key={r.value} value={r.value}>
                {r.label}
              </option>
            ))}
          </Select>
        )}
      </Field>
      <div className="-mx-5 -mb-4 flex justify-end gap-2 border-t border-zinc-200 bg-zinc-50 px-5 py-3 dark:border-zinc-800 dark:bg-zinc-900/80">
        <Button type="submit" variant="primary" loading={create.isPending}>
          Create user
        </Button>
      </div>
    </form>
  );
}

export function CreateUserDialog({ onCreated }: { onCreated: (email: string) => void }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button variant="primary" onClick={() => setOpen(true)}>
        <PlusIcon className="size-3.5" /> New user
      </Button>
      <Dialog
        open={open}
        onClose={() => setOpen(false)}
        title="New user"
        description="They sign in with this email and password."
      >
        <CreateUserForm
          onDone={(email) => {
            setOpen(false);
            onCreated(email);
          }}
        />
      </Dialog>
    </>
  );
}
