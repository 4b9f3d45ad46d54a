'use client';

import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { cx } from '@/components/ui/class-names';
import { CHART_COLORS, chartChrome } from './chart-colors';
import { formatUtcDay } from './chart-format';
import type { TooltipInput } from './time-series-chart';

export type BarPoint = { t: number; value: number | null };

function BarTooltip({
  active,
  payload,
  label,
  format,
  valueLabel,
}: TooltipInput & { format: (v: number) => string; valueLabel: string }) {
  if (!active || !payload?.length) return null;
  const value = payload[0]?.value;
  return (
    <div className="rounded-md border border-zinc-200 bg-white px-2.5 py-1.5 text-xs shadow-lg dark:border-zinc-700 dark:bg-zinc-900">
      <p className="mb-0.5 font-medium text-zinc-700 dark:text-zinc-200">
        Week of {formatUtcDay(Number(label), true)}
      </p>
      <p className="text-zinc-500 dark:text-zinc-400">
        {valueLabel}{' '}
        <span className="font-medium text-zinc-900 tabular-nums dark:text-zinc-100">
          {typeof value === 'number' ? format(value) : 'no data'}
        </span>
      </p>
    </div>
  );
}

/** Weekly bars (x = week start, UTC): a trend under a KPI tile. Weeks without a value have no bar. */
export function BarTrend({
  title,
  data,
  format,
  valueLabel,
  color = CHART_COLORS.primary,
  height = 96,
  className,
}: {
  title: string;
  data: BarPoint[];
  format: (v: number) => string;
  valueLabel: string;
  color?: string;
  height?: number;
  className?: string;
}) {
  const withValue = data.filter((d) => d.value !== null);
  return (
    <figure className={cx('min-w-0', chartChrome, className)} aria-label={title} data-bars={withValue.length}>
      <figcaption className="sr-only">
        {title}:{' '}
        {withValue.length === 0
          ? 'no data yet'
          : withValue.map((d) => `week of ${formatUtcDay(d.t)} ${format(d.value!)}`).join(', ')}
      </figcaption>
      <ResponsiveContainer width="100%" height={height} initialDimension={{ width: 240, height }}>
        <BarChart data={data} margin={{ top: 4, right: 0, bottom: 0, left: 0 }}>
          <CartesianGrid vertical={false} stroke="currentColor" strokeOpacity={0.2} />
          <XAxis
            dataKey="t"
            tickFormatter={(t: number) => formatUtcDay(t)}
            tick={{ fill: 'currentColor', fontSize: 10 }}
            stroke="currentColor"
            strokeOpacity={0.4}
            tickLine={false}
            interval="preserveStartEnd"
            minTickGap={12}
          />
          <YAxis hide domain={[0, 'auto']} />
          <Tooltip
            content={(props) => <BarTooltip {...props} format={format} valueLabel={valueLabel} />}
            cursor={{ fill: 'currentColor', fillOpacity: 0.12 }}
            isAnimationActive={false}
          />
          <Bar dataKey="value" fill={color} radius={[2, 2, 0, 0]} isAnimationActive={false} maxBarSize={28} />
        </BarChart>
      </ResponsiveContainer>
    </figure>
  );
}
