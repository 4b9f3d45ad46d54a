import type { ReactNode } from 'react';

export function AuthCard({
  title,
  description,
  children,
}: {
  title: string;
  description: ReactNode;
  children: ReactNode;
}) {
  return (
    <div className="rounded-xl border border-zinc-200 bg-white p-6 shadow-sm dark:border-zinc-800 dark:bg-zinc-900">
      <h1 className="text-base font-semibold text-zinc-900 dark:text-zinc-50">{title}</h1>
      <p className="mt-1 mb-5 text-sm text-zinc-500 dark:text-zinc-400">{description}</p>
      {children}
    </div>
  );
}
