'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { describeError } from '@/components/errors/describe-error';
import { useTRPC } from '@/components/trpc/provider';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { Input } from '@/components/ui/input';

/** First run: the first admin. The server refuses once any user exists. */
export function SetupForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [form, setForm] = useState({ name: '', email: '', password: '', confirm: '' });
  const [mismatch, setMismatch] = useState(false);
  const setup = useMutation(
    trpc.auth.setup.mutationOptions({
      onSuccess: () => {
        // Nothing cached from an earlier session in this tab may show to this one.
        queryClient.removeQueries();
        router.replace('/');
      },
    }),
  );
  const error = setup.error ? describeError(setup.error) : null;
  const set = (key: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement>) =>
    setForm((f) => ({ ...f, [key]: e.target.value }));

  return (
    <form
      className="space-y-4"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        const differs = form.password !== form.confirm;
        setMismatch(differs);
        if (!differs) setup.mutate({ name: form.name, email: form.email, password: form.password });
      }}
    >
      {error && (
        <Alert>{error.code === 'BAD_REQUEST' ? 'Check the highlighted fields.' : error.message}</Alert>
      )}
      <Field label="Your name" error={error?.fieldErrors.name?.[0]}>
        {(control) => (
          <Input
            {...control}
            name="name"
            autoComplete="name"
            autoFocus
            value={form.name}
            onChange={set('name')}
          />
        )}
      </Field>
      <Field label="Email" error={error?.fieldErrors.email?.[0]}>
        {(control) => (
          <Input
            {...control}
            type="email"
            name="email"
            autoComplete="username"
            value={form.email}
            onChange={set('email')}
          />
        )}
      </Field>
      <Field label="Password" hint="At least 10 characters." error={error?.fieldErrors.password?.[0]}>
        {(control) => (
          <Input
            {...control}
            type="password"
            name="password"
            autoComplete="new-password"
            value={form.password}
            onChange={set('password')}
          />
        )}
      </Field>
      <Field label="Confirm password" error={mismatch ? 'Passwords do not match.' : null}>
        {(control) => (
          <Input
            {...control}
            type="password"
            name="confirm"
            autoComplete="new-password"
            value={form.confirm}
            onChange={set('confirm')}
          />
        )}
      </Field>
      <Button
        type="submit"
        variant="primary"
        size="lg"
        className="w-full"
        loading={setup.isPending || setup.isSuccess}
      >
        Create admin account
      </Button>
    </form>
  );
}
