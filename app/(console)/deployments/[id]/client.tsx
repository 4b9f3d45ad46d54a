'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { cannotChangeReason } from '@/components/auth/permissions';
import { PageHeader } from '@/components/layout/page-header';
import { DeploymentSteps } from '@/components/deployments/deployment-steps';
import { TrafficShare } from '@/components/deployments/traffic-share';
import { CancelDeploymentButton } from '@/components/services/cancel-deployment-button';
import { DeploymentEvidence } from '@/components/services/deployment-table';
import { ReplicaTable } from '@/components/services/replica-table';
import { ActorName, DeploymentStatusBadge } from '@/components/services/status-badges';
import { useTRPC } from '@/components/trpc/provider';
import { Alert } from '@/components/ui/alert';
import { Card, CardHeader } from '@/components/ui/card';
import { ArrowRightIcon } from '@/components/ui/icons';
import { formatDuration, RelativeTime } from '@/components/ui/relative-time';

export function DeploymentClient({ deploymentId }: { deploymentId: string }) {
  const trpc = useTRPC();
  const detail = useQuery(trpc.services.deployment.queryOptions({ deploymentId }));
  const status = useQuery(trpc.auth.status.queryOptions());
  const service = useQuery({
    ...trpc.services.get.queryOptions({ serviceId: detail.data?.service.id ?? '' }),
    enabled: Boolean(detail.data),
  });
  if (detail.error) return <Alert tone="error">{detail.error.message}</Alert>;
  if (!detail.data) return null;
  const { deployment: d, to, from, steps, replicas, progress } = detail.data;
  const active = d.status === 'pending' || d.status === 'in_progress' || d.status === 'queued';
  const user = status.data?.user ?? null;
  const disabledReason =
    user && service.data ? cannotChangeReason(user, service.data.service) : 'Checking your permissions…';
  const finishedIn = d.finishedAt
    ? formatDuration(d.finishedAt.getTime() - (d.startedAt ?? d.createdAt).getTime())
    : null;
  return (
    <div className="space-y-6">
      <PageHeader
        eyebrow={
          <Link href={`/services/${detail.data.service.id}`} className="hover:underline">
            {detail.data.service.name}
          </Link>
        }
        title={
          <>
            <span className="font-mono">{from ? `r${from.number}` : 'nothing'}</span>
            <ArrowRightIcon className="size-4 text-zinc-400" />
            <span className="font-mono">r{d.toRevision}</span>
            <DeploymentStatusBadge status={d.status} />
          </>
        }
        description={
          <>
            Requested by <ActorName actor={d.actor} /> <RelativeTime date={d.createdAt} />
            {finishedIn && ` · finished in ${finishedIn}`}
            {d.reason && ` · ${d.reason}`}
          </>
        }
        actions={
          active ? <CancelDeploymentButton deployment={d} disabledReason={disabledReason} /> : undefined
        }
      />

      <div className="grid gap-4 md:grid-cols-3">
        <Card className="p-4">
          <p className="text-xs text-zinc-500 dark:text-zinc-400">From</p>
          <p className="mt-1 font-mono text-sm">{from ? `${from.image} × ${from.replicas}` : '—'}</p>
        </Card>
        <Card className="p-4">
          <p className="text-xs text-zinc-500 dark:text-zinc-400">To</p>
          <p className="mt-1 font-mono text-sm">{to ? `${to.image} × ${to.replicas}` : '—'}</p>
          {to?.summary && <p className="mt-1 text-xs text-zinc-500 dark:text-zinc-400">{to.summary}</p>}
        </Card>
        <Card className="p-4">
          <p className="text-xs text-zinc-500 dark:text-zinc-400">New revision ready</p>
          <p className="mt-1 text-sm tabular-nums" data-testid="deployment-ready">
            <span className="font-semibold">{progress.healthyNew}</span>
            <span className="text-zinc-500 dark:text-zinc-400">/{progress.desired} replicas</span>
          </p>
          <TrafficShare share={progress.newShare} />
        </Card>
      </div>

      {d.status === 'failed' && <DeploymentEvidence d={d} />}
      {d.status === 'cancelled' && <Alert tone="warning">{d.outcome}</Alert>}

      <Card aria-labelledby="replicas-title">
        <CardHeader
          id="replicas-title"
          title="Replicas"
          description={
            active
              ? 'Every replica of the service now, with the last step this deployment took on it.'
              : 'The replicas this deployment started, drained or stopped: the last step it took on each, and their state now where they still exist.'
          }
        />
        <ReplicaTable replicas={replicas} currentRevision={d.toRevision} />
      </Card>

      <Card aria-labelledby="steps-title">
        <CardHeader
          id="steps-title"
          title="Steps"
          description="Every step of this rollout, in order, as it was recorded."
        />
        <DeploymentSteps steps={steps} startedAt={d.startedAt ?? d.createdAt} />
      </Card>
    </div>
  );
}
