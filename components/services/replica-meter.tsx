import { cx } from '@/components/ui/class-names';

/** Ready of desired replicas as "2/3" with a segment per replica (up to 12). */
export function ReplicaMeter({
  ready,
  desired,
  className,
}: {
  ready: number;
  desired: number;
  className?: string;
}) {
  const segments = Math.min(desired, 12);
  const filled = desired === 0 ? 0 : Math.round((Math.min(ready, desired) / desired) * segments);
  const full = desired > 0 && ready >= desired;
  return (
    <span
      className={cx('inline-flex items-center gap-2', className)}
      title={`${ready} of ${desired} desired replicas ready`}
    >
      <span className="font-mono text-xs tabular-nums text-zinc-700 dark:text-zinc-300">
        {ready}/{desired}
      </span>
      {segments > 0 && (
        <span className="flex gap-0.5" aria-hidden>
          {Array.from({ length: segments }, (_, i) => (
            <span
              key={i}
              className={cx(
                'h-2.5 w-1.5 rounded-[2px]',
                i < filled ? (full ? 'bg-emerald-500' : 'bg-amber-500') : 'bg-zinc-200 dark:bg-zinc-700',
              )}
            />
          ))}
        </span>
      )}
    </span>
  );
}
