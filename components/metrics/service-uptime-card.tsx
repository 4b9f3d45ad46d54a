'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { AvailabilityStrip } from '@/components/charts/availability-strip';
import { formatRatio } from '@/components/charts/chart-format';
import { roleAtLeast } from '@/components/auth/permissions';
import { useSessionUser } from '@/components/auth/session';
import { describeError } from '@/components/errors/describe-error';
import type { RouterOutputs } from '@/components/router-types';
import { useTRPC } from '@/components/trpc/provider';
import { Alert } from '@/components/ui/alert';
import { Card, CardBody, CardHeader } from '@/components/ui/card';
import { cx } from '@/components/ui/class-names';
import { focusRing } from '@/components/ui/focus-ring';
import { Skeleton } from '@/components/ui/skeleton';
import { BurnRateTable } from './burn-rate-table';
import { ErrorBudgetBar } from './error-budget-bar';
import { SloTargetForm } from './slo-target-form';

type UptimeService = RouterOutputs['metrics']['uptime']['services'][number];
type Slo = RouterOutputs['metrics']['slo'];

const WINDOWS = ['24h', '7d', '30d'] as const;

/** Green at or above the objective (99.9 % without one), amber within 1 %, red below. */
function availabilityTone(a: number | null, target: number | null) {
  if (a === null) return 'text-zinc-400 dark:text-zinc-500';
  const t = target ?? 0.999;
  if (a >= t) return 'text-emerald-600 dark:text-emerald-400';
  if (a >= 0.99 * t) return 'text-amber-600 dark:text-amber-400';
  return 'text-red-600 dark:text-red-400';
}

function SloPanel({ slo, service }: { slo: Slo; service: UptimeService }) {
  const user = useSessionUser();
  const canEdit = roleAtLeast(user.role, 'operator');
  return (
    <div className="space-y-4">
      {canEdit ? (
        <SloTargetForm
          key={slo.targetPercent ?? 'none'}
          serviceId={service.serviceId}
          serviceName={service.name}
          targetPercent={slo.targetPercent}
        />
      ) : (
        <div>
          <p className="text-xs font-medium text-zinc-700 dark:text-zinc-300">Availability objective</p>
          <p
            className="mt-0.5 text-sm text-zinc-900 tabular-nums dark:text-zinc-100"
            data-testid="slo-target"
          >
            {slo.targetPercent === null ? (
              <span className="text-zinc-500 dark:text-zinc-400">None set</span>
            ) : (
              `${slo.targetPercent} %`
            )}
          </p>
          <p className="text-xs text-zinc-500 dark:text-zinc-400">Operators and admins can change it.</p>
        </div>
      )}
      <div>
        <p className="mb-1.5 text-xs font-medium text-zinc-700 dark:text-zinc-300">Error budget, 30 days</p>
        {slo.errorBudget ? (
          <ErrorBudgetBar remaining={slo.errorBudget.remaining} />
        ) : (
          <p className="text-xs text-zinc-500 dark:text-zinc-400">
            {slo.targetPercent === null
              ? 'Set an objective to get a budget: the share of samples allowed to be down.'
              : 'No samples yet.'}
          </p>
        )}
      </div>
    </div>
  );
}

/** One service's availability: the three windows, the 30-day strip, its objective, budget and burn rates. */
export function ServiceUptimeCard({ service }: { service: UptimeService }) {
  const trpc = useTRPC();
  const slo = useQuery({
    ...trpc.metrics.slo.queryOptions({ serviceId: service.serviceId }),
    refetchInterval: 30_000,
  });
  const target = slo.data?.targetPercent != null ? slo.data.targetPercent / 100 : null;
  const titleId = `uptime-${service.serviceId}`;

  return (
    <Card aria-labelledby={titleId} data-testid={`uptime-${service.name}`}>
      <CardHeader
        id={titleId}
        title={
          <Link
            href={`/services/${service.serviceId}`}
            className={cx('rounded-sm hover:text-indigo-600 dark:hover:text-indigo-400', focusRing)}
          >
            {service.name}
          </Link>
        }
        description={
          slo.data?.sli.expected
            ? `${slo.data.sli.up.toLocaleString('en')} of ${slo.data.sli.expected.toLocaleString('en')} samples in 30 days had a healthy replica`
            : 'Share of samples with at least one healthy replica'
        }
      />
      <CardBody className="grid gap-6 lg:grid-cols-5">
        <div className="space-y-4 lg:col-span-3">
          <dl className="grid grid-cols-3 gap-3">
            {WINDOWS.map((w) => {
              const a = service.windows[w].availability;
              return (
                <div key={w}>
                  <dt className="text-xs text-zinc-500 dark:text-zinc-400">Last {w}</dt>
                  <dd
                    className={cx(
                      'text-xl font-semibold tracking-tight tabular-nums',
                      availabilityTone(a, target),
                    )}
                    data-testid={`availability-${w}`}
                  >
                    {a === null ? '—' : formatRatio(a, a === 1 ? 0 : 2)}
                  </dd>
                </div>
              );
            })}
          </dl>
          <AvailabilityStrip
            days={service.days}
            targetRatio={target}
            label={`${service.name}: availability per day, last 30 days`}
          />
        </div>
        <div className="lg:col-span-2">
          {slo.data ? (
            <SloPanel slo={slo.data} service={service} />
          ) : slo.error ? (
            <Alert title="Could not load the objective">{describeError(slo.error).message}</Alert>
          ) : (
            <div className="space-y-3" aria-hidden>
              <Skeleton className="h-3 w-32" />
              <Skeleton className="h-8 w-48" />
              <Skeleton className="h-2 w-full" />
            </div>
          )}
        </div>
      </CardBody>
      {slo.data && (
        <div className="border-t border-zinc-200 dark:border-zinc-800">
          <BurnRateTable slo={slo.data} />
        </div>
      )}
    </Card>
  );
}
