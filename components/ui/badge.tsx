import type { ReactNode } from 'react';
import { cx } from './class-names';

const tones = {
  neutral:
    'bg-zinc-100 text-zinc-700 ring-zinc-500/20 dark:bg-zinc-800 dark:text-zinc-300 dark:ring-zinc-600/40',
  green:
    'bg-emerald-50 text-emerald-700 ring-emerald-600/20 dark:bg-emerald-500/10 dark:text-emerald-400 dark:ring-emerald-500/25',
  amber:
    'bg-amber-50 text-amber-800 ring-amber-600/25 dark:bg-amber-500/10 dark:text-amber-300 dark:ring-amber-500/25',
  red: 'bg-red-50 text-red-700 ring-red-600/20 dark:bg-red-500/10 dark:text-red-400 dark:ring-red-500/25',
  indigo:
    'bg-indigo-50 text-indigo-700 ring-indigo-600/20 dark:bg-indigo-500/10 dark:text-indigo-300 dark:ring-indigo-400/30',
} as const;

const dots = {
  neutral: 'bg-zinc-400 dark:bg-zinc-500',
  green: 'bg-emerald-500',
  amber: 'bg-amber-500',
  red: 'bg-red-500',
  indigo: 'bg-indigo-500 dark:bg-indigo-400',
} as const;

export type BadgeTone = keyof typeof tones;

type BadgeProps = {
  tone?: BadgeTone;
  dot?: boolean;
  pulse?: boolean;
  className?: string;
  title?: string;
  children: ReactNode;
  'data-status'?: string;
};

export function Badge({ tone = 'neutral', dot, pulse, className, children, ...rest }: BadgeProps) {
  return (
    <span
      className={cx(
        'inline-flex shrink-0 items-center gap-1.5 rounded-full px-2 py-0.5 text-xs leading-4 font-medium whitespace-nowrap ring-1 ring-inset',
        tones[tone],
        className,
      )}
      {...rest}
    >
      {dot && (
        <span className="relative flex size-1.5" aria-hidden>
          {pulse && (
            <span
              className={cx(
                'absolute inline-flex size-full animate-ping rounded-full opacity-75',
                dots[tone],
              )}
            />
          )}
          <span className={cx('relative inline-flex size-1.5 rounded-full', dots[tone])} />
        </span>
      )}
      {children}
    </span>
  );
}
