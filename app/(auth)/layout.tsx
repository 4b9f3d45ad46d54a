import type { ReactNode } from 'react';
import { ThemeToggle } from '@/components/layout/theme-toggle';
import { CapstanMark } from '@/components/ui/icons';

export default function AuthLayout({ children }: { children: ReactNode }) {
  return (
    <div className="relative flex min-h-screen flex-col items-center justify-center px-4 py-12">
      <div
        aria-hidden
        className="pointer-events-none absolute inset-x-0 top-0 h-72 bg-gradient-to-b from-indigo-100/60 to-transparent dark:from-indigo-500/10"
      />
      <main className="relative w-full max-w-sm">
        <div className="mb-6 flex items-center justify-center gap-2">
          <CapstanMark className="size-8" />
          <span className="text-lg font-semibold tracking-tight">Capstan</span>
        </div>
        {children}
      </main>
      <div className="relative mt-8">
        <ThemeToggle />
      </div>
    </div>
  );
}
