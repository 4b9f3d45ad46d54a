import type { DeploymentEvidence } from '@/db/schema';
import { DockerError, type Replica } from '@/server/docker/engine';
import { asSystem, type Deps } from '@/server/services/context';
import {
  failDeployment,
  listDesiredStates,
  markInProgress,
  promoteQueued,
  succeedDeployment,
  type DesiredState,
} from '@/server/services/deployments/progress';
import { recordEvent } from '@/server/services/events/record';
import { registryAuthFor } from '@/server/services/registries/credentials';
import { imageRef, openEnv, strategyOf } from '@/server/services/service/spec';
import type { TrafficPlan } from './traffic-plan';

const GONE = new Set(['exited', 'dead']);
type Spec = NonNullable<DesiredState['spec']>;

/**
 * One level-triggered pass for one service: compare the desired state in the database with the containers
 * Docker reports (by label) and take the next step of a rolling update. Safe to run at any time, any number
 * of times, after a crash at any line: every step is decided from what is observed now.
 *
 * Rolling update: new replicas start while the total stays within replicas + maxSurge; old replicas stop
 * while the available ones stay at or above replicas − maxUnavailable. A new replica is available once it
 * has passed its health check for minReadySeconds.
 */
export async function reconcileService(
  deps: Deps,
  desired: DesiredState,
  all: Replica[],
  traffic: TrafficPlan | null = null,
): Promise<PassResult> {
  const ctx = asSystem(deps, 'reconciler');
  const { service, spec, queued } = desired;
  let deployment = desired.deployment;
  if (!deployment && queued) {
    await promoteQueued(ctx, queued.id);
    return 'progress'; // the next pass works on the promoted deployment
  }
  const containers = all.filter((c) => c.serviceId === service.id);
  const target = service.desiredRevision;

  if (target === null || !spec) {
    for (const c of containers) await deps.docker.removeReplica(c.id);
    return containers.length > 0 ? 'progress' : 'idle';
  }
  const strategy = strategyOf(spec);
  if (deployment?.status === 'pending') {
    deployment = (await markInProgress(ctx, deployment.id, strategy.progressDeadlineSeconds)) ?? deployment;
  }
  const active = deployment && deployment.toRevision === target ? deployment : null;
  const note = (kind: string, message: string, data?: Record<string, unknown>) =>
    recordEvent(deps.db, { serviceId: service.id, deploymentId: active?.id, kind, message, data });

  // A container created but never started (a crash or an engine restart between the two) is removed and
  // made anew: nothing else would ever start it. Passes never overlap, so no create of ours is half-way.
  for (const c of containers.filter((c) => c.state === 'created')) {
    await note(
      'replica.removed',
      `Replica ${c.replica} of revision ${c.revision} never started; replacing it`,
      {
        containerId: c.id,
        replica: c.replica,
        revision: c.revision,
      },
    );
    await deps.docker.removeReplica(c.id, 0);
  }
  const live = containers.filter((c) => c.state !== 'created');

  // Duplicates of one replica index (a crash between create and record) and replicas beyond the count go.
  const byIndex = new Map<number, Replica>();
  for (const c of live
    .filter((c) => c.revision === target)
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())) {
    if (c.replica >= spec.replicas || byIndex.has(c.replica)) await deps.docker.removeReplica(c.id);
    else byIndex.set(c.replica, c);
  }
  const mine = [...byIndex.values()];

  if (active) {
    const failure = await detectFailure(deps, active, spec, mine);
    if (failure) {
      await failDeployment(ctx, active.id, failure.reason, failure.evidence);
      return 'progress'; // the next pass converges to the revision the service now points at
    }
  } else {
    // Outside a deployment, a replica that stopped for good (its restart policy gave up) is replaced.
    for (const c of mine.filter((c) => GONE.has(c.state))) {
      const detail = await deps.docker.inspectReplica(c.id);
      await note(
        'replica.replaced',
        `Replica ${c.replica} stopped (exit ${detail?.exitCode ?? '?'}${detail?.oomKilled ? ', OOM killed' : ''}); replacing it`,
        { exitCode: detail?.exitCode ?? null, oomKilled: detail?.oomKilled ?? false },
      );
      await deps.docker.removeReplica(c.id, 0);
      byIndex.delete(c.replica);
    }
  }

  const now = Date.now();
  // A replica being drained out of traffic serves nothing new: it does not count as available.
  const healthy = (c: Replica) =>
    c.state === 'running' && isHealthy(deps, c.id, spec.healthCheck.type) && !traffic?.isRetiring(c.id);
  const available = (c: Replica) => {
    if (!healthy(c)) return false;
    const since = deps.probes.get(c.id)?.healthySince ?? now;
    return now - since >= strategy.minReadySeconds * 1000;
  };
  let old = live.filter((c) => c.revision !== target);

  let result: PassResult = 'idle';

  // 1. Start missing new replicas within the surge budget.
  const taken = new Set(byIndex.keys());
  const startMissing = async (): Promise<boolean> => {
    const missing = [...Array(spec.replicas).keys()].filter((i) => !taken.has(i));
    // A replica draining out of traffic is on its way out: like a terminating pod, it uses no surge.
    const oldRunning = old.filter((c) => c.state === 'running' && !traffic?.isRetiring(c.id)).length;
    const budget =
      oldRunning === 0 ? missing.length : spec.replicas + strategy.maxSurge - (taken.size + oldRunning);
    const toStart = missing.slice(0, Math.max(0, budget));
    if (toStart.length === 0) return false;
    const ref = imageRef(spec);
    const pull = async () => {
      try {
        const pulled = await deps.docker.ensureImage(ref, await registryAuthFor(deps, spec.image));
        if (pulled === 'pulled') await note('image.pulled', `Pulled ${ref}`);
      } catch (err) {
        if (active && err instanceof DockerError) {
          await failDeployment(ctx, active.id, 'image pull failed', { error: err.message });
          throw new PullFailed();
        }
        throw err;
      }
    };
    // A replica of this revision was made from the image, so it is here: asking Docker again costs each
    // step of a rollout a round trip. Should it have been removed meanwhile, the create says so and we pull.
    const present = live.some((c) => c.revision === target);
    if (!present) await pull();
    const env = openEnv(spec, deps.box);
    for (const i of toStart) {
      const create = () =>
        deps.docker.createReplica({
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
      const id = await create().catch(async (err: unknown) => {
        if (!present || !(err instanceof DockerError) || err.statusCode !== 404) throw err;
        await pull();
        return create();
      });
      taken.add(i);
      await note('replica.started', `Replica ${i} of revision ${target} started (${id.slice(0, 12)})`, {
        containerId: id,
        replica: i,
        revision: target,
      });
    }
    deps.bus.publish({ type: 'service', serviceId: service.id, reason: 'replicas-started' });
    return true;
  };
  try {
    if (await startMissing()) result = 'progress';
  } catch (err) {
    if (err instanceof PullFailed) return 'progress';
    throw err;
  }

  // 2. Stop old replicas while enough stay available: the unavailable ones first, they serve nothing.
  const newAvailable = mine.filter(available).length;
  const minAvailable = spec.replicas - strategy.maxUnavailable;
  let availableNow = newAvailable + old.filter(healthy).length;
  const order = [...old].sort((a, b) => Number(healthy(a)) - Number(healthy(b)) || b.replica - a.replica);
  for (const c of order) {
    const counts = healthy(c);
    if (counts && availableNow - 1 < minAvailable) break;
    if (counts) availableNow--;
    const outcome = traffic
      ? await traffic.retire(c, active?.id ?? null)
      : (await deps.docker.removeReplica(c.id), 'stopped');
    if (outcome === 'draining') {
      if (result === 'idle') result = 'waiting';
      continue;
    }
    // Out of traffic with its stop under way or done (recorded when it began): the rollout is past it.
    old = old.filter((o) => o.id !== c.id);
    if (outcome === 'stopping' || outcome === 'gone') continue;
    result = 'progress';
    await note(
      'replica.stopped',
      `Replica ${c.replica} of revision ${c.revision} stopped (${c.id.slice(0, 12)})`,
      {
        containerId: c.id,
        replica: c.replica,
        revision: c.revision,
      },
    );
    deps.bus.publish({ type: 'service', serviceId: service.id, reason: 'old-replica-removed' });
  }

  // 1 again: an old replica taken out of traffic just now frees surge for the next new one, in this pass.
  if (taken.size < spec.replicas) {
    try {
      if (await startMissing()) result = 'progress';
    } catch (err) {
      if (err instanceof PullFailed) return 'progress';
      throw err;
    }
  }

  // 3. Done when every new replica is available and no old one is left.
  if (active && old.length === 0 && newAvailable >= spec.replicas && byIndex.size === spec.replicas) {
    const started = active.startedAt ?? active.createdAt;
    await succeedDeployment(ctx, active.id, {
      healthy: newAvailable,
      seconds: (Date.now() - started.getTime()) / 1000,
    });
  }
  // A rollout still under way is waiting for replicas to start or turn healthy: look again soon.
  return result === 'idle' && active ? 'waiting' : result;
}

/** The image could not be pulled and the deployment was failed for it. */
class PullFailed extends Error {}

function isHealthy(deps: Deps, containerId: string, type: 'http' | 'tcp' | 'none'): boolean {
  const probe = deps.probes.get(containerId);
  return type === 'none' ? probe?.healthy !== false : probe?.healthy === true;
}

async function detectFailure(
  deps: Deps,
  deployment: NonNullable<DesiredState['deployment']>,
  spec: Spec,
  replicas: Replica[],
): Promise<{ reason: string; evidence: DeploymentEvidence } | null> {
  const check = spec.healthCheck;
  // Inspected together: one slow answer does not hold up the others.
  const details = await Promise.all(replicas.map((c) => deps.docker.inspectReplica(c.id)));
  for (const [i, c] of replicas.entries()) {
    const detail = details[i];
    if (!detail) continue;
    const crashed = GONE.has(detail.state) || detail.restartCount > 0 || detail.state === 'restarting';
    // Restarted already, and its die event not yet seen: judge on the next pass, with the exit code.
    if (crashed && detail.state === 'running' && detail.exitCode === null) continue;
    if (crashed) {
      const logsTail = await deps.docker.logsTail(c.id, 30);
      const why = detail.oomKilled
        ? 'ran out of memory (OOM killed)'
        : `exited with code ${detail.exitCode ?? '?'}`;
      return {
        // Exit 0 is no crash of the application: something stopped it (e.g. the engine restarting).
        reason: `replica ${c.replica} ${detail.exitCode === 0 && !detail.oomKilled ? 'stopped unexpectedly' : 'crashed'}: ${why}${detail.restartCount ? ` after ${detail.restartCount} restart(s)` : ''}`,
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
    return { reason: 'progress deadline passed before every replica was available', evidence: {} };
  }
  return null;
}

/** progress: something changed, take the next step now; waiting: a rollout waits on a replica; idle: converged. */
export type PassResult = 'progress' | 'waiting' | 'idle';

export async function reconcileAll(
  deps: Deps,
  traffic: TrafficPlan | null = null,
  /** What the caller just read, to save reading it again; read now when not given. */
  observed?: { states: DesiredState[]; replicas: Replica[] },
): Promise<PassResult> {
  const states = observed?.states ?? (await listDesiredStates(deps.db));
  const all = observed?.replicas ?? (await deps.docker.listReplicas());
  // Replicas that became healthy join the traffic before any old one is drained in this pass.
  await traffic?.sync(states, all);
  // Containers of this installation whose service row is gone (a deleted service) are removed too.
  const known = new Set(states.map((s) => s.service.id));
  for (const c of all) if (!known.has(c.serviceId)) await deps.docker.removeReplica(c.id);
  const results: PassResult[] = [];
  for (const s of states) results.push(await reconcileService(deps, s, all, traffic));
  // After progress the next pass follows at once and syncs first; otherwise settle the proxy now.
  if (results.includes('progress')) return 'progress';
  if (traffic) await traffic.sync(await listDesiredStates(deps.db), await deps.docker.listReplicas());
  return results.includes('waiting') ? 'waiting' : 'idle';
}
