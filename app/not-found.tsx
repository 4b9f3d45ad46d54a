import Link from 'next/link';
import { CapstanMark } from '@/components/ui/icons';

export default function NotFound() {
  return (
    <main className="flex min-h-screen flex-col items-center justify-center gap-3 px-4 text-center">
      <CapstanMark className="size-8" />
      <h1 className="text-lg font-semibold">Page not found</h1>
      <p className="text-sm text-zinc-500 dark:text-zinc-400">There is nothing at this address.</p>
      <Link href="/" className="text-sm font-medium text-indigo-600 hover:underline dark:text-indigo-400">
        Go to the overview
      </Link>
    </main>
  );
}
