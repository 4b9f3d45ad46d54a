import type { Replica } from '@/components/router-types';
import { cx } from '@/components/ui/class-names';
import { EmptyState } from '@/components/ui/empty-state';
import { focusRing } from '@/components/ui/focus-ring';
import { BoxIcon, ExternalLinkIcon } from '@/components/ui/icons';
import { Age } from '@/components/ui/relative-time';
import { Table, TBody, Td, Th, THead, Tr } from '@/components/ui/table';
import { RestartReplicaButton } from './restart-replica-button';
import { ReplicaHealthBadge } from './status-badges';

/** Replicas exactly as Docker reports them, with the latest probe verdict and a restart per row. */
export function ReplicaTable({
  replicas,
  currentRevision,
  traffic,
  desired,
  restart,
}: {
  /** With `step`: a deployment's replicas, and the last step it recorded on each. */
  replicas: (Replica & { step?: string | null })[];
  currentRevision: number | null;
  /** Per-replica counts from the proxy, when it routes this service's traffic. */
  traffic?: { containerId: string; requests: number; errors5xx: number; state: string }[];
  /** The service's replica count, where the table shows the service now: 0 reads "scaled to zero". */
  desired?: number;
  /** On the service page: a restart per row, or why this person may not restart one. */
  restart?: { serviceId: string; disabledReason: string | null };
}) {
  const steps = replicas.some((r) => r.step !== undefined);
  if (replicas.length === 0) {
    return desired === 0 ? (
      <EmptyState
        icon={<BoxIcon className="size-5" />}
        title="Scaled to zero"
        description="No replica runs and the endpoint answers 503. Scale up to serve again."
      />
    ) : (
      <EmptyState
        icon={<BoxIcon className="size-5" />}
        title="No replicas running"
        description="Deploy a revision to start its replicas."
      />
    );
  }
  return (
    <Table aria-label="Replicas">
      <THead>
        <tr>
          <Th>Replica</Th>
          <Th>Revision</Th>
          <Th>State</Th>
          <Th>Health</Th>
          {steps && <Th>Last step</Th>}
          <Th>Host port</Th>
          {traffic && <Th>Traffic</Th>}
          <Th>Age</Th>
          <Th>Last probe error</Th>
          {restart && (
            <Th className="relative text-right">
              <span className="sr-only">Actions</span>
            </Th>
          )}
        </tr>
      </THead>
      <TBody>
        {replicas.map((r) => (
          <Tr
            key={r.id}
            data-testid="replica-row"
            data-health={r.health}
            data-revision={r.revision}
            data-container-id={r.id}
          >
            <Td className="font-mono text-xs whitespace-nowrap">
              <span title={r.id}>{r.name}</span>
              <span className="block text-[11px] text-zinc-400 dark:text-zinc-500">{r.id.slice(0, 12)}</span>
            </Td>
            <Td className="font-mono text-xs">
              r{r.revision}
              {currentRevision !== null && r.revision !== currentRevision && (
                <span className="ml-1.5 text-zinc-400">{r.revision < currentRevision ? 'old' : 'new'}</span>
              )}
            </Td>
            <Td>
              <span className="text-xs" title={r.status}>
                {r.state}
              </span>
            </Td>
            <Td>
              <ReplicaHealthBadge health={r.health} />
            </Td>
            {steps && <Td className="text-xs">{r.step ?? <span className="text-zinc-400">—</span>}</Td>}
            <Td>
              {r.hostPort ? (
                <a
                  href={`http://127.0.0.1:${r.hostPort}`}
                  target="_blank"
                  rel="noreferrer"
                  className={cx(
                    'relative inline-flex items-center gap-1 rounded-sm font-mono text-xs text-indigo-600 hover:underline dark:text-indigo-400',
                    focusRing,
                  )}
                >
                  {r.hostPort}
                  <ExternalLinkIcon className="size-3" />
                  <span className="sr-only">(opens http://127.0.0.1:{r.hostPort} in a new tab)</span>
                </a>
              ) : (
                <span className="text-zinc-400">—</span>
              )}
            </Td>
            {traffic && (
              <Td className="font-mono text-xs whitespace-nowrap tabular-nums">
                <TrafficCell stats={traffic.find((t) => t.containerId === r.id)} />
              </Td>
            )}
            <Td className="text-xs tabular-nums">
              <Age since={r.createdAt} />
            </Td>
            <Td
              className="max-w-72 truncate font-mono text-xs text-red-600 dark:text-red-400"
              title={r.lastError ?? undefined}
            >
              {r.lastError ?? <span className="text-zinc-400">—</span>}
            </Td>
            {restart && (
              <Td className="text-right">
                <RestartReplicaButton
                  serviceId={restart.serviceId}
                  replica={r}
                  disabledReason={restart.disabledReason}
                />
              </Td>
            )}
          </Tr>
        ))}
      </TBody>
    </Table>
  );
}

function TrafficCell({ stats }: { stats?: { requests: number; errors5xx: number; state: string } }) {
  if (!stats) return <span className="text-zinc-400">not in rotation</span>;
  return (
    <span title={`proxy state: ${stats.state}`}>
      {stats.requests} req
      {stats.errors5xx > 0 && (
        <span className="ml-1 text-red-600 dark:text-red-400">{stats.errors5xx} 5xx</span>
      )}
      {stats.state === 'drain' && <span className="ml-1 text-amber-600 dark:text-amber-400">draining</span>}
    </span>
  );
}
