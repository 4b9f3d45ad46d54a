import type { ObservedReplica, RolloutStrategy, StrategyInput } from './types';

export const isRunning = (c: ObservedReplica) => c.state === 'running';
/** Serves requests now: running, passed its check, not on its way out. */
export const isHealthy = (c: ObservedReplica) => isRunning(c) && c.health.healthy && c.retiring === 'no';

/**
 * Kubernetes' rolling update: new replicas start while the total stays within replicas + maxSurge; outdated
 * ones retire while the available ones stay at or above replicas − maxUnavailable. A new replica is
 * available once it has been healthy for minReadySeconds. A replica on its way out of traffic counts as
 * unavailable and uses no surge.
 */
export const rolling: RolloutStrategy = {
  name: 'rolling',
  step(input: StrategyInput) {
    const { now, replicas, maxSurge, maxUnavailable, minReadySeconds } = input;
    const available = (c: ObservedReplica) =>
      isHealthy(c) && now - (c.health.healthySince ?? now) >= minReadySeconds * 1000;

    // Outdated replicas retire, the ones serving nothing first, while enough stay available.
    const minAvailable = replicas - maxUnavailable;
    let availableNow = input.current.filter(available).length + input.outdated.filter(isHealthy).length;
    const order = input.outdated
      .filter((c) => c.retiring === 'no')
      .sort((a, b) => Number(isHealthy(a)) - Number(isHealthy(b)) || b.index - a.index);
    const retire: ObservedReplica[] = [];
    for (const c of order) {
      const counts = isHealthy(c);
      if (counts && availableNow - 1 < minAvailable) break;
      if (counts) availableNow--;
      retire.push(c);
    }

    // New replicas start within the surge budget. A replica retired now, draining or stopping frees its place
    // (like a terminating pod): its stop runs while the rollout takes its next step.
    const outdatedRunning = input.outdated.filter(
      (c) => isRunning(c) && c.retiring === 'no' && !retire.includes(c),
    ).length;
    const missing = Math.max(0, replicas - input.current.length);
    const budget =
      outdatedRunning === 0 ? missing : replicas + maxSurge - (input.current.length + outdatedRunning);
    return { start: Math.max(0, Math.min(missing, budget)), retire };
  },
};
