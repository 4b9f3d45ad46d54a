import { formatRatio } from '@/components/charts/chart-format';
import { cx } from '@/components/ui/class-names';

/** How much of the error budget is left: a bar that empties as the budget is spent (red once overspent). */
export function ErrorBudgetBar({ remaining }: { remaining: number }) {
  const shown = Math.max(0, Math.min(1, remaining));
  const tone = remaining <= 0 ? 'bg-red-500' : remaining < 0.25 ? 'bg-amber-500' : 'bg-emerald-500';
  return (
    <div className="space-y-1">
      <div
        role="meter"
        aria-label="Error budget remaining"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(shown * 100)}
        aria-valuetext={`${formatRatio(remaining, 1)} of the error budget left`}
        className="h-2 overflow-hidden rounded-full bg-zinc-200 dark:bg-zinc-800"
      >
        <div className={cx('h-full rounded-full', tone)} style={{ width: `${shown * 100}%` }} />
      </div>
      <p className="text-xs text-zinc-500 dark:text-zinc-400">
        <span
          className={cx(
            'font-medium tabular-nums',
            remaining <= 0 ? 'text-red-600 dark:text-red-400' : 'text-zinc-900 dark:text-zinc-100',
          )}
          data-testid="budget-remaining"
        >
          {formatRatio(remaining, 1)}
        </span>{' '}
        {remaining <= 0 ? 'overspent' : 'left'}
      </p>
    </div>
  );
}
