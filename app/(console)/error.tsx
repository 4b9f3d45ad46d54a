'use client';

import { useEffect } from 'react';
import { describeError } from '@/components/errors/describe-error';
import { Button, ButtonLink } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { AlertTriangleIcon } from '@/components/ui/icons';

export default function ConsoleError({
  error,
  reset,
}: {
  error: Error & { digest?: string };
  reset: () => void;
}) {
  useEffect(() => {
    console.error(error);
  }, [error]);
  const { message, code } = describeError(error);
  const signedOut = code === 'UNAUTHORIZED';
  return (
    <Card>
      <EmptyState
        icon={<AlertTriangleIcon className="size-5 text-red-500" />}
        title={signedOut ? 'You are signed out' : 'This page could not be loaded'}
        description={
          <>
            {message}
            {error.digest && (
              <span className="mt-1 block font-mono text-xs text-zinc-400">Reference {error.digest}</span>
            )}
          </>
        }
        action={
          signedOut ? (
            <ButtonLink href="/login" variant="primary">
              Sign in
            </ButtonLink>
          ) : (
            <div className="flex gap-2">
              <Button variant="primary" onClick={reset}>
                Try again
              </Button>
              <ButtonLink href="/">Go to overview</ButtonLink>
            </div>
          )
        }
      />
    </Card>
  );
}
