import Link from 'next/link';
import type { RouterOutputs } from '@/components/router-types';
import { Badge } from '@/components/ui/badge';
import { cx } from '@/components/ui/class-names';
import { focusRing } from '@/components/ui/focus-ring';
import { RelativeTime } from '@/components/ui/relative-time';
import { Table, TBody, Td, Th, THead, Tr } from '@/components/ui/table';
import { ActorName } from '@/components/services/status-badges';

type Entry = RouterOutputs['activity']['audit'][number];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-/i;

/** Who did what to what, when, from where, and whether it worked. */
export function AuditTable({
  entries,
  targets,
}: {
  entries: Entry[];
  targets: Map<string, { label: string; href?: string }>;
}) {
  return (
    <Table aria-label="Audit log">
      <THead>
        <tr>
          <Th>When</Th>
          <Th>Who</Th>
          <Th>Action</Th>
          <Th>Target</Th>
          <Th>Outcome</Th>
          <Th>IP</Th>
          <Th>User agent</Th>
        </tr>
      </THead>
      <TBody>
        {entries.map((e) => {
          const target = targets.get(e.target);
          return (
            <Tr key={e.id} data-testid="audit-row" data-action={e.action} data-outcome={e.outcome}>
              <Td className="text-xs whitespace-nowrap">
                <RelativeTime date={e.at} />
              </Td>
              <Td className="max-w-48 truncate text-xs">
                <ActorName actor={e.actor} />
              </Td>
              <Td className="font-mono text-xs whitespace-nowrap">{e.action}</Td>
              <Td className="max-w-48 truncate text-xs" title={e.target}>
                {target?.href ? (
                  <Link
                    href={target.href}
                    className={cx(
                      'rounded-sm text-indigo-600 hover:underline dark:text-indigo-400',
                      focusRing,
                    )}
                  >
                    {target.label}
                  </Link>
                ) : (
                  (target?.label ??
                  (e.target ? (
                    <span className={UUID.test(e.target) ? 'font-mono' : undefined}>{e.target}</span>
                  ) : (
                    <span className="text-zinc-400">—</span>
                  )))
                )}
              </Td>
              <Td className="max-w-72 text-xs">
                {e.outcome === 'ok' ? (
                  <Badge tone="green">ok</Badge>
                ) : e.outcome === 'pending' ? (
                  <Badge
                    tone="neutral"
                    title="Under way, or its outcome could not be recorded (the server stopped meanwhile)"
                  >
                    pending
                  </Badge>
                ) : (
                  <span className="flex items-start gap-2">
                    <Badge tone="red">error</Badge>
                    <span
                      className="line-clamp-2 text-red-700 dark:text-red-400"
                      title={e.error ?? undefined}
                    >
                      {e.error}
                    </span>
                  </span>
                )}
              </Td>
              <Td className="font-mono text-xs whitespace-nowrap">
                {e.ip ?? <span className="text-zinc-400">—</span>}
              </Td>
              <Td
                className="max-w-48 truncate text-xs text-zinc-500 dark:text-zinc-400"
                title={e.userAgent ?? undefined}
              >
                {e.userAgent ?? '—'}
              </Td>
            </Tr>
          );
        })}
      </TBody>
    </Table>
  );
}
