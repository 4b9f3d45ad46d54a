import { strategyOrDefault } from '@/server/services/service/schema';
import { imageRef } from '@/server/services/service/spec';
import { isHealthy, rolling } from './rolling';
import type { Action, ObservedReplica, PlanInput, PlanResult, RolloutStrategy } from './types';

const GONE = new Set(['exited', 'dead']);

/**
 * The next steps for one service, decided only from what is observed now: level-triggered, so planning
 * again after any crash gives the steps still missing. Pure: no I/O, no clock but `now`.
 */
export function plan(input: PlanInput): PlanResult {
  const { intent, now } = input;
  const actions: Action[] = [];
  const deployment = intent.deployment;

  if (!deployment && intent.queuedDeploymentId) {
    // The next pass works on the promoted deployment and the revision it points the service at.
    return { actions: [{ type: 'promote-queued', deploymentId: intent.queuedDeploymentId }], waiting: false };
  }
  if (deployment?.status === 'pending')
    actions.push({ type: 'begin-deployment', deploymentId: deployment.id });

  const template = intent.template;
  if (intent.revision === null || !template) {
    for (const c of input.replicas) actions.push(retireOrRemove(c, 'the service has no revision to run'));
    return { actions, waiting: false };
  }
  const target = intent.revision;
  const active = deployment && deployment.toRevision === target ? deployment : null;

  // A container created but never started (a crash or an engine restart between the two) is removed and
  // made anew: nothing else would ever start it.
  const live: ObservedReplica[] = [];
  for (const c of input.replicas) {
    // Docker is removing it already (a removal it may be stuck in): it counts for nothing, and its place is
    // filled like any missing replica's.
    if (c.state === 'removing') continue;
    if (c.state === 'created')
      actions.push({
        type: 'remove',
        containerId: c.id,
        reason: `Replica ${c.index} of revision ${c.revision} never started; replacing it`,
        event: 'replica.removed',
      });
    else live.push(c);
  }

  // Sort what runs into the target template and the rest; replicas of a revision that differs only in its
  // limits become the target by a live update.
  const current: ObservedReplica[] = [];
  const outdated: ObservedReplica[] = [];
  for (const c of live) {
    if (c.generation === intent.generation && c.revision === target) current.push(c);
    else if (
      c.generation === intent.generation &&
      intent.liveFrom.includes(c.revision) &&
      c.retiring === 'no' &&
      !GONE.has(c.state)
    ) {
      actions.push({ type: 'update-limits', containerId: c.id, revision: target });
      current.push({ ...c, revision: target });
    } else outdated.push(c);
  }

  // Replicas already on their way out keep going (retiring again is how their drain is followed).
  for (const c of live.filter((c) => c.retiring !== 'no'))
    actions.push({ type: 'retire', containerId: c.id, reason: 'continues retiring' });
  let mine = current.filter((c) => c.retiring === 'no');

  if (active && active.kind !== 'live') {
    const failure = judge(mine, now, active.deadlineAt);
    if (failure) {
      actions.push({ type: 'fail-deployment', deploymentId: active.id, ...failure });
      // The next pass converges to the revision the service now points at.
      return { actions, waiting: false };
    }
  } else {
    // Outside a rollout, a replica that stopped for good (its restart policy gave up) is replaced.
    for (const c of mine.filter((c) => GONE.has(c.state))) {
      const why = c.crash?.oomKilled
        ? 'OOM killed'
        : `exit ${c.crash?.exitCode ?? '?'}${c.crash?.restartCount ? ` after ${c.crash.restartCount} restart(s)` : ''}`;
      actions.push({
        type: 'remove',
        containerId: c.id,
        reason: `Replica ${c.index} stopped (${why}); replacing it`,
        event: 'replica.replaced',
      });
    }
    mine = mine.filter((c) => !GONE.has(c.state));
  }

  // A replica someone asked to restart is drained and stopped; its place is filled like any missing one.
  for (const c of mine.filter((c) => c.restartRequested)) {
    actions.push({ type: 'retire', containerId: c.id, reason: `Replica ${c.index} restarts on request` });
  }
  mine = mine.filter((c) => !c.restartRequested);

  // Two replicas of one index (a crash between create and record): the younger goes.
  const byIndex = new Map<number, ObservedReplica>();
  for (const c of [...mine].sort((a, b) => a.createdAt - b.createdAt)) {
    const twin = byIndex.get(c.index);
    if (twin) actions.push(retireOrRemove(c, `Replica ${c.index} is a duplicate; removing it`));
    else byIndex.set(c.index, c);
  }
  mine = [...byIndex.values()];

  // Scale down: the replicas beyond the count retire, the ones serving nothing and the highest indexes first.
  if (mine.length > intent.replicas) {
    const extra = [...mine]
      .sort((a, b) => Number(isHealthy(a)) - Number(isHealthy(b)) || b.index - a.index)
      .slice(0, mine.length - intent.replicas);
    for (const c of extra)
      actions.push(retireOrRemove(c, `Replica ${c.index} is beyond the ${intent.replicas} wanted`));
    mine = mine.filter((c) => !extra.includes(c));
  }

  const strategy = strategyOrDefault(template.strategy);
  // The one strategy today; canary and blue-green are further RolloutStrategy modules chosen here.
  const rollout: RolloutStrategy = rolling;
  const step = rollout.step({
    now,
    replicas: intent.replicas,
    maxSurge: strategy.maxSurge,
    maxUnavailable: strategy.maxUnavailable,
    minReadySeconds: strategy.minReadySeconds,
    current: mine,
    outdated,
  });
  for (const c of step.retire) {
    actions.push(
      retireOrRemove(
        c,
        c.generation !== intent.generation && c.revision === target
          ? `Replica ${c.index} is replaced by the rolling restart`
          : `Replica ${c.index} of revision ${c.revision} is replaced by revision ${target}`,
      ),
    );
  }

  let waiting = false;
  if (step.start > 0) {
    // Replicas of this revision were made from its image, so it is here (should it have been removed
    // meanwhile, the start says so and the image is pulled).
    const imageHere = input.image === 'present' || (input.image !== 'missing' && current.length > 0);
    if (!imageHere && typeof input.image === 'object') {
      if (active)
        actions.push({
          type: 'fail-deployment',
          deploymentId: active.id,
          reason: 'image pull failed',
          containerId: null,
          error: input.image.failed,
        });
      return { actions, waiting: false, blocked: `its image cannot be pulled: ${input.image.failed}` };
    }
    if (!imageHere) {
      actions.push({ type: 'pull', image: imageRef(template) });
      waiting = true;
    } else {
      const taken = new Set(mine.map((c) => c.index));
      let started = 0;
      for (let i = 0; started < step.start; i++) {
        if (taken.has(i)) continue;
        started++;
        actions.push({
          type: 'start',
          index: i,
          revision: target,
          reason: active ? `deploying revision ${target}` : `${intent.replicas} replica(s) wanted`,
        });
      }
    }
  }

  const stillOutdated = outdated.filter((c) => c.retiring !== 'stopping' && !step.retire.includes(c));
  const availableNew = mine.filter(
    (c) => isHealthy(c) && now - (c.health.healthySince ?? now) >= strategy.minReadySeconds * 1000,
  ).length;
  if (
    active &&
    stillOutdated.length === 0 &&
    mine.length === intent.replicas &&
    availableNew >= intent.replicas &&
    step.start === 0
  ) {
    actions.push({
      type: 'succeed-deployment',
      deploymentId: active.id,
      healthy: availableNew,
      seconds: (now - (active.startedAt ?? now)) / 1000,
      afterRetiring: step.retire.map((c) => c.id),
    });
  } else if (active) waiting = true;
  if (live.some((c) => c.retiring === 'draining')) waiting = true;
  return { actions, waiting };
}

/** A replica serving nothing goes at once; one that may serve is drained first. */
function retireOrRemove(c: ObservedReplica, reason: string): Action {
  return c.state === 'running'
    ? { type: 'retire', containerId: c.id, reason }
    : { type: 'remove', containerId: c.id, reason };
}

/** Why the rollout failed, from the replicas of the new template, or null while it may still succeed. */
function judge(
  replicas: ObservedReplica[],
  now: number,
  deadlineAt: number | null,
): { reason: string; containerId: string | null } | null {
  for (const c of replicas) {
    const crash = c.crash;
    const crashed =
      GONE.has(c.state) || c.state === 'restarting' || (crash !== null && crash.restartCount > 0);
    // Restarted already, and its exit not yet known: judged on the next pass, with the exit code.
    if (crashed && c.state === 'running' && crash?.exitCode == null) continue;
    if (crashed) {
      const why = crash?.oomKilled
        ? 'ran out of memory (OOM killed)'
        : `exited with code ${crash?.exitCode ?? '?'}`;
      const what = crash?.exitCode === 0 && !crash.oomKilled ? 'stopped unexpectedly' : 'crashed';
      const after = crash?.restartCount ? ` after ${crash.restartCount} restart(s)` : '';
      return { reason: `replica ${c.index} ${what}: ${why}${after}`, containerId: c.id };
    }
    if (c.health.failing) {
      return {
        reason: `replica ${c.index} failed its health check ${c.health.streak} times in a row (${c.health.lastError ?? 'failed'})`,
        containerId: c.id,
      };
    }
  }
  if (deadlineAt !== null && now > deadlineAt)
    return { reason: 'progress deadline passed before every replica was available', containerId: null };
  return null;
}
