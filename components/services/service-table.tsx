import Link from 'next/link';
import { formatCpu } from '@/components/charts/chart-format';
import { Sparkline } from '@/components/charts/sparkline';
import type { ServiceListItem } from '@/components/router-types';
import { cx } from '@/components/ui/class-names';
import { focusRing } from '@/components/ui/focus-ring';
import { LockIcon } from '@/components/ui/icons';
import { RelativeTime } from '@/components/ui/relative-time';
import { Table, TBody, Td, Th, THead, Tr } from '@/components/ui/table';
import { ReplicaMeter } from './replica-meter';
import { ActorName, DeploymentStatusBadge, HealthBadge } from './status-badges';

export type CpuSparkline = { cpu: (number | null)[]; latest: number | null };

/**
 * Every service, problems first (the server sorts), each row leading to its page. `cpu` holds each
 * service's CPU over the last hour by id: undefined while loading, null when it could not be loaded.
 */
export function ServiceTable({
  services,
  cpu,
}: {
  services: ServiceListItem[];
  cpu?: ReadonlyMap<string, CpuSparkline> | null;
}) {
  return (
    <Table aria-label="Services">
      <THead>
        <tr>
          <Th>Service</Th>
          <Th>Health</Th>
          <Th>Replicas</Th>
          <Th>CPU, last hour</Th>
          <Th>Image</Th>
          <Th>Revision</Th>
          <Th>Last deploy</Th>
        </tr>
      </THead>
      <TBody>
        {services.map((s) => (
          <Tr key={s.id} className="relative" data-testid={`service-row-${s.name}`}>
            <Td className="max-w-64">
              <Link
                href={`/services/${s.id}`}
                className={cx(
                  'font-medium text-zinc-900 after:absolute after:inset-0 hover:text-indigo-600 dark:text-zinc-100 dark:hover:text-indigo-400',
                  'rounded-sm',
                  focusRing,
                )}
              >
                {s.name}
              </Link>
              {s.protected && (
                <span title="Protected">
                  <LockIcon className="ml-1.5 inline size-3 text-zinc-400" />
                  <span className="sr-only"> (protected)</span>
                </span>
              )}
              {s.description && (
                <p className="truncate text-xs text-zinc-500 dark:text-zinc-400">{s.description}</p>
              )}
            </Td>
            <Td>
              <HealthBadge health={s.health} />
            </Td>
            <Td>
              <ReplicaMeter ready={s.ready} desired={s.desired} />
            </Td>
            <Td>
              <CpuCell
                line={cpu?.get(s.id)}
                state={cpu === undefined ? 'loading' : cpu === null ? 'error' : 'ready'}
              />
            </Td>
            <Td className="max-w-56 truncate font-mono text-xs" title={s.image ?? undefined}>
              {s.image ?? <span className="text-zinc-400">—</span>}
            </Td>
            <Td className="font-mono text-xs tabular-nums">{s.revision ? `r${s.revision}` : '—'}</Td>
            <Td>
              {s.lastDeploy ? (
                <div className="flex items-center gap-2">
                  <DeploymentStatusBadge status={s.lastDeploy.status} />
                  <span className="truncate text-xs text-zinc-500 dark:text-zinc-400">
                    r{s.lastDeploy.toRevision} · <RelativeTime date={s.lastDeploy.createdAt} /> ·{' '}
                    <ActorName actor={s.lastDeploy.actor} />
                  </span>
                </div>
              ) : (
                <span className="text-xs text-zinc-400">never deployed</span>
              )}
            </Td>
          </Tr>
        ))}
      </TBody>
    </Table>
  );
}

const CPU_PLACEHOLDER = { loading: '…', error: 'unavailable', ready: 'no samples' } as const;

function CpuCell({ line, state }: { line: CpuSparkline | undefined; state: keyof typeof CPU_PLACEHOLDER }) {
  if (!line || line.latest === null) {
    return (
      <span className="text-xs text-zinc-400" data-testid="cpu-sparkline-empty">
        {CPU_PLACEHOLDER[state]}
      </span>
    );
  }
  return (
    <div className="flex items-center gap-2" data-testid="cpu-sparkline">
      <Sparkline values={line.cpu} label={`CPU over the last hour, now ${formatCpu(line.latest)}`} />
      <span className="w-14 text-right font-mono text-xs text-zinc-500 tabular-nums dark:text-zinc-400">
        {formatCpu(line.latest)}
      </span>
    </div>
  );
}
