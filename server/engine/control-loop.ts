import type { StoredSpec } from '@/db/schema';
import { DockerError, type Replica } from '@/server/docker/engine';
import { asSystem, type Deps } from '@/server/services/context';
import { failDeployment, listDesiredStates, type DesiredState } from '@/server/services/deployments/progress';
import { recordEvent } from '@/server/services/events/record';
import { imageRef } from '@/server/services/service/spec';
import {
  forgetReplicaMarks,
  listReplicaMarks,
  loadTemplates,
  templateKey,
  type ReplicaMark,
} from '@/server/services/service/templates';
import { followDockerEvents } from './docker-events';
import { Executor } from './executor';
import { HealthProber } from './health-prober';
import { ImagePulls } from './image-pulls';
import { intentOf, observeReplicas } from './observe';
import { plan } from './planner/plan';
import { TrafficPlan } from './traffic-plan';

const WAITING_MS = 200;

export type LoopOptions = {
  probeIntervalMs: number;
  reconcileIntervalMs: number;
  /** Services converged at once; each service has at most one pass at a time. */
  concurrency?: number;
  log?: (msg: string) => void;
};

/**
 * The control loop: probes replicas, serves the healthy ones, and converges each service to its intent
 * (observe → plan → execute). Services converge concurrently and independently: a service whose pass is
 * slow or failing is skipped by the next round, never waited for, and its error is recorded on it.
 * A wake-up (an API change, a Docker event, a health flip) runs the next round at once.
 */
export class ControlLoop {
  private readonly prober: HealthProber;
  private readonly traffic: TrafficPlan | null;
  private readonly images: ImagePulls;
  private readonly executor: Executor;
  private readonly abort = new AbortController();
  private dirty = true;
  private soon = false;
  private wakeUp: (() => void) | null = null;
  private lastReconcile = 0;
  private stopped: Promise<void> | null = null;
  private lastError: string | null = null;
  /** When each service's last pass ended, to tell which rounds looked before it acted. */
  private readonly lastPassEnded = new Map<string, number>();
  /** The pass under way per service. */
  private readonly inFlight = new Map<string, Promise<void>>();
  private running = 0;
  private readonly queue: (() => void)[] = [];
  /** Services whose rollout waits on a replica: looked at again soon. */
  private readonly waiting = new Set<string>();
  /** The error last recorded per service, so a failing service is told once, not every pass. */
  private readonly errors = new Map<string, string>();
  /** Revisions never change: their health checks are kept once read. */
  private readonly templates = new Map<string, StoredSpec>();
  passes = 0;

  constructor(
    private readonly deps: Deps,
    private readonly opts: LoopOptions,
  ) {
    // A verdict that arrives after its pass stopped waiting (a replica slow to answer) wakes the loop.
    this.prober = new HealthProber(deps, () => this.wake());
    this.traffic = deps.proxy ? new TrafficPlan(deps) : null;
    this.images = new ImagePulls(deps.docker, (ref, outcome, serviceId) => {
      if (outcome === 'pulled') void this.note(serviceId, 'image.pulled', `Pulled ${ref}`);
      this.wake();
    });
    this.executor = new Executor(deps, this.traffic, this.images, () => this.wake());
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
    await Promise.allSettled([...this.inFlight.values()]);
  }

  wake(): void {
    this.dirty = true;
    this.wakeUp?.();
  }

  /**
   * One round: observe, probe, serve, and converge each service whose turn it is. With `wait` (tests), the
   * round returns once every service pass it started has finished.
   */
  async pass(force = false, wait = true): Promise<void> {
    // Taken before the state is read: a wake-up from here on may be about a change this round reads too
    // late (a deployment requested between the read and the plan), so it asks for one more round.
    const woken = this.dirty;
    this.dirty = false;
    const observedAt = performance.now();
    const states = await listDesiredStates(this.deps.db);
    const replicas = await this.deps.docker.listReplicas();
    const marks = await listReplicaMarks(this.deps.db);
    await this.loadTemplates(states, replicas);
    const flips = await this.prober.tick(
      (r) => this.templates.get(templateKey(r.serviceId, r.revision))?.healthCheck ?? null,
      replicas,
    );
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
      await this.converge(states, replicas, marks, observedAt, wait);
    }
    this.passes++;
  }

  private async converge(
    states: DesiredState[],
    replicas: Replica[],
    marks: Map<string, ReplicaMark>,
    observedAt: number,
    wait: boolean,
  ): Promise<void> {
    // Replicas that became healthy join the traffic before any old one is drained. A service whose endpoint
    // cannot be served is left out by the proxy and told here; the others are served as asked.
    let refused = new Map<string, string>();
    if (this.traffic) {
      try {
        const list = await this.traffic.sync(states, replicas);
        refused = new Map(list.map((r) => [r.serviceId, r.error]));
      } catch (err) {
        this.opts.log?.(`proxy sync: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    // Containers of this installation whose service row is gone (a deleted service) are removed too.
    const known = new Set(states.map((s) => s.service.id));
    for (const c of replicas) if (!known.has(c.serviceId)) this.executor.removeOrphan(c.id);
    if ([...marks.keys()].some((id) => !replicas.some((r) => r.id === id)))
      await forgetReplicaMarks(
        this.deps.db,
        replicas.map((r) => r.id),
      );

    const started: Promise<void>[] = [];
    for (const s of states) {
      const id = s.service.id;
      if (this.inFlight.has(id)) continue;
      // A pass of this service that ended after this round looked acted on a world the round did not see
      // (a container half made, a replica just retired): the next round plans it from a fresh look.
      if ((this.lastPassEnded.get(id) ?? -Infinity) > observedAt) {
        this.dirty = true;
        continue;
      }
      const mine = replicas.filter((r) => r.serviceId === id);
      const p = this.limited(() => this.servicePass(s, mine, marks, refused.get(id) ?? null)).finally(() => {
        this.inFlight.delete(id);
        this.lastPassEnded.set(id, performance.now());
      });
      this.inFlight.set(id, p);
      started.push(p);
    }
    if (wait) await Promise.all(started);
    this.soon = this.waiting.size > 0;
  }

  /** Observe → plan → execute for one service. Whatever goes wrong stays with this service. */
  private async servicePass(
    state: DesiredState,
    containers: Replica[],
    marks: Map<string, ReplicaMark>,
    refused: string | null,
  ): Promise<void> {
    const intent = intentOf(state);
    try {
      const now = Date.now();
      const observed = await observeReplicas(
        this.deps,
        intent,
        containers,
        marks,
        (serviceId, revision) => this.templates.get(templateKey(serviceId, revision))?.healthCheck ?? null,
        this.traffic,
        now,
      );
      const image = intent.template ? this.images.stateOf(imageRef(intent.template), now) : 'unknown';
      const planned = plan({ now, intent, replicas: observed, image });
      const applied = await this.executor.apply(intent, containers, planned.actions);
      if (planned.waiting) this.waiting.add(intent.serviceId);
      else this.waiting.delete(intent.serviceId);
      // The planner fails a rollout whose image cannot be pulled itself; a refused endpoint fails it here.
      if (refused) await this.failService(state, refused, true);
      else if (planned.blocked) await this.failService(state, planned.blocked, false);
      else await this.recovered(state);
      if (applied === 'progress') this.wake();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.waiting.delete(intent.serviceId);
      // Docker refusing this service's replicas (a limit, a port, an image) ends its rollout, not the loop.
      await this.failService(state, message, err instanceof DockerError).catch((e: unknown) =>
        this.opts.log?.(`${state.service.name}: ${e instanceof Error ? e.message : String(e)}`),
      );
    }
  }

  /**
   * Records a service's problem on it (once per distinct problem) and fails its rollout with the evidence:
   * the service returns to what served before, and no other service notices.
   */
  private async failService(state: DesiredState, problem: string, failRollout: boolean): Promise<void> {
    const id = state.service.id;
    const d = state.deployment;
    if (failRollout && d && (d.status === 'pending' || d.status === 'in_progress'))
      await failDeployment(asSystem(this.deps, 'reconciler'), d.id, problem, { error: problem });
    if (this.errors.get(id) === problem) return;
    this.errors.set(id, problem);
    this.opts.log?.(`${state.service.name}: ${problem}`);
    await this.note(id, 'service.error', `${state.service.name} cannot converge: ${problem}`, {
      error: problem,
    });
  }

  private async recovered(state: DesiredState): Promise<void> {
    const id = state.service.id;
    if (!this.errors.has(id)) return;
    this.errors.delete(id);
    await this.note(id, 'service.recovered', `${state.service.name} converges again`);
  }

  private async note(
    serviceId: string | null,
    kind: string,
    message: string,
    data?: Record<string, unknown>,
  ) {
    await recordEvent(this.deps.db, { serviceId, kind, message, data }).catch(() => undefined);
    if (serviceId) this.deps.bus.publish({ type: 'service', serviceId, reason: kind });
  }

  private async loadTemplates(states: DesiredState[], replicas: Replica[]): Promise<void> {
    for (const s of states)
      if (s.spec && s.service.desiredRevision !== null)
        this.templates.set(templateKey(s.service.id, s.service.desiredRevision), s.spec);
    const missing = new Map<string, { serviceId: string; revision: number }>();
    for (const r of replicas) {
      const key = templateKey(r.serviceId, r.revision);
      if (!this.templates.has(key)) missing.set(key, { serviceId: r.serviceId, revision: r.revision });
    }
    if (missing.size === 0) return;
    for (const [key, spec] of await loadTemplates(this.deps.db, [...missing.values()]))
      this.templates.set(key, spec);
  }

  /** At most `concurrency` service passes at once. */
  private async limited<T>(fn: () => Promise<T>): Promise<T> {
    const max = this.opts.concurrency ?? 4;
    if (this.running >= max) await new Promise<void>((resolve) => this.queue.push(resolve));
    this.running++;
    try {
      return await fn();
    } finally {
      this.running--;
      this.queue.shift()?.();
    }
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
        await this.pass(false, false);
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
          : this.soon || this.inFlight.size > 0
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
