'use client';

import { useSuspenseQuery } from '@tanstack/react-query';
import { ACTIVITY_PAGE_SIZE, activityInput } from '@/components/activity/event-inputs';
import { EventTimeline } from '@/components/activity/event-timeline';
import { PageHeader } from '@/components/layout/page-header';
import { Pager } from '@/components/layout/pager';
import { useTRPC } from '@/components/trpc/provider';
import { Card, CardBody } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { ActivityIcon } from '@/components/ui/icons';

export function ActivityClient({ before }: { before: number | undefined }) {
  const trpc = useTRPC();
  const { data: events } = useSuspenseQuery(trpc.activity.events.queryOptions(activityInput(before)));
  const { data: list } = useSuspenseQuery(trpc.services.list.queryOptions());
  const names = new Map(list.services.map((s) => [s.id, s.name]));
  const last = events.at(-1);
  const olderCursor = events.length === ACTIVITY_PAGE_SIZE && last ? last.id : null;

  return (
    <>
      <PageHeader
        title="Activity"
        description={
          before === undefined
            ? 'Deployments, replicas and container events across every service, newest first. Updates live.'
            : 'Older events.'
        }
      />
      <Card>
        {events.length === 0 ? (
          <EmptyState
            icon={<ActivityIcon className="size-5" />}
            title={before === undefined ? 'Nothing has happened yet' : 'No older events'}
            description={
              before === undefined ? 'Create or deploy a service and its story shows up here.' : undefined
            }
          />
        ) : (
          <CardBody className="py-2">
            <EventTimeline events={events} serviceNames={names} />
          </CardBody>
        )}
        <Pager basePath="/activity" before={before} olderCursor={olderCursor} />
      </Card>
    </>
  );
}
