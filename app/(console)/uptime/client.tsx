'use client';

import { useSuspenseQuery } from '@tanstack/react-query';
import { PageHeader } from '@/components/layout/page-header';
import { ServiceUptimeCard } from '@/components/metrics/service-uptime-card';
import { useTRPC } from '@/components/trpc/provider';
import { Card } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { ActivityIcon, BoxIcon } from '@/components/ui/icons';

const DESCRIPTION =
  'Availability is the share of 5-second samples in which a service that wanted replicas had at least one healthy one.';

export function UptimeClient() {
  const trpc = useTRPC();
  const { data } = useSuspenseQuery({ ...trpc.metrics.uptime.queryOptions({}), refetchInterval: 30_000 });
  const hasData = data.services.some((s) => s.windows['30d'].expected > 0);

  return (
    <>
      <PageHeader title="Uptime" description={DESCRIPTION} />
      {data.services.length === 0 ? (
        <Card>
          <EmptyState
            icon={<BoxIcon className="size-5" />}
            title="No services yet"
            description="Once a service runs, Capstan records its availability here."
          />
        </Card>
      ) : (
        <div className="space-y-6">
          {!hasData && (
            <Card>
              <EmptyState
                icon={<ActivityIcon className="size-5" />}
                title="No availability data yet"
                description="Capstan samples every 5 s; check back in a minute."
                className="py-8"
              />
            </Card>
          )}
          {data.services.map((s) => (
            <ServiceUptimeCard key={s.serviceId} service={s} />
          ))}
          <p className="text-xs text-zinc-500 dark:text-zinc-400">
            Burn rate is how fast the error budget is being spent: 1× uses it up in exactly 30 days. The page
            alert fires when both the last hour and the last 5 minutes burn faster than 14.4× (2 % of the
            budget in an hour); the ticket alert when the last 6 hours and 30 minutes burn faster than 6×.
          </p>
        </div>
      )}
    </>
  );
}
