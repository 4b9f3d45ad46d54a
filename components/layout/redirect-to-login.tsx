'use client';

import Link from 'next/link';
import { useEffect } from 'react';
import { Spinner } from '@/components/ui/spinner';

/** Sends a signed-out visitor to sign in, remembering where they were going. */
export function RedirectToLogin() {
  useEffect(() => {
    const here = window.location.pathname + window.location.search;
    window.location.replace(here === '/' ? '/login' : `/login?next=${encodeURIComponent(here)}`);
  }, []);
  return (
    <div className="flex min-h-screen items-center justify-center gap-2 text-sm text-zinc-500">
      <Spinner /> Redirecting to{' '}
      <Link href="/login" className="underline">
        sign in
      </Link>
      …
    </div>
  );
}
