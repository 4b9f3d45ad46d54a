'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { CHART_COLORS, seriesColor } from '@/components/charts/chart-colors';
import {
  formatBytes,
  formatBytesPerSecond,
  formatCount,
  formatCpu,
  formatMs,
  formatPercent,
  formatPerSecond,
  formatRatio,
} from '@/components/charts/chart-format';
import {
  TimeSeriesChart,
  type DeployMarker,
  type TimeRow,
  type TimeSeries,
} from '@/components/charts/time-series-chart';
import { describeError } from '@/components/errors/describe-error';
import type { RouterOutputs } from '@/components/router-types';
import { useTRPC } from '@/components/trpc/provider';
import { Alert } from '@/components/ui/alert';
import { Card, CardBody, CardHeader } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { ActivityIcon } from '@/components/ui/icons';
import { Skeleton } from '@/components/ui/skeleton';
import { Spinner } from '@/components/ui/spinner';
import { OptionButtons } from './option-buttons';

type Series = RouterOutputs['metrics']['series'];
type ServicePoints = Extract<Series, { view: 'service' }>['points'];
type ReplicaSeries = Extract<Series, { view: 'replicas' }>['replicas'];
type Range = Series['range'];
type View = 'service' | 'replicas';

const RANGES = [
  { value: '15m', label: '15m' },
  { value: '1h', label: '1h' },
  { value: '24h', label: '24h' },
  { value: '7d', label: '7d' },
] as const satisfies readonly { value: Range; label: string }[];

const VIEWS = [
  { value: 'service', label: 'Aggregated' },
  { value: 'replicas', label: 'Per replica' },
] as const satisfies readonly { value: View; label: string }[];

/** Short ranges are live: refetched every 5 s, the collector's default interval. */
const LIVE: Range[] = ['15m', '1h'];

type Panel = {
  id: string;
  title: string;
  series: TimeSeries[];
  rows: TimeRow[];
  format: (v: number) => string;
  limit?: { value: number; label: string } | null;
  yMax?: number;
  integer?: boolean;
};

function sumOrNull(a: number | null, b: number | null) {
  return a === null && b === null ? null : (a ?? 0) + (b ?? 0);
}

function lastNumber<T>(rows: T[], pick: (r: T) => number | null): number | null {
  for (let i = rows.length - 1; i >= 0; i--) {
    const v = pick(rows[i]!);
    if (v !== null) return v;
  }
  return null;
}

function servicePanels(points: ServicePoints): Panel[] {
  const limit = lastNumber(points, (p) => p.memLimitBytes);
  return [
    {
      id: 'requests',
      title: 'Requests',
      format: formatPerSecond,
      series: [{ key: 'rate', label: 'Requests per second', color: CHART_COLORS.primary, area: true }],
      rows: points.map((p) => ({ t: p.t, rate: p.requestRate })),
    },
    {
      id: 'errors',
      title: 'Errors (5xx)',
      format: formatPercent,
      series: [
        { key: 'errors', label: 'Share of requests answered 5xx', color: CHART_COLORS.bad, area: true },
      ],
      rows: points.map((p) => ({
        t: p.t,
        errors: p.requests ? p.errorPercent : p.requests === 0 ? 0 : null,
      })),
    },
    {
      id: 'latency',
      title: 'Latency',
      format: formatMs,
      series: [
        { key: 'p50', label: 'p50', color: CHART_COLORS.secondary },
        { key: 'p95', label: 'p95', color: CHART_COLORS.warn },
      ],
      rows: points.map((p) => ({ t: p.t, p50: p.latencyP50Ms, p95: p.latencyP95Ms })),
    },
    {
      id: 'cpu',
      title: 'CPU',
      format: formatCpu,
      series: [
        { key: 'total', label: 'All replicas', color: CHART_COLORS.primary, area: true },
        { key: 'busiest', label: 'Busiest replica', color: CHART_COLORS.secondary, dashed: true },
      ],
      rows: points.map((p) => ({ t: p.t, total: p.cpuSum, busiest: p.cpuMax })),
    },
    {
      id: 'memory',
      title: 'Memory (working set)',
      format: formatBytes,
      limit: limit === null ? null : { value: limit, label: `limit ${formatBytes(limit)}` },
      series: [
        { key: 'mem', label: 'All replicas', color: CHART_COLORS.primary, area: true },
        { key: 'busiest', label: 'Largest replica', color: CHART_COLORS.secondary, dashed: true },
      ],
      rows: points.map((p) => ({ t: p.t, mem: p.memWorkingSetBytes, busiest: p.memWorkingSetMaxBytes })),
    },
    {
      id: 'network',
      title: 'Network',
      format: formatBytesPerSecond,
      series: [
        { key: 'rx', label: 'Received', color: CHART_COLORS.good },
        { key: 'tx', label: 'Sent', color: CHART_COLORS.warn },
      ],
      rows: points.map((p) => ({ t: p.t, rx: p.netRxBps, tx: p.netTxBps })),
    },
    {
      id: 'block',
      title: 'Block I/O',
      format: formatBytesPerSecond,
      series: [
        { key: 'read', label: 'Read', color: CHART_COLORS.secondary },
        { key: 'write', label: 'Write', color: '#ec4899' },
      ],
      rows: points.map((p) => ({ t: p.t, read: p.blkReadBps, write: p.blkWriteBps })),
    },
    {
      id: 'replicas',
      title: 'Replicas',
      format: formatCount,
      integer: true,
      series: [
        { key: 'healthy', label: 'Healthy', color: CHART_COLORS.good, area: true, step: true },
        { key: 'desired', label: 'Desired', color: CHART_COLORS.muted, dashed: true, step: true },
      ],
      rows: points.map((p) => ({ t: p.t, healthy: p.healthy, desired: p.desired })),
    },
  ];
}

function replicaPanels(replicas: ReplicaSeries): Panel[] {
  const series = replicas.map((r, i): TimeSeries => ({
    key: `c${i}`,
    label: `r${r.revision} #${r.replica} (${r.containerId.slice(0, 7)})`,
    color: seriesColor(i),
  }));
  const rowsOf = (pick: (p: (typeof replicas)[number]['points'][number]) => number | null): TimeRow[] => {
    const byT = new Map<number, TimeRow>();
    replicas.forEach((r, i) => {
      for (const p of r.points) {
        const row = byT.get(p.t) ?? ({ t: p.t } as TimeRow);
        row[`c${i}`] = pick(p);
        byT.set(p.t, row);
      }
    });
    return [...byT.values()];
  };
  const limit = Math.max(0, ...replicas.map((r) => lastNumber(r.points, (p) => p.memLimitBytes) ?? 0));
  return [
    {
      id: 'requests',
      title: 'Requests per replica',
      format: formatPerSecond,
      series,
      rows: rowsOf((p) => p.requestRate),
    },
    {
      id: 'errors',
      title: 'Errors (5xx) per replica',
      format: formatPercent,
      series,
      rows: rowsOf((p) => (p.requests ? p.errorPercent : p.requests === 0 ? 0 : null)),
    },
    {
      id: 'latency-p50',
      title: 'Latency p50 per replica',
      format: formatMs,
      series,
      rows: rowsOf((p) => p.latencyP50Ms),
    },
    {
      id: 'latency-p95',
      title: 'Latency p95 per replica',
      format: formatMs,
      series,
      rows: rowsOf((p) => p.latencyP95Ms),
    },
    { id: 'cpu', title: 'CPU per replica', format: formatCpu, series, rows: rowsOf((p) => p.cpu) },
    {
      id: 'memory',
      title: 'Memory (working set) per replica',
      format: formatBytes,
      series,
      rows: rowsOf((p) => p.memWorkingSetBytes),
      limit: limit > 0 ? { value: limit, label: `limit ${formatBytes(limit)}` } : null,
    },
    {
      id: 'network',
      title: 'Network (received + sent) per replica',
      format: formatBytesPerSecond,
      series,
      rows: rowsOf((p) => sumOrNull(p.netRxBps, p.netTxBps)),
    },
    {
      id: 'block',
      title: 'Block I/O (read + write) per replica',
      format: formatBytesPerSecond,
      series,
      rows: rowsOf((p) => sumOrNull(p.blkReadBps, p.blkWriteBps)),
    },
    {
      id: 'replicas',
      title: 'Healthy share of samples per replica',
      format: (v) => formatRatio(v, 0),
      series: series.map((s) => ({ ...s, step: true })),
      rows: rowsOf((p) => p.healthyRatio),
      yMax: 1,
    },
  ];
}

function markersOf(deploys: Series['deploys']): DeployMarker[] {
  return deploys.map((d) => ({
    id: d.id,
    t: d.createdAt,
    label: `r${d.toRevision}`,
    status: d.status,
    title: `r${d.fromRevision ?? '—'} → r${d.toRevision} ${d.status.replace('_', ' ')} by ${d.actor}`,
  }));
}

function ChartsSkeleton() {
  return (
    <div className="grid gap-x-6 gap-y-5 lg:grid-cols-2" aria-hidden>
      {[0, 1, 2, 3].map((i) => (
        <div key={i} className="space-y-2">
          <Skeleton className="h-3 w-24" />
          <Skeleton className="h-[180px] w-full" />
        </div>
      ))}
    </div>
  );
}

/**
 * Requests, errors, latency, CPU, memory, network, block I/O and replica health of one service over a range, aggregated or per
 * replica, with deployments marked on every chart.
 */
export function ResourceCharts({ serviceId }: { serviceId: string }) {
  const trpc = useTRPC();
  const [range, setRange] = useState<Range>('15m');
  const [view, setView] = useState<View>('service');
  const query = useQuery({
    ...trpc.metrics.series.queryOptions({ serviceId, range, view }),
    refetchInterval: LIVE.includes(range) ? 5_000 : false,
    placeholderData: keepPreviousData,
  });
  const data = query.data;
  const current = data && data.range === range && data.view === view ? data : null;

  const panels = useMemo(() => {
    if (!current) return [];
    if (current.view === 'service') return servicePanels(current.points);
    return replicaPanels(current.replicas);
  }, [current]);
  const markers = useMemo(() => (current ? markersOf(current.deploys) : []), [current]);
  const empty = panels.every((p) => p.rows.length === 0);

  return (
    <Card aria-labelledby="resources-title" data-testid="resource-charts">
      <CardHeader
        id="resources-title"
        title={
          <span className="flex items-center gap-2">
            Resources
            {query.isFetching && !query.isLoading && <Spinner className="size-3 text-zinc-400" />}
          </span>
        }
        description={
          (LIVE.includes(range) ? 'Live, refreshed every 5 s. ' : '') +
          'Requests, errors and latency as clients see them through the endpoint' +
          (view === 'replicas' ? ', split by the replica that answered' : '') +
          '; CPU in % of one core; dashed verticals are deployments.'
        }
        actions={
          <>
            <OptionButtons label="View" options={VIEWS} value={view} onChange={setView} />
            <OptionButtons label="Range" options={RANGES} value={range} onChange={setRange} />
          </>
        }
      />
      <CardBody>
        {query.error && (
          <Alert tone={data ? 'warning' : 'error'} title="Could not load metrics" className="mb-4">
            {describeError(query.error).message}
            {data && ' Showing the last data received.'}
          </Alert>
        )}
        {current?.view === 'replicas' && current.hiddenReplicas > 0 && (
          <p className="mb-3 text-xs text-zinc-500 dark:text-zinc-400" data-testid="hidden-replicas">
            Showing the {current.replicas.length} replicas seen last; {current.hiddenReplicas} older{' '}
            {current.hiddenReplicas === 1 ? 'one is' : 'ones are'} in the aggregated view.
          </p>
        )}
        {!current && !query.error ? (
          <ChartsSkeleton />
        ) : current && empty ? (
          <EmptyState
            icon={<ActivityIcon className="size-5" />}
            title="No samples in this range yet"
            description="Capstan samples every 5 s while replicas run; check back in a minute."
            className="py-10"
          />
        ) : (
          current && (
            <div className="grid gap-x-6 gap-y-5 lg:grid-cols-2">
              {panels.map((p) => (
                <div key={p.id} className={p.id === 'replicas' ? 'lg:col-span-2' : undefined}>
                  <h3 className="mb-1 text-xs font-medium text-zinc-600 dark:text-zinc-300">{p.title}</h3>
                  <TimeSeriesChart
                    title={p.title}
                    rows={p.rows}
                    series={p.series}
                    span={current.range}
                    from={current.from}
                    to={current.to}
                    stepMs={current.stepMs}
                    format={p.format}
                    limit={p.limit}
                    yMax={p.yMax}
                    integer={p.integer}
                    markers={markers}
                    height={p.id === 'replicas' ? 120 : 180}
                    data-testid={`chart-${p.id}`}
                  />
                  <Legend series={p.series} />
                </div>
              ))}
            </div>
          )
        )}
      </CardBody>
    </Card>
  );
}

function Legend({ series }: { series: TimeSeries[] }) {
  return (
    <ul className="mt-1 flex flex-wrap gap-x-3 gap-y-0.5 pl-16 text-[11px] text-zinc-500 dark:text-zinc-400">
      {series.map((s) => (
        <li key={s.key} className="flex items-center gap-1.5">
          <span
            aria-hidden
            className="h-0.5 w-3 rounded"
            style={{
              background: s.dashed
                ? `repeating-linear-gradient(90deg, ${s.color} 0 3px, transparent 3px 5px)`
                : s.color,
            }}
          />
          {s.label}
        </li>
      ))}
    </ul>
  );
}
