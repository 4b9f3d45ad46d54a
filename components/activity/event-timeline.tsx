import Link from 'next/link';
import type { EventItem } from '@/components/router-types';
import { cx } from '@/components/ui/class-names';
import { focusRing } from '@/components/ui/focus-ring';
import { RelativeTime } from '@/components/ui/relative-time';

function tone(e: EventItem): string {
  const exitCode = typeof e.data?.exitCode === 'number' ? e.data.exitCode : null;
  if (e.kind === 'deployment.failed' || e.kind === 'container.oom') return 'bg-red-500 ring-red-500/20';
  // A container that exits 0 was stopped on purpose (a rollout); anything else crashed.
  if (e.kind === 'container.die' && exitCode !== 0) return 'bg-red-500 ring-red-500/20';
  if (e.kind === 'replica.replaced' || e.kind === 'deployment.cancelled')
    return 'bg-amber-500 ring-amber-500/20';
  if (e.kind === 'deployment.succeeded') return 'bg-emerald-500 ring-emerald-500/20';
  if (e.kind.startsWith('deployment.') || e.kind === 'service.created')
    return 'bg-indigo-500 ring-indigo-500/20';
  return 'bg-zinc-300 ring-zinc-300/20 dark:bg-zinc-600 dark:ring-zinc-600/20';
}

/** What happened, newest first: Capstan's decisions and Docker's container events. */
export function EventTimeline({
  events,
  serviceNames,
  compact,
}: {
  events: EventItem[];
  /** When given, each event links to its service. */
  serviceNames?: Map<string, string>;
  compact?: boolean;
}) {
  return (
    <ol className="relative" aria-label="Events">
      {events.map((e, i) => {
        const serviceName = e.serviceId ? serviceNames?.get(e.serviceId) : undefined;
        return (
          <li
            key={e.id}
            className={cx('relative flex gap-3', compact ? 'py-2' : 'py-2.5')}
            data-testid="event"
            data-kind={e.kind}
          >
            {i < events.length - 1 && (
              <span
                aria-hidden
                className="absolute top-6 bottom-0 left-[5px] w-px bg-zinc-200 dark:bg-zinc-800"
              />
            )}
            <span
              aria-hidden
              className={cx('relative mt-1.5 size-[11px] shrink-0 rounded-full ring-4', tone(e))}
            />
            <div className="min-w-0 flex-1">
              <p className="text-[13px] break-words text-zinc-800 dark:text-zinc-200">
                {serviceName && e.serviceId && (
                  <Link
                    href={`/services/${e.serviceId}`}
                    className={cx(
                      'mr-1.5 rounded-sm font-medium text-zinc-900 hover:text-indigo-600 dark:text-zinc-50 dark:hover:text-indigo-400',
                      focusRing,
                    )}
                  >
                    {serviceName}
                  </Link>
                )}
                {e.message}
              </p>
              <p className="mt-0.5 flex gap-2 text-xs text-zinc-500 dark:text-zinc-400">
                <RelativeTime date={e.at} />
                <span className="font-mono text-[11px] text-zinc-400 dark:text-zinc-500">{e.kind}</span>
              </p>
            </div>
          </li>
        );
      })}
    </ol>
  );
}
