'use client';

import Link from 'next/link';
import { Fragment } from 'react';
import { cx } from '@/components/ui/class-names';
import { focusRing } from '@/components/ui/focus-ring';
import type { Deployment } from '@/components/router-types';
import { EmptyState } from '@/components/ui/empty-state';
import { RocketIcon } from '@/components/ui/icons';
import { formatDuration, RelativeTime, useNow } from '@/components/ui/relative-time';
import { Table, TBody, Td, Th, THead, Tr } from '@/components/ui/table';
import { ActorName, DeploymentStatusBadge } from './status-badges';

function Duration({ d }: { d: Deployment }) {
  const now = useNow();
  if (d.status === 'queued') return <span className="text-zinc-400">waiting</span>;
  const start = (d.startedAt ?? d.createdAt).getTime();
  const end = d.finishedAt?.getTime() ?? now;
  return (
    <span className="tabular-nums" suppressHydrationWarning>
      {formatDuration(end - start)}
      {!d.finishedAt && '…'}
    </span>
  );
}

/** Why a deployment failed, with what the engine saw: exit code, OOM, probe, logs. */
export function DeploymentEvidence({ d }: { d: Deployment }) {
  const e = d.evidence;
  const facts: [string, string][] = [];
  if (e?.exitCode !== undefined && e.exitCode !== null) facts.push(['Exit code', String(e.exitCode)]);
  if (e?.oomKilled !== undefined)
    facts.push(['OOM killed', e.oomKilled ? 'yes — the memory limit was hit' : 'no']);
  if (e?.probe) facts.push(['Health probe', e.probe]);
  if (e?.error) facts.push(['Error', e.error]);
  return (
    <div className="space-y-3 rounded-md border border-red-200 bg-red-50/60 p-3 dark:border-red-500/20 dark:bg-red-500/5">
      <p className="text-sm font-medium text-red-800 dark:text-red-300">
        {d.outcome || 'The deployment failed.'}
      </p>
      {facts.length > 0 && (
        <dl className="grid grid-cols-[auto_minmax(0,1fr)] gap-x-4 gap-y-1 text-xs">
          {facts.map(([k, v]) => (
            <Fragment key={k}>
              <dt className="text-zinc-500 dark:text-zinc-400">{k}</dt>
              <dd className="font-mono break-words text-zinc-800 dark:text-zinc-200">{v}</dd>
            </Fragment>
          ))}
        </dl>
      )}
      {e?.logsTail && (
        <div>
          <p className="mb-1 text-xs text-zinc-500 dark:text-zinc-400">Last log lines</p>
          <pre className="max-h-64 overflow-auto rounded-md bg-zinc-950 p-3 font-mono text-[11px] leading-relaxed break-all whitespace-pre-wrap text-zinc-100 dark:bg-black/60">
            {e.logsTail}
          </pre>
        </div>
      )}
    </div>
  );
}

export function DeploymentTable({ deployments }: { deployments: Deployment[] }) {
  if (deployments.length === 0) {
    return (
      <EmptyState
        icon={<RocketIcon className="size-5" />}
        title="No deployments yet"
        description="Deploy a revision and it shows up here."
      />
    );
  }
  const latestFailed = deployments.find((d) => d.status === 'failed')?.id;
  return (
    <Table aria-label="Deployments">
      <THead>
        <tr>
          <Th>Status</Th>
          <Th>Revision</Th>
          <Th>Actor</Th>
          <Th>Reason</Th>
          <Th>Outcome</Th>
          <Th>When</Th>
          <Th>Duration</Th>
        </tr>
      </THead>
      <TBody>
        {deployments.map((d) => (
          <Fragment key={d.id}>
            <Tr data-testid="deployment-row" data-status={d.status}>
              <Td>
                <DeploymentStatusBadge status={d.status} />
              </Td>
              <Td className="font-mono text-xs whitespace-nowrap">
                <Link
                  href={`/deployments/${d.id}`}
                  className={cx(
                    'rounded hover:text-indigo-600 hover:underline dark:hover:text-indigo-400',
                    focusRing,
                  )}
                  aria-label={`Deployment of r${d.toRevision}: steps and replicas`}
                >
                  {d.fromRevision ? `r${d.fromRevision}` : '—'} → r{d.toRevision}
                </Link>
              </Td>
              <Td className="max-w-48 truncate text-xs">
                <ActorName actor={d.actor} />
              </Td>
              <Td className="max-w-56 truncate text-xs" title={d.reason}>
                {d.reason || <span className="text-zinc-400">—</span>}
              </Td>
              <Td className="max-w-64 truncate text-xs" title={d.outcome}>
                {d.outcome || <span className="text-zinc-400">—</span>}
              </Td>
              <Td className="text-xs whitespace-nowrap">
                <RelativeTime date={d.createdAt} />
              </Td>
              <Td className="text-xs">
                <Duration d={d} />
              </Td>
            </Tr>
            {d.status === 'failed' && (
              <tr className="bg-zinc-50/50 dark:bg-zinc-900/40">
                <td colSpan={7} className="px-4 pb-3">
                  <details open={d.id === latestFailed} className="group">
                    <summary className="cursor-pointer py-1.5 text-xs font-medium text-red-700 hover:underline dark:text-red-400">
                      Why r{d.toRevision} failed
                    </summary>
                    <DeploymentEvidence d={d} />
                  </details>
                </td>
              </tr>
            )}
          </Fragment>
        ))}
      </TBody>
    </Table>
  );
}
