'use client';

import { useMutation } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useTRPC } from '@/components/trpc/provider';
import { cx } from '@/components/ui/class-names';
import { focusRing } from '@/components/ui/focus-ring';
import { LogOutIcon } from '@/components/ui/icons';
import { Spinner } from '@/components/ui/spinner';

export function SignOutButton({ className }: { className?: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const signOut = useMutation(
    trpc.auth.signOut.mutationOptions({
      onSettled: () => {
        // Refresh drops the router's cached pages of this session; sign-in clears the query cache.
        router.replace('/login');
        router.refresh();
      },
    }),
  );
  return (
    <button
      type="button"
      onClick={() => signOut.mutate()}
      disabled={signOut.isPending}
      title="Sign out"
      aria-label="Sign out"
      className={cx(
        'inline-flex size-7 items-center justify-center rounded-md text-zinc-500 hover:bg-zinc-100 hover:text-zinc-900 dark:text-zinc-400 dark:hover:bg-zinc-800 dark:hover:text-zinc-100',
        focusRing,
        className,
      )}
    >
      {signOut.isPending ? <Spinner className="size-3.5" /> : <LogOutIcon className="size-4" />}
    </button>
  );
}
