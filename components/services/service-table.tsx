import Link from 'next/link';
import type { ServiceListItem } from '@/components/router-types';
import { cx } from '@/components/ui/class-names';
import { focusRing } from '@/components/ui/focus-ring';
import { LockIcon } from '@/components/ui/icons';
import { RelativeTime } from '@/components/ui/relative-time';
import { Table, TBody, Td, Th, THead, Tr } from '@/components/ui/table';
import { ReplicaMeter } from './replica-meter';
import { ActorName, DeploymentStatusBadge, HealthBadge } from './status-badges';

/** Every service, problems first (the server sorts), each row leading to its page. */
export function ServiceTable({ services }: { services: ServiceListItem[] }) {
  return (
    <Table aria-label="Services">
      <THead>
        <tr>
          <Th>Service</Th>
          <Th>Health</Th>
          <Th>Replicas</Th>
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
