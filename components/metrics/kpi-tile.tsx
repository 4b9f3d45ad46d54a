import type { ReactNode } from 'react';
import { Card } from '@/components/ui/card';

/** A big number with what it means and how it moved week by week. */
export function KpiTile({
  title,
  value,
  unit,
  detail,
  caption,
  trend,
  testId,
}: {
  title: string;
  value: string;
  unit?: string;
  detail?: ReactNode;
  caption: string;
  trend: ReactNode;
  testId: string;
}) {
  return (
    <Card className="flex flex-col" aria-label={title} data-testid={testId}>
      <div className="space-y-1 px-4 pt-3">
        <h2 className="text-xs font-medium text-zinc-500 dark:text-zinc-400">{title}</h2>
        <p className="flex items-baseline gap-1.5">
          <span
            className="text-2xl font-semibold tracking-tight text-zinc-900 tabular-nums dark:text-zinc-50"
            data-testid={`${testId}-value`}
          >
            {value}
          </span>
          {unit && <span className="text-sm text-zinc-500 dark:text-zinc-400">{unit}</span>}
        </p>
        <p className="min-h-4 text-xs text-zinc-500 tabular-nums dark:text-zinc-400">{detail}</p>
      </div>
      <div className="px-2 pt-2">{trend}</div>
      <p className="flex-1 border-t border-zinc-100 px-4 py-2 text-[11px] leading-snug text-zinc-500 dark:border-zinc-800 dark:text-zinc-400">
        {caption}
      </p>
    </Card>
  );
}
