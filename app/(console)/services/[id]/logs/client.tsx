'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { PageHeader } from '@/components/layout/page-header';
import { LogViewer } from '@/components/logs/log-viewer';
import { useTRPC } from '@/components/trpc/provider';
import { Alert } from '@/components/ui/alert';

export function LogsClient({ serviceId }: { serviceId: string }) {
  const trpc = useTRPC();
  const service = useQuery(trpc.services.get.queryOptions({ serviceId }));
  if (service.error) return <Alert tone="error">{service.error.message}</Alert>;
  return (
    <div className="space-y-4">
      <PageHeader
        eyebrow={
          <Link href={`/services/${serviceId}`} className="hover:underline">
            {service.data?.service.name ?? 'Service'}
          </Link>
        }
        title="Logs"
        description="Every replica's stdout and stderr, merged by time."
      />
      <LogViewer serviceId={serviceId} replicas={service.data?.replicas ?? []} />
    </div>
  );
}
