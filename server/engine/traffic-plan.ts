import type { Replica } from '@/server/docker/engine';
import type { Backend } from '@/server/proxy/types';
import type { Deps } from '@/server/services/context';
import type { DesiredState } from '@/server/services/deployments/progress';
import { recordEvent } from '@/server/services/events/record';

/**
 * Which replicas receive traffic, derived every pass: running replicas that passed their health check are
 * ready, replicas being retired drain, everything else is out of the proxy. A retired replica is stopped
 * only once its requests have finished (or the drain timeout passed).
 */
export class TrafficPlan {
  private readonly retiring = new Map<string, number>();
  private serving = new Set<string>();
  /** Drained replicas being stopped in the background; they stay retiring until Docker no longer lists them. */
  private readonly stopping = new Set<string>();
  /** Replicas whose stop finished; a listing taken before then may still show them. */
  private readonly stopped = new Set<string>();
  /** Replicas whose stop was begun (and recorded) once: a stop that failed is tried again, not recorded again. */
  private readonly begun = new Set<string>();

  constructor(
    private readonly deps: Deps,
    private readonly drainTimeoutMs = 15_000,
  ) {}

  isRetiring(containerId: string): boolean {
    return this.retiring.has(containerId);
  }

  /** Where a replica is on its way out: draining its requests, or out of traffic with its stop begun. */
  phase(containerId: string): 'no' | 'draining' | 'stopping' {
    if (this.stopping.has(containerId) || this.stopped.has(containerId) || this.begun.has(containerId))
      return 'stopping';
    return this.retiring.has(containerId) ? 'draining' : 'no';
  }

  /** Serves every service's healthy replicas; returns the services whose endpoint could not be served. */
  async sync(states: DesiredState[], replicas: Replica[]): Promise<{ serviceId: string; error: string }[]> {
    const proxy = this.deps.proxy;
    if (!proxy) return [];
    const alive = new Set(replicas.map((r) => r.id));
    for (const id of this.retiring.keys()) if (!alive.has(id)) this.retiring.delete(id);
    for (const id of this.stopped) if (!alive.has(id)) this.stopped.delete(id);
    for (const id of this.begun) if (!alive.has(id)) this.begun.delete(id);
    const backends: Backend[] = [];
    const nowServing = new Set<string>();
    for (const s of states) {
      const port = s.spec?.endpointPort;
      if (!port) continue;
      const servers = replicas
        .filter((r) => r.serviceId === s.service.id && r.state === 'running' && r.hostPort !== null)
        .filter((r) => this.retiring.has(r.id) || this.deps.probes.get(r.id)?.healthy === true)
        .map((r) => ({
          id: r.id,
          host: '127.0.0.1',
          port: r.hostPort!,
          state: this.retiring.has(r.id) ? ('drain' as const) : ('ready' as const),
        }));
      for (const server of servers) if (server.state === 'ready') nowServing.add(server.id);
      // One text whatever the reason: a text that changed with the count would reload HAProxy, and its old
      // worker would answer one more request on each idle connection with the old text.
      const emptyReply = `${s.service.name} has no replica ready to serve requests: it is scaled to zero, or its replicas are starting or failing their health check. Try again shortly.`;
      backends.push({ serviceId: s.service.id, name: s.service.name, listenPort: port, servers, emptyReply });
    }
    const { refused } = await proxy.sync(backends);
    // A replica that began retiring while the proxy synced (a pass runs beside this) serves no more: it
    // neither joins the serving set nor gets an in-traffic event it would contradict a moment later.
    for (const id of nowServing) if (this.retiring.has(id)) nowServing.delete(id);
    for (const r of replicas) {
      if (nowServing.has(r.id) && !this.serving.has(r.id)) {
        await recordEvent(this.deps.db, {
          serviceId: r.serviceId,
          deploymentId: r.deploymentId,
          kind: 'replica.in-traffic',
          message: `Replica ${r.replica} of revision ${r.revision} receives traffic`,
          data: { containerId: r.id, replica: r.replica, revision: r.revision },
        });
      }
    }
    this.serving = nowServing;
    return refused;
  }

  /**
   * Takes a replica out of traffic and stops it once drained. 'draining' while its requests finish;
   * 'stopped' when the stop began now; 'stopping' while a stop begun earlier is under way, or is tried
   * again after it failed (it serves nothing by then); 'gone' when that stop has finished (the caller's
   * listing is older than it).
   */
  async retire(
    replica: Replica,
    deploymentId: string | null,
    reason = '',
  ): Promise<'draining' | 'stopped' | 'stopping' | 'gone'> {
    if (this.stopped.has(replica.id)) return 'gone';
    if (this.stopping.has(replica.id)) return 'stopping';
    const proxy = this.deps.proxy;
    const inProxy = this.serving.has(replica.id) || this.retiring.has(replica.id);
    if (proxy && inProxy && replica.state === 'running') {
      let started = this.retiring.get(replica.id);
      if (started === undefined) {
        started = Date.now();
        this.retiring.set(replica.id, started);
        this.serving.delete(replica.id);
        await proxy.drain(replica.serviceId, replica.id).catch(() => undefined);
        await recordEvent(this.deps.db, {
          serviceId: replica.serviceId,
          deploymentId,
          kind: 'replica.draining',
          message: `Replica ${replica.replica} of revision ${replica.revision} drains: no new requests${reason ? ` (${reason})` : ''}`,
          data: { containerId: replica.id, replica: replica.replica, revision: replica.revision },
        });
      }
      const sessions = await proxy.activeSessions(replica.serviceId, replica.id).catch(() => 0);
      if (sessions > 0 && Date.now() - started < this.drainTimeoutMs) return 'draining';
    }
    // Out of traffic and drained: the graceful stop runs while the rollout takes its next step.
    this.retiring.set(replica.id, this.retiring.get(replica.id) ?? Date.now());
    this.stopping.add(replica.id);
    void this.deps.docker
      .removeReplica(replica.id)
      .then(() => this.stopped.add(replica.id))
      .catch(() => undefined)
      .finally(() => this.stopping.delete(replica.id));
    if (this.begun.has(replica.id)) return 'stopping';
    this.begun.add(replica.id);
    return 'stopped';
  }
}
