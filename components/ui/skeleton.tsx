import { cx } from './class-names';

export function Skeleton({ className }: { className?: string }) {
  return (
    <div aria-hidden className={cx('animate-pulse rounded bg-zinc-200/80 dark:bg-zinc-800', className)} />
  );
}
