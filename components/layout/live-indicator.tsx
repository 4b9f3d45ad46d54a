import { cx } from '@/components/ui/class-names';

type Status = 'idle' | 'connecting' | 'pending' | 'error';

const LOOK: Record<Status, { label: string; dot: string; hint: string }> = {
  pending: { label: 'Live', dot: 'bg-emerald-500', hint: 'Receiving live updates' },
  connecting: { label: 'Connecting…', dot: 'bg-amber-500 animate-pulse', hint: 'Connecting to live updates' },
  idle: { label: 'Connecting…', dot: 'bg-amber-500 animate-pulse', hint: 'Connecting to live updates' },
  error: {
    label: 'Offline',
    dot: 'bg-red-500',
    hint: 'Live updates are interrupted; retrying. Data on screen may be stale.',
  },
};

/** Whether the page is receiving live state changes (the SSE subscription). */
export function LiveIndicator({ status, className }: { status: Status; className?: string }) {
  const look = LOOK[status];
  return (
    <span
      role="status"
      title={look.hint}
      data-live={status}
      className={cx('inline-flex items-center gap-1.5 text-xs text-zinc-500 dark:text-zinc-400', className)}
    >
      <span className={cx('size-2 rounded-full', look.dot)} aria-hidden />
      {look.label}
    </span>
  );
}
