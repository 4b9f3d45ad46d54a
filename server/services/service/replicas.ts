import type { Replica } from '@/server/docker/engine';
import type { Deps } from '../context';

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

export function replicaView(deps: Pick<Deps, 'probes'>, r: Replica): ReplicaView {
  const probe = deps.probes.get(r.id);
  let health: ReplicaView['health'];
  if (r.state !== 'running') health = 'stopped';
  else if (probe?.healthy) health = 'healthy';
  else if (probe?.lastResult === 'fail') health = 'unhealthy';
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
export function serviceHealth(
  desired: number,
  ready: number,
  deploying: boolean,
  neverServed = false,
): 'healthy' | 'degraded' | 'down' | 'idle' | 'deploying' {
  if (deploying) return 'deploying';
  // A first deploy that failed leaves nothing serving: that is down, not idle.
  if (neverServed) return 'down';
  if (desired === 0) return 'idle';
  if (ready === 0) return 'down';
  return ready < desired ? 'degraded' : 'healthy';
}
