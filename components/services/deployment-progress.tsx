import type { ServiceDetail } from '@/components/router-types';
import { Card } from '@/components/ui/card';
import { ArrowRightIcon } from '@/components/ui/icons';
import { Age, RelativeTime } from '@/components/ui/relative-time';
import { Spinner } from '@/components/ui/spinner';
import { CancelDeploymentButton } from './cancel-deployment-button';
import { ActorName, DeploymentStatusBadge } from './status-badges';

/**
 * The deployment under way: from → to, how many replicas of the new revision are healthy, and what is
 * queued behind it.
 */
export function DeploymentProgress({
  data,
  disabledReason,
}: {
  data: ServiceDetail;
  disabledReason: string | null;
}) {
  const d = data.activeDeployment;
  const queued = data.deployments.filter((x) => x.status === 'queued').reverse();
  if (!d && queued.length === 0) return null;
  const mine = d ? data.replicas.filter((r) => r.revision === d.toRevision) : [];
  const healthy = mine.filter((r) => r.health === 'healthy').length;
  const starting = mine.filter((r) => r.health === 'starting').length;
  const desired = data.desired;
  const pct = desired === 0 ? 100 : Math.round((Math.min(healthy, desired) / desired) * 100);
  return (
    <Card
      aria-labelledby="deployment-progress-title"
      className="overflow-hidden border-indigo-200 dark:border-indigo-500/30"
      data-testid="deployment-progress"
    >
      {d ? (
        <>
          <div className="flex flex-wrap items-center gap-x-4 gap-y-2 px-4 py-3">
            <Spinner className="size-4 text-indigo-600 dark:text-indigo-400" />
            <h2 id="deployment-progress-title" className="flex items-center gap-1.5 text-sm font-semibold">
              Deploying
              <span className="font-mono">{d.fromRevision ? `r${d.fromRevision}` : 'nothing'}</span>
              <ArrowRightIcon className="size-3.5 text-zinc-400" />
              <span className="font-mono">r{d.toRevision}</span>
            </h2>
            <DeploymentStatusBadge status={d.status} />
            <span className="text-xs text-zinc-500 dark:text-zinc-400">
              by <ActorName actor={d.actor} /> · running for <Age since={d.startedAt ?? d.createdAt} />
            </span>
            <span className="ml-auto flex items-center gap-4">
              <span className="text-sm tabular-nums" aria-live="polite">
                <span className="font-semibold">{healthy}</span>
                <span className="text-zinc-500 dark:text-zinc-400">/{desired} replicas ready</span>
                {starting > 0 && (
                  <span className="ml-2 text-xs text-amber-600 dark:text-amber-400">{starting} starting</span>
                )}
              </span>
              <CancelDeploymentButton deployment={d} disabledReason={disabledReason} />
            </span>
          </div>
          <div
            className="h-1 bg-indigo-100 dark:bg-indigo-500/10"
            role="progressbar"
            aria-label="Replicas ready"
            aria-valuemin={0}
            aria-valuemax={desired}
            aria-valuenow={healthy}
          >
            <div
              className="h-full bg-indigo-500 transition-[width] duration-500"
              style={{ width: `${pct}%` }}
            />
          </div>
          {d.reason && (
            <p className="px-4 py-2 text-xs text-zinc-500 dark:text-zinc-400">Reason: {d.reason}</p>
          )}
        </>
      ) : (
        <h2 id="deployment-progress-title" className="px-4 pt-3 text-sm font-semibold">
          Queued deployments
        </h2>
      )}
      {queued.length > 0 && (
        <ul
          className="divide-y divide-zinc-100 border-t border-zinc-100 dark:divide-zinc-800 dark:border-zinc-800"
          aria-label="Queued deployments"
        >
          {queued.map((q, i) => (
            <li
              key={q.id}
              className="flex flex-wrap items-center gap-x-3 gap-y-1 px-4 py-2 text-xs"
              data-testid="queued-deployment"
            >
              <DeploymentStatusBadge status={q.status} />
              <span className="font-mono">r{q.toRevision}</span>
              <span className="text-zinc-500 dark:text-zinc-400">
                {i === 0 ? 'next' : `#${i + 1} in line`} · <ActorName actor={q.actor} /> ·{' '}
                <RelativeTime date={q.createdAt} />
                {q.reason && ` · ${q.reason}`}
              </span>
              <span className="ml-auto">
                <CancelDeploymentButton deployment={q} disabledReason={disabledReason} />
              </span>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
