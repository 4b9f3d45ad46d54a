import type { ComponentProps } from 'react';
import { cx } from './class-names';

export const controlClasses = cx(
  'block rounded-md border border-zinc-300 bg-white text-sm text-zinc-900 shadow-xs transition-colors',
  'placeholder:text-zinc-400 focus:border-indigo-500 focus:ring-3 focus:ring-indigo-500/20 focus:outline-none',
  'dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100 dark:placeholder:text-zinc-500 dark:focus:border-indigo-400 dark:focus:ring-indigo-400/20',
  'aria-invalid:border-red-500 aria-invalid:focus:ring-red-500/20 dark:aria-invalid:border-red-500/80',
  'disabled:cursor-not-allowed disabled:bg-zinc-50 disabled:text-zinc-500 dark:disabled:bg-zinc-900/50',
);

// Only text inputs: selects and checkboxes match :read-only too.
const readOnly =
  'read-only:bg-zinc-50 read-only:text-zinc-500 dark:read-only:bg-zinc-800/40 dark:read-only:text-zinc-400';

export function Input({ className, ...rest }: ComponentProps<'input'>) {
  return <input className={cx(controlClasses, readOnly, 'h-8 w-full px-2.5', className)} {...rest} />;
}
