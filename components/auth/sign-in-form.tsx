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

export function SignInForm({ next }: { next: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const signIn = useMutation(
    trpc.auth.signIn.mutationOptions({
      // The console layout renders on the server with the new session cookie.
      onSuccess: () => {
        // Nothing cached from an earlier session in this tab may show to this one.
        queryClient.removeQueries();
        router.replace(next);
      },
    }),
  );
  const error = signIn.error ? describeError(signIn.error) : null;
  // A wrong password is UNAUTHORIZED; say it the way the server does, not "session ended".
  const message = error?.code === 'UNAUTHORIZED' ? 'Email or password is wrong.' : error?.message;

  return (
    <form
      className="space-y-4"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        signIn.mutate({ email, password });
      }}
    >
      {message && <Alert>{message}</Alert>}
      <Field label="Email" error={error?.fieldErrors.email?.[0]}>
        {(control) => (
          <Input
            {...control}
            type="email"
            name="email"
            autoComplete="username"
            required
            autoFocus
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        )}
      </Field>
      <Field label="Password" error={error?.fieldErrors.password?.[0]}>
        {(control) => (
          <Input
            {...control}
            type="password"
            name="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        )}
      </Field>
      <Button
        type="submit"
        variant="primary"
        size="lg"
        className="w-full"
        loading={signIn.isPending || signIn.isSuccess}
      >
        Sign in
      </Button>
    </form>
  );
}
