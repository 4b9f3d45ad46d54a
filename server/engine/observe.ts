import type { StoredSpec } from '@/db/schema';
import type { Replica } from '@/server/docker/engine';
import type { Deps } from '@/server/services/context';
import type { DesiredState } from '@/server/services/deployments/progress';
import type { ReplicaMark } from '@/server/services/service/templates';
import type { ActiveDeployment, ObservedReplica, ReplicaHealth, ServiceIntent } from './planner/types';
import type { TrafficPlan } from './traffic-plan';

const GONE = new Set(['exited', 'dead']);

/** The planner's view of a service's intent, from its row, its target template and its deployments. */
export function intentOf(state: DesiredState): ServiceIntent {
  const { service, spec, deployment, queued } = state;
  const active: ActiveDeployment | null =
    deployment && (deployment.status === 'pending' || deployment.status === 'in_progress')
      ? {
          id: deployment.id,
          kind: deployment.kind,
          status: deployment.status,
          toRevision: deployment.toRevision,
          startedAt: deployment.startedAt?.getTime() ?? null,
          deadlineAt: deployment.deadlineAt?.getTime() ?? null,
        }
      : null;
  return {
    serviceId: service.id,
    name: service.name,
    replicas: service.desiredReplicas,
    revision: service.desiredRevision,
    generation: service.restartGeneration,
    template: spec,
    liveFrom:
      deployment?.kind === 'live' &&
      deployment.fromRevision !== null &&
      deployment.fromRevision !== service.desiredRevision
        ? [deployment.fromRevision]
        : [],
    deployment: active,
    queuedDeploymentId: queued?.id ?? null,
  };
}

/**
 * What runs of one service, as the planner sees it: Docker's state, each replica's health judged by its
 * own revision's check, where it is on its way out of traffic, and (for replicas a rollout judges, and
 * those that stopped) what Docker says about how they ended.
 */
export async function observeReplicas(
  deps: Deps,
  intent: ServiceIntent,
  containers: Replica[],
  marks: Map<string, ReplicaMark>,
  checkOf: (serviceId: string, revision: number) => StoredSpec['healthCheck'] | null,
  traffic: TrafficPlan | null,
  now: number,
): Promise<ObservedReplica[]> {
  const judged = (c: Replica, revision: number) =>
    GONE.has(c.state) ||
    (intent.deployment !== null &&
      intent.deployment.kind !== 'live' &&
      revision === intent.revision &&
      c.generation === intent.generation);
  // Inspected together: one slow answer does not hold up the others.
  const details = await Promise.all(
    containers.map((c) =>
      judged(c, marks.get(c.id)?.revision ?? c.revision) ? deps.docker.inspectReplica(c.id) : null,
    ),
  );
  return containers.map((c, i) => {
    const mark = marks.get(c.id);
    const detail = details[i] ?? null;
    return {
      id: c.id,
      index: c.replica,
      revision: mark?.revision ?? c.revision,
      generation: c.generation,
      state: detail?.state ?? c.state,
      createdAt: c.createdAt.getTime(),
      health: healthOf(deps, c, checkOf(c.serviceId, c.revision), detail?.startedAt ?? c.createdAt, now),
      retiring: traffic?.phase(c.id) ?? 'no',
      restartRequested: mark?.restartRequestedAt != null,
      crash: detail
        ? { exitCode: detail.exitCode, oomKilled: detail.oomKilled, restartCount: detail.restartCount }
        : null,
    };
  });
}

function healthOf(
  deps: Deps,
  c: Replica,
  check: StoredSpec['healthCheck'] | null,
  startedAt: Date,
  now: number,
): ReplicaHealth {
  const probe = deps.probes.get(c.id);
  const type = check?.type ?? 'none';
  const healthy =
    type === 'none' ? probe?.healthy !== false && c.state === 'running' : probe?.healthy === true;
  const age = (now - startedAt.getTime()) / 1000;
  const failing =
    check !== null &&
    type !== 'none' &&
    probe !== undefined &&
    !probe.healthy &&
    probe.lastResult === 'fail' &&
    probe.streak >= check.unhealthyThreshold &&
    age > check.startPeriodSeconds;
  return {
    healthy,
    healthySince: probe?.healthySince ?? null,
    failing,
    lastError: probe?.lastError ?? null,
    streak: probe?.streak ?? 0,
  };
}
