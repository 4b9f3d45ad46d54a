'use client';

import { useQuery, useSuspenseQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { cannotCreateReason } from '@/components/auth/permissions';
import { useSessionUser } from '@/components/auth/session';
import { PageHeader } from '@/components/layout/page-header';
import { ServiceSummary } from '@/components/services/service-summary';
import { ServiceTable } from '@/components/services/service-table';
import { useTRPC } from '@/components/trpc/provider';
import { ButtonLink } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { BoxIcon, PlusIcon } from '@/components/ui/icons';

export function OverviewClient() {
  const trpc = useTRPC();
  const user = useSessionUser();
  const { data } = useSuspenseQuery(trpc.services.list.queryOptions());
  // Not suspending: the table is useful before the sparklines arrive, and they refresh on their own.
  const sparklines = useQuery({ ...trpc.metrics.sparklines.queryOptions(), refetchInterval: 30_000 });
  const cpu = useMemo(
    () =>
      sparklines.data
        ? new Map(sparklines.data.services.map((s) => [s.serviceId, s]))
        : sparklines.isError
          ? null
          : undefined,
    [sparklines.data, sparklines.isError],
  );
  const canCreate = cannotCreateReason(user) === null;
  const { services } = data;

  const newButton = canCreate && (
    <ButtonLink href="/services/new" variant="primary">
      <PlusIcon className="size-3.5" /> New service
    </ButtonLink>
  );

  if (services.length === 0) {
    return (
      <>
        <PageHeader title="Overview" description="Every service Capstan runs, problems first." />
        <Card>
          <EmptyState
            icon={<BoxIcon className="size-5" />}
            title="Deploy your first service"
            description={
              canCreate
                ? 'Pick an image and a tag, say how many replicas you want, and Capstan keeps them running and healthy.'
                : 'No services yet. Someone with the developer role or above can create the first one.'
            }
            action={
              canCreate && (
                <ButtonLink href="/services/new" variant="primary">
                  <PlusIcon className="size-3.5" /> Deploy your first service
                </ButtonLink>
              )
            }
          />
        </Card>
      </>
    );
  }

  return (
    <>
      <PageHeader
        title="Overview"
        description="Every service Capstan runs, problems first."
        actions={newButton}
      />
      <div className="space-y-6">
        <ServiceSummary services={services} />
        <Card>
          <ServiceTable services={services} cpu={cpu} />
        </Card>
      </div>
    </>
  );
}
