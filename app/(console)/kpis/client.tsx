'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useId, useState } from 'react';
import { BarTrend } from '@/components/charts/bar-trend';
import { CHART_COLORS } from '@/components/charts/chart-colors';
import { formatDuration, formatRatio } from '@/components/charts/chart-format';
import { describeError } from '@/components/errors/describe-error';
import { PageHeader } from '@/components/layout/page-header';
import { KpiTile } from '@/components/metrics/kpi-tile';
import { DEFAULT_WEEKS, WEEK_CHOICES } from '@/components/metrics/kpi-weeks';
import type { RouterOutputs } from '@/components/router-types';
import { useTRPC } from '@/components/trpc/provider';
import { Alert } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Card, CardHeader } from '@/components/ui/card';
import { cx } from '@/components/ui/class-names';
import { EmptyState } from '@/components/ui/empty-state';
import { focusRing } from '@/components/ui/focus-ring';
import { RocketIcon } from '@/components/ui/icons';
import { Select } from '@/components/ui/select';
import { Skeleton } from '@/components/ui/skeleton';
import { Spinner } from '@/components/ui/spinner';
import { Table, TBody, Td, Th, THead, Tr } from '@/components/ui/table';

type Dora = RouterOutputs['metrics']['dora'];
type Kpis = Dora['overall'];

const perWeek = (n: number) => (n >= 10 ? n.toFixed(0) : n.toFixed(1));
const dash = <span className="text-zinc-400 dark:text-zinc-500">—</span>;

function Tiles({ data }: { data: Dora }) {
  const { overall: k, weekly } = data;
  const bars = (pick: (w: Dora['weekly'][number]) => number | null) =>
    weekly.map((w) => ({ t: w.weekStart, value: pick(w) }));
  return (
    <div className="grid gap-4 sm:grid-cols-2 xl:grid-cols-4">
      <KpiTile
        testId="kpi-frequency"
        title="Deployment frequency"
        value={perWeek(k.deploymentsPerWeek)}
        unit="per week"
        detail={`${k.deployments} succeeded in ${data.weeks} weeks`}
        caption="How often a change reaches production: succeeded deployments per week."
        trend={
          <BarTrend
            title="Succeeded deployments per week"
            valueLabel="Deployments"
            data={bars((w) => w.deployments)}
            format={(v) => String(v)}
            color={CHART_COLORS.primary}
          />
        }
      />
      <KpiTile
        testId="kpi-lead-time"
        title="Lead time for changes"
        value={k.leadTime ? formatDuration(k.leadTime.medianSeconds) : '—'}
        unit={k.leadTime ? 'median' : undefined}
        detail={k.leadTime ? `p90 ${formatDuration(k.leadTime.p90Seconds)}` : 'no succeeded deployment yet'}
        caption="From asking for a deployment to its new revision serving, for deployments that succeeded."
        trend={
          <BarTrend
            title="Median lead time per week"
            valueLabel="Median"
            data={bars((w) => w.leadTimeMedianSeconds)}
            format={formatDuration}
            color={CHART_COLORS.secondary}
          />
        }
      />
      <KpiTile
        testId="kpi-change-failure"
        title="Change failure rate"
        value={k.changeFailureRate === null ? '—' : formatRatio(k.changeFailureRate, 1)}
        detail={
          k.finished ? `${k.failed} of ${k.finished} finished deployments failed` : 'nothing finished yet'
        }
        caption="Share of finished deployments that failed (cancelled ones never served and do not count)."
        trend={
          <BarTrend
            title="Change failure rate per week"
            valueLabel="Failed"
            data={bars((w) => w.changeFailureRate)}
            format={(v) => formatRatio(v, 0)}
            color={CHART_COLORS.bad}
          />
        }
      />
      <KpiTile
        testId="kpi-restore"
        title="Time to restore"
        value={k.timeToRestore ? formatDuration(k.timeToRestore.medianSeconds) : '—'}
        unit={k.timeToRestore ? 'median' : undefined}
        detail={
          k.timeToRestore
            ? `p90 ${formatDuration(k.timeToRestore.p90Seconds)} · ${k.timeToRestore.count} restored${k.openFailures ? ` · ${k.openFailures} still failing` : ''}`
            : k.openFailures
              ? `${k.openFailures} still failing`
              : 'no failure to restore from'
        }
        caption="From a failed deployment to the next one of that service that succeeded."
        trend={
          <BarTrend
            title="Median time to restore per week"
            valueLabel="Median"
            data={bars((w) => w.timeToRestoreMedianSeconds)}
            format={formatDuration}
            color={CHART_COLORS.warn}
          />
        }
      />
    </div>
  );
}

function ServiceKpiTable({ services }: { services: Dora['services'] }) {
  return (
    <Table aria-label="DORA keys per service">
      <THead>
        <tr>
          <Th>Service</Th>
          <Th className="text-right">Deploys / week</Th>
          <Th className="text-right">Lead time (median · p90)</Th>
          <Th className="text-right">Change failure rate</Th>
          <Th className="text-right">Time to restore (median)</Th>
          <Th>State</Th>
        </tr>
      </THead>
      <TBody>
        {services.map((s) => (
          <Tr key={s.serviceId} data-testid={`kpi-row-${s.name}`}>
            <Td>
              <Link
                href={`/services/${s.serviceId}`}
                className={cx(
                  'rounded-sm font-medium text-zinc-900 hover:text-indigo-600 dark:text-zinc-100 dark:hover:text-indigo-400',
                  focusRing,
                )}
              >
                {s.name}
              </Link>
            </Td>
            <Td className="text-right font-mono text-xs tabular-nums">
              {perWeek(s.deploymentsPerWeek)}{' '}
              <span className="text-zinc-400 dark:text-zinc-500">({s.deployments})</span>
            </Td>
            <Td className="text-right font-mono text-xs tabular-nums">
              {s.leadTime ? (
                <>
                  {formatDuration(s.leadTime.medianSeconds)}{' '}
                  <span className="text-zinc-400 dark:text-zinc-500">
                    · {formatDuration(s.leadTime.p90Seconds)}
                  </span>
                </>
              ) : (
                dash
              )}
            </Td>
            <Td className="text-right font-mono text-xs tabular-nums">
              {s.changeFailureRate === null ? (
                dash
              ) : (
                <>
                  {formatRatio(s.changeFailureRate, 1)}{' '}
                  <span className="text-zinc-400 dark:text-zinc-500">
                    ({s.failed}/{s.finished})
                  </span>
                </>
              )}
            </Td>
            <Td className="text-right font-mono text-xs tabular-nums">
              {s.timeToRestore ? formatDuration(s.timeToRestore.medianSeconds) : dash}
            </Td>
            <Td>
              {s.openFailures > 0 ? (
                <Badge tone="red" data-status="failing">
                  last deploy failed
                </Badge>
              ) : s.finished > 0 ? (
                <Badge tone="green" data-status="ok">
                  ok
                </Badge>
              ) : (
                <span className="text-xs text-zinc-400">no deployments</span>
              )}
            </Td>
          </Tr>
        ))}
      </TBody>
    </Table>
  );
}

function LoadingTiles() {
  return (
    <div className="grid gap-4 sm:grid-cols-2 xl:grid-cols-4" aria-hidden>
      {[0, 1, 2, 3].map((i) => (
        <Skeleton key={i} className="h-56" />
      ))}
    </div>
  );
}

function hasAny(k: Kpis) {
  return k.finished > 0 || k.openFailures > 0;
}

export function KpisClient() {
  const trpc = useTRPC();
  const selectId = useId();
  const [weeks, setWeeks] = useState<number>(DEFAULT_WEEKS);
  const query = useQuery({
    ...trpc.metrics.dora.queryOptions({ weeks }),
    placeholderData: keepPreviousData,
    refetchInterval: 60_000,
  });
  const data = query.data;

  return (
    <>
      <PageHeader
        title="KPIs"
        description="The four DORA keys, measured from Capstan's own deployments. Weeks start Monday (UTC)."
        actions={
          <div className="flex items-center gap-2">
            {query.isPlaceholderData && <Spinner className="size-3.5 text-zinc-400" />}
            <label htmlFor={selectId} className="text-xs text-zinc-500 dark:text-zinc-400">
              Period
            </label>
            <Select
              id={selectId}
              className="w-40"
              value={String(weeks)}
              onChange={(e) => setWeeks(Number(e.target.value))}
            >
              {WEEK_CHOICES.map((w) => (
                <option key={w} value={w}>
                  Last {w} weeks
                </option>
              ))}
            </Select>
          </div>
        }
      />
      {query.error && (
        <Alert tone={data ? 'warning' : 'error'} title="Could not load the KPIs" className="mb-4">
          {describeError(query.error).message}
          {data && ' Showing the last numbers received.'}
        </Alert>
      )}
      {!data ? (
        !query.error && <LoadingTiles />
      ) : (
        <div className={cx('space-y-6 transition-opacity', query.isPlaceholderData && 'opacity-60')}>
          {!hasAny(data.overall) && data.services.length > 0 && (
            <Alert tone="info" title="No finished deployments in this period">
              The numbers fill in as deployments succeed or fail. Try a longer period.
            </Alert>
          )}
          <Tiles data={data} />
          <Card aria-labelledby="kpi-services-title">
            <CardHeader
              id="kpi-services-title"
              title="Per service"
              description={`Last ${data.weeks} weeks; deployments count in the week they finished.`}
            />
            {data.services.length === 0 ? (
              <EmptyState
                icon={<RocketIcon className="size-5" />}
                title="No services yet"
                description="Deploy a service and its delivery numbers appear here."
              />
            ) : (
              <ServiceKpiTable services={data.services} />
            )}
          </Card>
        </div>
      )}
    </>
  );
}
