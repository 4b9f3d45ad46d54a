import type { Replica } from '@/server/docker/engine';
import type { ProbeLookup } from '../health/probe-store';

export type ReplicaView = {
  id: string;
  name: string;
  revision: number;
  replica: number;
  state: string;
  status: string;
  hostPort: number | null;
  health: 'healthy' | 'unhealthy' | 'starting' | 'stopped';
  lastError: string | null;
  createdAt: Date;
};

export type ServiceHealth = 'healthy' | 'degraded' | 'down' | 'idle' | 'deploying' | 'scaled-to-zero';

/**
 * A replica as the console shows it. `probes` is the prober's store in its own process, or verdicts read
 * from the shared table elsewhere. A running replica that is not healthy yet is 'starting' while its
 * revision's start period lasts (failed probes then are expected), and 'unhealthy' after a failed probe
 * once it is over.
 */
export function replicaView(
  deps: { probes: ProbeLookup },
  r: Replica,
  startPeriodSeconds = 0,
  now = Date.now(),
): ReplicaView {
  const probe = deps.probes.get(r.id);
  const inStartPeriod = now - r.createdAt.getTime() < startPeriodSeconds * 1000;
  let health: ReplicaView['health'];
  if (r.state !== 'running') health = 'stopped';
  else if (probe?.healthy) health = 'healthy';
  else if (probe?.lastResult === 'fail' && !inStartPeriod) health = 'unhealthy';
  else health = 'starting';
  return {
    id: r.id,
    name: r.name,
    revision: r.revision,
    replica: r.replica,
    state: r.state,
    status: r.status,
    hostPort: r.hostPort,
    health,
    lastError: probe?.lastError ?? null,
    createdAt: r.createdAt,
  };
}

/** Overall health of a service from its replicas of the desired revision. */
export function serviceHealth(s: {
  /** No revision to run yet. */
  undeployed: boolean;
  desired: number;
  ready: number;
  deploying: boolean;
  /** A first deploy failed: nothing ever served. */
  neverServed: boolean;
}): ServiceHealth {
  if (s.deploying) return 'deploying';
  // A first deploy that failed leaves nothing serving: that is down, not idle.
  if (s.neverServed) return 'down';
  if (s.undeployed) return 'idle';
  if (s.desired === 0) return 'scaled-to-zero';
  if (s.ready === 0) return 'down';
  return s.ready < s.desired ? 'degraded' : 'healthy';
}
