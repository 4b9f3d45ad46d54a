'use client';

import { useMemo, type ReactElement } from 'react';
import {
  Area,
  CartesianGrid,
  ComposedChart,
  Line,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { cx } from '@/components/ui/class-names';
import { chartChrome, deployColor } from './chart-colors';
import { formatInstant, formatTick, timeTicks, type TimeSpan } from './chart-format';

export type TimeSeries = {
  key: string;
  label: string;
  color: string;
  /** Filled area under the line (one per chart reads best). */
  area?: boolean;
  dashed?: boolean;
  /** Steps instead of slopes, for counts such as replicas. */
  step?: boolean;
};

export type TimeRow = { t: number } & Record<string, number | null>;

export type DeployMarker = { id: string; t: number; label: string; status: string; title: string };

type Props = {
  title: string;
  rows: TimeRow[];
  series: TimeSeries[];
  span: TimeSpan;
  from: number;
  to: number;
  /** The width of one bin: consecutive points further apart than this are not joined. */
  stepMs: number;
  format: (value: number) => string;
  /** A horizontal line, e.g. the memory limit. */
  limit?: { value: number; label: string } | null;
  markers?: DeployMarker[];
  /** Whole numbers only (counts such as replicas). */
  integer?: boolean;
  /** Lower bound of the y axis and, when set, a fixed upper bound. */
  yMin?: number;
  yMax?: number;
  height?: number;
  'data-testid'?: string;
};

/** Rows with an all-null row wherever two neighbours are more than a step apart, so lines break there. */
export function withGaps(rows: TimeRow[], keys: string[], stepMs: number): TimeRow[] {
  const sorted = [...rows].sort((a, b) => a.t - b.t);
  const out: TimeRow[] = [];
  const empty = Object.fromEntries(keys.map((k) => [k, null]));
  for (const row of sorted) {
    const prev = out.at(-1);
    if (prev && row.t - prev.t > stepMs * 1.5) out.push({ ...empty, t: prev.t + stepMs } as TimeRow);
    out.push({ ...empty, ...row });
  }
  return out;
}

/** Indices of points with no neighbour on either side: drawn as dots, since a line needs two. */
function isolated(rows: TimeRow[], key: string): Set<number> {
  const set = new Set<number>();
  rows.forEach((r, i) => {
    const v = r[key];
    if (v === null || v === undefined) return;
    const before = rows[i - 1]?.[key];
    const after = rows[i + 1]?.[key];
    if ((before === null || before === undefined) && (after === null || after === undefined)) set.add(i);
  });
  return set;
}

/** The part of recharts' tooltip props the content reads. */
export type TooltipInput = {
  active?: boolean;
  payload?: readonly { dataKey?: unknown; value?: unknown; name?: unknown }[];
  label?: unknown;
};

function ChartTooltip({
  active,
  payload,
  label,
  series,
  format,
}: TooltipInput & {
  series: TimeSeries[];
  format: (v: number) => string;
}) {
  if (!active || !payload?.length) return null;
  const values = payload.filter((p) => typeof p.value === 'number');
  if (values.length === 0) return null;
  return (
    <div className="rounded-md border border-zinc-200 bg-white px-2.5 py-1.5 text-xs shadow-lg dark:border-zinc-700 dark:bg-zinc-900">
      <p className="mb-1 font-medium text-zinc-700 tabular-nums dark:text-zinc-200">
        {formatInstant(Number(label))}
      </p>
      <ul className="space-y-0.5">
        {values.map((p) => {
          const s = series.find((x) => x.key === p.dataKey);
          return (
            <li key={String(p.dataKey)} className="flex items-center gap-2">
              <span aria-hidden className="size-2 rounded-full" style={{ background: s?.color }} />
              <span className="text-zinc-500 dark:text-zinc-400">{s?.label ?? String(p.name)}</span>
              <span className="ml-auto pl-3 font-medium text-zinc-900 tabular-nums dark:text-zinc-100">
                {format(p.value as number)}
              </span>
            </li>
          );
        })}
      </ul>
    </div>
  );
}

/**
 * Metrics over time: one line (or area) per series, sparse points broken into segments, an optional limit
 * line and deployment markers. Pure: data in, picture out.
 */
export function TimeSeriesChart({
  title,
  rows,
  series,
  span,
  from,
  to,
  stepMs,
  format,
  limit,
  markers = [],
  integer = false,
  yMin = 0,
  yMax,
  height = 180,
  'data-testid': testId,
}: Props) {
  const keys = series.map((s) => s.key);
  const data = useMemo(
    () =>
      withGaps(
        rows,
        series.map((s) => s.key),
        stepMs,
      ),
    [rows, series, stepMs],
  );
  const ticks = useMemo(() => timeTicks(span, from, to), [span, from, to]);
  const pointCount = rows.filter((r) => keys.some((k) => typeof r[k] === 'number')).length;
  const latest = [...rows].reverse().find((r) => keys.some((k) => typeof r[k] === 'number'));
  const summary = latest
    ? series
        .filter((s) => typeof latest[s.key] === 'number')
        .map((s) => `${s.label} ${format(latest[s.key] as number)}`)
        .join(', ')
    : 'no samples';
  const visibleMarkers = markers.filter((m) => m.t >= from && m.t <= to);
  const upper = Math.max(limit?.value ?? 0, ...data.flatMap((r) => keys.map((k) => r[k] ?? 0)));

  return (
    <figure
      className={cx('min-w-0', chartChrome)}
      aria-label={title}
      data-testid={testId}
      data-points={pointCount}
    >
      <figcaption className="sr-only">
        {title}: {pointCount} points; latest {summary}.
        {visibleMarkers.length > 0 && ` Deployments: ${visibleMarkers.map((m) => m.title).join('; ')}.`}
      </figcaption>
      <ResponsiveContainer width="100%" height={height} initialDimension={{ width: 480, height }}>
        <ComposedChart data={data} margin={{ top: 14, right: 8, bottom: 0, left: 0 }}>
          <CartesianGrid vertical={false} stroke="currentColor" strokeOpacity={0.25} />
          <XAxis
            dataKey="t"
            type="number"
            scale="time"
            domain={[from, to]}
            ticks={ticks}
            tickFormatter={(t: number) => formatTick(span, t)}
            tick={{ fill: 'currentColor', fontSize: 11 }}
            stroke="currentColor"
            strokeOpacity={0.4}
            tickLine={false}
            allowDataOverflow
          />
          <YAxis
            width={64}
            domain={[yMin, yMax ?? (integer ? Math.max(1, Math.ceil(upper)) : upper > 0 ? 'auto' : 1)]}
            tickFormatter={(v: number) => format(v)}
            tick={{ fill: 'currentColor', fontSize: 11 }}
            axisLine={false}
            tickLine={false}
            tickCount={integer ? Math.min(5, Math.max(2, Math.ceil(upper) + 1)) : 5}
            allowDecimals={!integer}
          />
          <Tooltip
            content={(props) => <ChartTooltip {...props} series={series} format={format} />}
            cursor={{ stroke: 'currentColor', strokeOpacity: 0.5 }}
            isAnimationActive={false}
          />
          {limit && (
            <ReferenceLine
              y={limit.value}
              stroke="#ef4444"
              strokeDasharray="4 3"
              ifOverflow="extendDomain"
              label={{
                value: limit.label,
                position: 'insideTopRight',
                fill: '#ef4444',
                fontSize: 11,
              }}
            />
          )}
          {visibleMarkers.map((m) => (
            <ReferenceLine
              key={m.id}
              x={m.t}
              stroke={deployColor(m.status)}
              strokeDasharray="3 3"
              label={{ value: m.label, position: 'top', fill: deployColor(m.status), fontSize: 10 }}
            />
          ))}
          {series.map((s) => {
            const lonely = isolated(data, s.key);
            const dot = (props: { cx?: number; cy?: number; index?: number }): ReactElement => (
              <g key={`${s.key}-${props.index}`}>
                {props.index !== undefined && lonely.has(props.index) && props.cx && props.cy && (
                  <circle cx={props.cx} cy={props.cy} r={2} fill={s.color} />
                )}
              </g>
            );
            const common = {
              dataKey: s.key,
              name: s.label,
              type: s.step ? ('stepAfter' as const) : ('monotone' as const),
              stroke: s.color,
              strokeWidth: 1.5,
              strokeDasharray: s.dashed ? '4 3' : undefined,
              connectNulls: false,
              isAnimationActive: false,
              dot,
              activeDot: { r: 3 },
            };
            return s.area ? (
              <Area key={s.key} {...common} fill={s.color} fillOpacity={0.12} />
            ) : (
              <Line key={s.key} {...common} />
            );
          })}
        </ComposedChart>
      </ResponsiveContainer>
    </figure>
  );
}
