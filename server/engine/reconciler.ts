import type { DeploymentEvidence } from '@/db/schema';
import { DockerError, type Replica } from '@/server/docker/engine';
import { asSystem, type Deps } from '@/server/services/context';
import {
  failDeployment,
  listDesiredStates,
  markInProgress,
  succeedDeployment,
  type DesiredState,
} from '@/server/services/deployments/progress';
import { recordEvent } from '@/server/services/events/record';
import { registryAuthFor } from '@/server/services/registries/credentials';
import { imageRef, openEnv } from '@/server/services/service/spec';

const GONE = new Set(['exited', 'dead']);

/**
 * One level-triggered pass for one service: compare the desired state in the database with the containers
 * Docker reports (by label) and take the next step. Safe to run at any time, any number of times, after a
 * crash at any line: every step is decided from what is observed now.
 */
export async function reconcileService(deps: Deps, desired: DesiredState, all: Replica[]): Promise<void> {
  const ctx = asSystem(deps, 'reconciler');
  const { service, spec } = desired;
  let deployment = desired.deployment;
  const containers = all.filter((c) => c.serviceId === service.id);
  const target = service.desiredRevision;

  if (target === null || !spec) {
    for (const c of containers) await deps.docker.removeReplica(c.id);
    return;
  }
  if (deployment?.status === 'pending') deployment = (await markInProgress(ctx, deployment.id)) ?? deployment;
  const active = deployment && deployment.toRevision === target ? deployment : null;

  const mine = containers.filter((c) => c.revision === target);
  const others = containers.filter((c) => c.revision !== target);

  // Duplicates of one replica index (a crash between create and record) and replicas beyond the count go.
  const byIndex = new Map<number, Replica>();
  for (const c of mine.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())) {
    if (c.replica >= spec.replicas || byIndex.has(c.replica)) await deps.docker.removeReplica(c.id);
    else byIndex.set(c.replica, c);
  }

  if (active) {
    const failure = await detectFailure(deps, active, spec.healthCheck, [...byIndex.values()]);
    if (failure) {
      await failDeployment(ctx, active.id, failure.reason, failure.evidence);
      return; // the next pass converges to the revision the service now points at
    }
  }

  const missing = [...Array(spec.replicas).keys()].filter((i) => !byIndex.has(i));
  if (missing.length > 0) {
    const ref = imageRef(spec);
    try {
      const pulled = await deps.docker.ensureImage(ref, await registryAuthFor(deps, spec.image));
      if (pulled === 'pulled') {
        await recordEvent(deps.db, {
          serviceId: service.id,
          deploymentId: active?.id,
          kind: 'image.pulled',
          message: `Pulled ${ref}`,
        });
      }
    } catch (err) {
      if (active && err instanceof DockerError) {
        await failDeployment(ctx, active.id, 'image pull failed', { error: err.message });
        return;
      }
      throw err;
    }
    const env = openEnv(spec, deps.box);
    for (const i of missing) {
      // A replica that stopped for good (restart policy gave up) is replaced outside a deployment.
      const id = await deps.docker.createReplica({
        serviceId: service.id,
        serviceName: service.name,
        revision: target,
        replica: i,
        deploymentId: active?.id ?? null,
        image: ref,
        env,
        port: spec.port,
        cpus: spec.resources.cpus,
        memoryMb: spec.resources.memoryMb,
        labels: spec.labels,
      });
      await recordEvent(deps.db, {
        serviceId: service.id,
        deploymentId: active?.id,
        kind: 'replica.started',
        message: `Replica ${i} of revision ${target} started (${id.slice(0, 12)})`,
      });
    }
    deps.bus.publish({ type: 'service', serviceId: service.id, reason: 'replicas-started' });
    return;
  }

  // Outside a deployment, a replica that stopped for good (its restart policy gave up) is replaced.
  if (!active) {
    for (const c of byIndex.values()) {
      if (!GONE.has(c.state)) continue;
      const detail = await deps.docker.inspectReplica(c.id);
      await recordEvent(deps.db, {
        serviceId: service.id,
        kind: 'replica.replaced',
        message: `Replica ${c.replica} stopped (exit ${detail?.exitCode ?? '?'}${detail?.oomKilled ? ', OOM killed' : ''}); replacing it`,
        data: { exitCode: detail?.exitCode ?? null, oomKilled: detail?.oomKilled ?? false },
      });
      await deps.docker.removeReplica(c.id, 0);
    }
  }

  const healthy = [...byIndex.values()].filter(
    (c) => c.state === 'running' && isHealthy(deps, c.id, spec.healthCheck.type),
  );
  if (healthy.length < spec.replicas) return;

  // Every replica of the desired revision serves: the old ones can go, gracefully.
  for (const c of others) await deps.docker.removeReplica(c.id);
  if (others.length > 0)
    deps.bus.publish({ type: 'service', serviceId: service.id, reason: 'old-replicas-removed' });
  if (active) {
    const started = active.startedAt ?? active.createdAt;
    await succeedDeployment(ctx, active.id, {
      healthy: healthy.length,
      seconds: (Date.now() - started.getTime()) / 1000,
    });
  }
}

function isHealthy(deps: Deps, containerId: string, type: 'http' | 'tcp' | 'none'): boolean {
  const probe = deps.probes.get(containerId);
  return type === 'none' ? probe?.healthy !== false : probe?.healthy === true;
}

async function detectFailure(
  deps: Deps,
  deployment: NonNullable<DesiredState['deployment']>,
  check: NonNullable<DesiredState['spec']>['healthCheck'],
  replicas: Replica[],
): Promise<{ reason: string; evidence: DeploymentEvidence } | null> {
  for (const c of replicas) {
    const detail = await deps.docker.inspectReplica(c.id);
    if (!detail) continue;
    const crashed = GONE.has(detail.state) || detail.restartCount > 0 || detail.state === 'restarting';
    if (crashed) {
      const logsTail = await deps.docker.logsTail(c.id, 30);
      const why = detail.oomKilled
        ? 'ran out of memory (OOM killed)'
        : `exited with code ${detail.exitCode ?? '?'}`;
      return {
        reason: `replica ${c.replica} crashed: ${why}${detail.restartCount ? ` after ${detail.restartCount} restart(s)` : ''}`,
        evidence: { exitCode: detail.exitCode, oomKilled: detail.oomKilled, logsTail: logsTail.slice(-4000) },
      };
    }
    const probe = deps.probes.get(c.id);
    const age = detail.startedAt ? (Date.now() - detail.startedAt.getTime()) / 1000 : 0;
    if (
      check.type !== 'none' &&
      probe &&
      !probe.healthy &&
      probe.lastResult === 'fail' &&
      probe.streak >= check.unhealthyThreshold &&
      age > check.startPeriodSeconds
    ) {
      const logsTail = await deps.docker.logsTail(c.id, 30);
      return {
        reason: `replica ${c.replica} failed its health check ${probe.streak} times in a row (${probe.lastError})`,
        evidence: {
          probe: `${check.type} ${check.type === 'http' ? check.path : ''}: ${probe.lastError}`.trim(),
          logsTail: logsTail.slice(-4000),
        },
      };
    }
  }
  if (deployment.deadlineAt && Date.now() > deployment.deadlineAt.getTime()) {
    return { reason: 'progress deadline passed before every replica was healthy', evidence: {} };
  }
  return null;
}

export async function reconcileAll(deps: Deps, only?: Set<string>): Promise<void> {
  const states = await listDesiredStates(deps.db);
  const all = await deps.docker.listReplicas();
  // Containers whose service row is gone (deleted service) are removed too.
  const known = new Set(states.map((s) => s.service.id));
  for (const c of all) if (!known.has(c.serviceId)) await deps.docker.removeReplica(c.id);
  for (const s of states) {
    if (only && !only.has(s.service.id)) continue;
    await reconcileService(deps, s, all);
  }
}
