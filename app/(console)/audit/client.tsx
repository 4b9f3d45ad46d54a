'use client';

import { useSuspenseQuery } from '@tanstack/react-query';
import { AUDIT_PAGE_SIZE, auditInput } from '@/components/activity/event-inputs';
import { AuditTable } from '@/components/activity/audit-table';
import { PageHeader } from '@/components/layout/page-header';
import { Pager } from '@/components/layout/pager';
import { useTRPC } from '@/components/trpc/provider';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { ShieldIcon } from '@/components/ui/icons';

export function AuditClient({ before }: { before: number | undefined }) {
  const trpc = useTRPC();
  const audit = useSuspenseQuery(trpc.activity.audit.queryOptions(auditInput(before)));
  const entries = audit.data;
  const { data: list } = useSuspenseQuery(trpc.services.list.queryOptions());
  const { data: users } = useSuspenseQuery(trpc.users.list.queryOptions());
  const targets = new Map<string, { label: string; href?: string }>([
    // Targets are ids, or names and emails for creations.
    ...list.services.map((s) => [s.id, { label: s.name, href: `/services/${s.id}` }] as const),
    ...list.services.map((s) => [s.name, { label: s.name, href: `/services/${s.id}` }] as const),
    ...users.map((u) => [u.id, { label: u.email, href: '/users' }] as const),
  ]);
  const last = entries.at(-1);
  const olderCursor = entries.length === AUDIT_PAGE_SIZE && last ? last.id : null;

  return (
    <>
      <PageHeader
        title="Audit log"
        description="Every change anyone asked for, refused ones included, with where it came from."
        actions={
          <Button onClick={() => void audit.refetch()} loading={audit.isRefetching}>
            Refresh
          </Button>
        }
      />
      <Card>
        {entries.length === 0 ? (
          <EmptyState
            icon={<ShieldIcon className="size-5" />}
            title="No entries"
            description="Changes show up here as people make them."
          />
        ) : (
          <AuditTable entries={entries} targets={targets} />
        )}
        <Pager basePath="/audit" before={before} olderCursor={olderCursor} />
      </Card>
    </>
  );
}
