import type { Deps } from '@/server/services/context';
import { listDesiredStates } from '@/server/services/deployments/progress';
import { recordEvent } from '@/server/services/events/record';
import { followDockerEvents } from './docker-events';
import { HealthProber } from './health-prober';
import { reconcileAll } from './reconciler';
import { TrafficPlan } from './traffic-plan';

const WAITING_MS = 200;

export type LoopOptions = {
  probeIntervalMs: number;
  reconcileIntervalMs: number;
  log?: (msg: string) => void;
};

/**
 * The one loop that probes replicas and converges services. Passes never overlap; a wake-up (an API
 * change, a Docker event, a health flip) runs the next pass at once instead of at the next interval.
 */
export class ControlLoop {
  private readonly prober: HealthProber;
  private readonly traffic: TrafficPlan | null;
  private readonly abort = new AbortController();
  private dirty = true;
  private soon = false;
  private wakeUp: (() => void) | null = null;
  private lastReconcile = 0;
  private stopped: Promise<void> | null = null;
  private lastError: string | null = null;
  passes = 0;

  constructor(
    private readonly deps: Deps,
    private readonly opts: LoopOptions,
  ) {
    // A verdict that arrives after its pass stopped waiting (a replica slow to answer) wakes the loop.
    this.prober = new HealthProber(deps, () => this.wake());
    this.traffic = deps.proxy ? new TrafficPlan(deps) : null;
  }

  start(): void {
    if (this.stopped) return;
    const signal = this.abort.signal;
    void followDockerEvents(this.deps, () => this.wake(), signal);
    this.wakeOnBus(signal);
    this.stopped = this.run(signal);
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.wakeUp?.();
    await this.stopped;
  }

  wake(): void {
    this.dirty = true;
    this.wakeUp?.();
  }

  /** One pass: probe, then reconcile if something changed or the interval is up. */
  async pass(force = false): Promise<void> {
    // Taken before the state is read: a wake-up from here on may be about a change this pass reads too late
    // (a deployment requested between the read and the reconcile), so it asks for one more pass.
    const woken = this.dirty;
    this.dirty = false;
    const states = await listDesiredStates(this.deps.db);
    const replicas = await this.deps.docker.listReplicas();
    const checks = new Map(states.map((s) => [s.service.id, s.spec?.healthCheck ?? null]));
    const flips = await this.prober.tick((r) => checks.get(r.serviceId) ?? null, replicas);
    for (const f of flips) {
      const r = f.replica;
      await recordEvent(this.deps.db, {
        serviceId: r.serviceId,
        deploymentId: r.deploymentId,
        kind: f.healthy ? 'replica.healthy' : 'replica.unhealthy',
        message: f.healthy
          ? `Replica ${r.replica} of revision ${r.revision} is healthy`
          : `Replica ${r.replica} of revision ${r.revision} is unhealthy: ${f.error ?? 'check failed'}`,
        data: { containerId: r.id, replica: r.replica, revision: r.revision },
      });
    }
    for (const serviceId of new Set(flips.map((f) => f.replica.serviceId))) {
      this.deps.bus.publish({ type: 'service', serviceId, reason: 'health' });
    }
    const due = Date.now() - this.lastReconcile >= this.opts.reconcileIntervalMs;
    if (force || woken || this.soon || flips.length > 0 || due) {
      this.lastReconcile = Date.now();
      // The states and replicas read for probing are at most a probe round old: good enough to act on.
      const result = await reconcileAll(this.deps, this.traffic, { states, replicas });
      // A step that changed something is followed by the next one at once; a rollout waiting on a
      // replica (starting, turning healthy, draining) is looked at again soon, not at the next interval.
      if (result === 'progress') this.dirty = true;
      this.soon = result === 'waiting';
    }
    this.passes++;
  }

  private wakeOnBus(signal: AbortSignal): void {
    void (async () => {
      try {
        for await (const e of this.deps.bus.listen(signal)) {
          if (e.type === 'deployment' && e.status === 'pending') this.wake();
          if (e.type === 'service' && e.reason === 'changed') this.wake();
        }
      } catch {
        /* aborted */
      }
    })();
  }

  private async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.pass();
        if (this.lastError) this.opts.log?.('control loop recovered');
        this.lastError = null;
      } catch (err) {
        const msg = err instanceof Error ? err.message : String(err);
        if (msg !== this.lastError) this.opts.log?.(`control loop: ${msg}`);
        this.lastError = msg;
      }
      if (signal.aborted) break;
      await new Promise<void>((resolve) => {
        const delay = this.dirty
          ? 0
          : this.soon
            ? Math.min(WAITING_MS, this.opts.probeIntervalMs)
            : this.opts.probeIntervalMs;
        const t = setTimeout(resolve, delay);
        this.wakeUp = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.wakeUp = null;
    }
  }
}
