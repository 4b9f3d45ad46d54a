'use client';

import { useSuspenseQuery } from '@tanstack/react-query';
import { cannotChangeReason } from '@/components/auth/permissions';
import { useSessionUser } from '@/components/auth/session';
import { serviceEventsInput } from '@/components/activity/event-inputs';
import { EventTimeline } from '@/components/activity/event-timeline';
import { describeError } from '@/components/errors/describe-error';
import { DeleteServiceButton } from '@/components/services/delete-service-button';
import { DeployForm } from '@/components/services/deploy-form';
import { DeploymentProgress } from '@/components/services/deployment-progress';
import { ResourceCharts } from '@/components/metrics/resource-charts';
import { DeploymentTable } from '@/components/services/deployment-table';
import { ReplicaTable } from '@/components/services/replica-table';
import { RestartServiceButton } from '@/components/services/restart-service-button';
import { RevisionTable } from '@/components/services/revision-table';
import { replicasText, ScaleStepper } from '@/components/services/scale-stepper';
import { ServiceHeader } from '@/components/services/service-header';
import { useTRPC } from '@/components/trpc/provider';
import { Alert } from '@/components/ui/alert';
import { ButtonLink } from '@/components/ui/button';
import { Card, CardBody, CardHeader } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { ActivityIcon, LockIcon } from '@/components/ui/icons';

export function ServiceClient({ serviceId }: { serviceId: string }) {
  const trpc = useTRPC();
  const user = useSessionUser();
  const query = useSuspenseQuery(trpc.services.get.queryOptions({ serviceId }));
  const events = useSuspenseQuery(trpc.activity.events.queryOptions(serviceEventsInput(serviceId)));
  const data = query.data;
  const { service, spec } = data;

  const gone = query.error ? describeError(query.error).code === 'NOT_FOUND' : false;
  const refreshError = query.error && !gone ? describeError(query.error).message : null;
  const cannotChange = gone ? 'This service has been deleted.' : cannotChangeReason(user, service);
  const currentRevision = service.desiredRevision ?? data.revisions[0]?.number ?? null;
  const desired = service.desiredReplicas;

  return (
    <div className="space-y-6">
      <ServiceHeader data={data} />

      {gone && (
        <Alert
          title="This service has been deleted"
          action={
            <ButtonLink href="/" size="sm">
              Back to overview
            </ButtonLink>
          }
        >
          Someone deleted it while you were looking. What you see is the last known state.
        </Alert>
      )}
      {refreshError && (
        <Alert tone="warning" title="Could not refresh">
          {refreshError} Showing the last known state.
        </Alert>
      )}

      {data.problem && (
        <Alert tone="warning" title="Capstan cannot converge this service">
          <span data-testid="service-problem">{data.problem.message}</span> Other services are not affected;
          it is tried again every few seconds.
        </Alert>
      )}

      <DeploymentProgress data={data} disabledReason={cannotChange} />

      {desired === 0 && currentRevision !== null && (
        <Alert tone="info" title={`${service.name} is scaled to zero`}>
          <span data-testid="scaled-to-zero">
            Nothing runs and its endpoint answers 503 Service Unavailable. Scale up under Replicas to serve
            again; r{currentRevision} starts with its current settings.
          </span>
        </Alert>
      )}

      <Card aria-labelledby="replicas-title">
        <CardHeader
          id="replicas-title"
          title="Replicas"
          description={
            desired === 0
              ? 'Scaled to zero.'
              : `${data.ready} of ${replicasText(desired)} of r${currentRevision ?? '—'} healthy`
          }
          actions={
            currentRevision !== null && (
              <div className="flex flex-wrap items-center justify-end gap-2">
                <ScaleStepper
                  serviceId={service.id}
                  serviceName={service.name}
                  desired={desired}
                  endpoint={data.endpoint}
                  disabledReason={cannotChange}
                />
                <RestartServiceButton
                  serviceId={service.id}
                  serviceName={service.name}
                  desired={desired}
                  disabledReason={cannotChange}
                />
              </div>
            )
          }
        />
        <ReplicaTable
          replicas={data.replicas}
          currentRevision={service.desiredRevision}
          traffic={data.traffic?.replicas}
          desired={desired}
          restart={{ serviceId: service.id, disabledReason: cannotChange }}
        />
      </Card>

      <ResourceCharts serviceId={service.id} />

      <div className="grid gap-6 lg:grid-cols-5 lg:items-start">
        <Card aria-labelledby="deploy-title" className="min-w-0 lg:col-span-3">
          <CardHeader
            id="deploy-title"
            title="Deploy"
            description={
              spec && !cannotChange
                ? `A new revision from r${currentRevision}: change the image, port, environment, resources, health check, labels or rollout strategy.`
                : undefined
            }
          />
          <CardBody>
            {cannotChange ? (
              <div
                className="flex items-start gap-3 text-sm text-zinc-600 dark:text-zinc-400"
                data-testid="deploy-locked"
              >
                <LockIcon className="mt-0.5 size-4 shrink-0 text-zinc-400" />
                <p>
                  {cannotChange}
                  {user.role === 'viewer' && ' Ask an operator or admin if you need to deploy.'}
                </p>
              </div>
            ) : spec ? (
              <DeployForm
                serviceId={service.id}
                spec={spec}
                revision={currentRevision}
                replicas={desired}
                pendingRevisions={data.deployments
                  .filter((d) => ['queued', 'pending', 'in_progress'].includes(d.status))
                  .map((d) => d.toRevision)}
              />
            ) : (
              <p className="text-sm text-zinc-500">This service has no revision yet.</p>
            )}
          </CardBody>
        </Card>

        <Card aria-labelledby="events-title" className="min-w-0 lg:col-span-2">
          <CardHeader
            id="events-title"
            title="Recent events"
            actions={
              <ButtonLink href="/activity" size="sm" variant="ghost">
                All activity
              </ButtonLink>
            }
          />
          <CardBody className="max-h-[28rem] overflow-y-auto py-2">
            {events.data.length === 0 ? (
              <EmptyState
                icon={<ActivityIcon className="size-5" />}
                title="Nothing has happened yet"
                className="py-8"
              />
            ) : (
              <EventTimeline events={events.data} compact />
            )}
          </CardBody>
        </Card>
      </div>

      <Card aria-labelledby="deployments-title">
        <CardHeader
          id="deployments-title"
          title="Deployments"
          description="Newest first; failed ones explain why."
        />
        <DeploymentTable deployments={data.deployments} />
      </Card>

      <Card aria-labelledby="revisions-title">
        <CardHeader
          id="revisions-title"
          title="Revisions"
          description="Every spec this service has had. Rolling back deploys an old revision again."
        />
        <RevisionTable
          serviceId={service.id}
          serviceName={service.name}
          revisions={data.revisions}
          currentRevision={service.desiredRevision}
          stableRevision={service.stableRevision}
          currentSpec={spec}
          desired={desired}
          disabledReason={cannotChange}
        />
      </Card>

      <Card aria-labelledby="danger-title" className="border-red-200 dark:border-red-500/30">
        <CardHeader
          id="danger-title"
          title="Danger zone"
          description="Deleting stops every replica and removes the service's history."
          className="border-b-0"
          actions={
            <DeleteServiceButton serviceId={service.id} name={service.name} disabledReason={cannotChange} />
          }
        />
      </Card>
    </div>
  );
}
