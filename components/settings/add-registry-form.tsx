'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { describeError } from '@/components/errors/describe-error';
import { useTRPC } from '@/components/trpc/provider';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { PlusIcon } from '@/components/ui/icons';
import { Input } from '@/components/ui/input';

const EMPTY = { host: '', username: '', password: '' };

/** Saves credentials for one registry host; the password is sealed on the server and never shown again. */
export function AddRegistryForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [form, setForm] = useState(EMPTY);
  const [saved, setSaved] = useState<string | null>(null);
  const save = useMutation(
    trpc.registries.save.mutationOptions({
      onSuccess: async (row) => {
        setSaved(row.host);
        setForm(EMPTY);
        await queryClient.invalidateQueries({ queryKey: trpc.registries.list.queryKey() });
      },
    }),
  );
  const error = save.error ? describeError(save.error) : null;
  const set = (k: keyof typeof EMPTY) => (e: React.ChangeEvent<HTMLInputElement>) => {
    setSaved(null);
    setForm((f) => ({ ...f, [k]: e.target.value }));
  };
  return (
    <form
      noValidate
      className="space-y-4"
      aria-label="Add registry credentials"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate(form);
      }}
    >
      {error && (
        <Alert>{error.code === 'BAD_REQUEST' ? 'Check the highlighted fields.' : error.message}</Alert>
      )}
      {saved && <Alert tone="success">Saved credentials for {saved}.</Alert>}
      <div className="grid gap-4 sm:grid-cols-3">
        <Field
          label="Registry host"
          hint="e.g. ghcr.io or localhost:5000"
          error={error?.fieldErrors.host?.[0]}
        >
          {(c) => (
            <Input
              {...c}
              value={form.host}
              onChange={set('host')}
              className="font-mono text-xs"
              spellCheck={false}
              autoComplete="off"
            />
          )}
        </Field>
        <Field label="Username" error={error?.fieldErrors.username?.[0]}>
          {(c) => <Input {...c} value={form.username} onChange={set('username')} autoComplete="off" />}
        </Field>
        <Field label="Password or token" error={error?.fieldErrors.password?.[0]}>
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
      </div>
      <div className="flex justify-end">
        <Button type="submit" variant="primary" loading={save.isPending}>
          <PlusIcon className="size-3.5" /> Add credentials
        </Button>
      </div>
    </form>
  );
}
