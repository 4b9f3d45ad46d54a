import type { ServiceListItem } from '@/components/router-types';
import { cx } from '@/components/ui/class-names';

const TILES = [
  { key: 'all', label: 'Services', color: 'text-zinc-900 dark:text-zinc-50' },
  { key: 'healthy', label: 'Healthy', color: 'text-emerald-600 dark:text-emerald-400' },
  { key: 'degraded', label: 'Degraded', color: 'text-amber-600 dark:text-amber-400' },
  { key: 'down', label: 'Down', color: 'text-red-600 dark:text-red-400' },
  { key: 'deploying', label: 'Deploying', color: 'text-indigo-600 dark:text-indigo-400' },
] as const;

/** Counts by health at the top of the overview. */
export function ServiceSummary({ services }: { services: ServiceListItem[] }) {
  const count = (key: (typeof TILES)[number]['key']) =>
    key === 'all' ? services.length : services.filter((s) => s.health === key).length;
  return (
    <dl className="grid grid-cols-2 gap-px overflow-hidden rounded-lg border border-zinc-200 bg-zinc-200 sm:grid-cols-5 dark:border-zinc-800 dark:bg-zinc-800">
      {TILES.map((tile) => {
        const n = count(tile.key);
        return (
          <div
            key={tile.key}
            className={cx(
              'bg-white px-4 py-3 dark:bg-zinc-900',
              tile.key === 'all' && 'col-span-2 sm:col-span-1',
            )}
            data-testid={`summary-${tile.key}`}
          >
            <dt className="text-xs text-zinc-500 dark:text-zinc-400">{tile.label}</dt>
            <dd
              className={cx(
                'mt-1 text-2xl font-semibold tabular-nums',
                n === 0 && tile.key !== 'all' ? 'text-zinc-300 dark:text-zinc-600' : tile.color,
              )}
            >
              {n}
            </dd>
          </div>
        );
      })}
    </dl>
  );
}
