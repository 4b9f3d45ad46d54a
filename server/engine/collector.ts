import { CgroupStatsReader } from '@/server/docker/cgroup-stats';
import type { ContainerStats, Replica, ReplicaRuntime } from '@/server/docker/engine';
import type { RequestCounts } from '@/server/proxy/request-log';
import type { Deps } from '@/server/services/context';
import { histogramOf } from '@/server/services/metrics/latency';
import { recordTick, type ContainerReading, type ServiceTraffic } from '@/server/services/metrics/record';
import { listSampledServices } from '@/server/services/metrics/sampled-services';
import { replicaView } from '@/server/services/service/replicas';
import { ReplicaInventory } from './replica-inventory';

export type CollectorOptions = {
  intervalMs: number;
  log?: (msg: string) => void;
  cgroups?: CgroupStatsReader;
  /** Every this many ticks all containers are listed, in case Docker's event stream missed one. */
  relistEvery?: number;
};

/** A running container is inspected again every this many ticks (staggered by id), in case its limits changed. */
const REINSPECT_EVERY = 12;

/** The last counters of a container, to turn the next reading into rates. */
type Previous = ContainerStats & { atMs: number; restartCount: number };

export type TickSummary = {
  at: Date;
  containers: number;
  services: number;
  /** How each running container was read this tick. */
  sources: { cgroup: number; docker: number };
  /** Which containers Docker listed: all of them, those events named since the last tick, or none. */
  listing: 'full' | 'changed' | 'none';
};

/** Per second over `seconds`; a counter that went backwards restarted from zero. */
function rate(now: number | null, before: number | null | undefined, seconds: number, restarted: boolean) {
  if (now === null || before === null || before === undefined || seconds <= 0) return null;
  const delta = restarted || now < before ? now : now - before;
  return delta / seconds;
}

/**
 * Samples every managed container of this installation at a fixed interval — CPU, memory, network,
 * block I/O, restarts and probe health — and stores one batch per tick, with a per-service row. Reads
 * cgroup files where it can and falls back to Docker's stats API. Ticks never overlap.
 */
export class MetricsCollector {
  private readonly abort = new AbortController();
  private readonly cgroups: CgroupStatsReader;
  private readonly previous = new Map<string, Previous>();
  private readonly runtimes = new Map<string, ReplicaRuntime>();
  private readonly inventory: ReplicaInventory;
  private running: Promise<void> | null = null;
  private current: Promise<TickSummary> | null = null;
  private wakeUp: (() => void) | null = null;
  private lastError: string | null = null;
  /** When the proxy's request log was last taken (performance.now()), null before the first take. */
  private trafficSince: number | null = null;
  ticks = 0;

  constructor(
    private readonly deps: Deps,
    private readonly opts: CollectorOptions,
  ) {
    this.cgroups = opts.cgroups ?? new CgroupStatsReader();
    this.inventory = new ReplicaInventory(deps.docker, {
      resyncEvery: opts.relistEvery ?? 12,
      signal: this.abort.signal,
    });
  }

  start(): void {
    if (this.running || this.abort.signal.aborted) return;
    this.running = this.run(this.abort.signal);
  }

  /** Stops the loop and Docker's event stream, waits for a tick in flight to be stored, closes cgroup files. */
  async stop(): Promise<void> {
    this.abort.abort();
    this.wakeUp?.();
    await this.running;
    await this.current?.catch(() => undefined);
    await this.inventory.stopped();
    this.cgroups.close();
    if (this.trafficSince !== null) this.deps.proxy?.close();
  }

  /** One tick now; waits for a tick in flight first. */
  async tick(): Promise<TickSummary> {
    while (this.current) await this.current.catch(() => undefined);
    this.current = this.collect();
    try {
      return await this.current;
    } finally {
      this.current = null;
    }
  }

  private async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const started = Date.now();
      try {
        await this.tick();
        if (this.lastError) this.opts.log?.('metrics collector recovered');
        this.lastError = null;
      } catch (err) {
        const msg = err instanceof Error ? err.message : String(err);
        if (msg !== this.lastError) this.opts.log?.(`metrics collector: ${msg}`);
        this.lastError = msg;
      }
      if (signal.aborted) break;
      const wait = Math.max(0, this.opts.intervalMs - (Date.now() - started));
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, wait);
        this.wakeUp = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.wakeUp = null;
    }
  }

  private async collect(): Promise<TickSummary> {
    const at = new Date();
    const [sampled, seen] = await Promise.all([listSampledServices(this.deps.db), this.inventory.read()]);
    // A container an event named (restarted, updated, …) is inspected afresh.
    for (const id of seen.changed) this.runtimes.delete(id);
    const known = new Set(sampled.map((s) => s.serviceId));
    const mine = seen.replicas.filter((r) => known.has(r.serviceId));
    const sources = { cgroup: 0, docker: 0 };
    const readings = await Promise.all(mine.map((r) => this.read(r, sources)));
    const present = new Set(mine.map((r) => r.id));
    for (const id of this.previous.keys()) if (!present.has(id)) this.previous.delete(id);
    for (const id of this.runtimes.keys()) if (!present.has(id)) this.runtimes.delete(id);
    this.cgroups.forget(present);

    const traffic = this.traffic();
    const stored = await recordTick(this.deps.db, {
      at,
      containers: readings.filter((r): r is ContainerReading => r !== null),
      services: sampled.map((s) => ({ ...s, traffic: traffic?.of(s.serviceId) ?? null })),
    });
    this.ticks++;
    return { at, ...stored, sources, listing: seen.listing };
  }

  /**
   * What each endpoint and each of its replicas served since the previous tick, or null when there is no
   * proxy to ask. The first tick only starts following the proxy's request log: its window would not be a
   * whole interval.
   */
  private traffic(): { of: (serviceId: string) => ServiceTraffic } | null {
    const proxy = this.deps.proxy;
    if (!proxy) return null;
    const now = performance.now();
    const since = this.trafficSince;
    this.trafficSince = now;
    const windows = proxy.takeTraffic();
    if (since === null) return null;
    const seconds = Math.max((now - since) / 1000, 0.001);
    const served = new Map(windows.map((w) => [w.serviceId, w]));
    const counts = (c: RequestCounts | undefined) => ({
      requests: c?.requests ?? 0,
      requestRate: (c?.requests ?? 0) / seconds,
      errors5xx: c?.errors5xx ?? 0,
      latencyHist: c ? histogramOf(c.latencyMs) : [],
    });
    return {
      of: (serviceId: string): ServiceTraffic => {
        const w = served.get(serviceId);
        const replicas = [...(w?.replicas ?? [])].map(([containerId, c]) => ({ containerId, ...counts(c) }));
        return { ...counts(w), replicas };
      },
    };
  }

  /** Asks Docker for a container's pid, restart count and memory limit, and keeps the answer while it runs. */
  private async inspect(id: string): Promise<ReplicaRuntime | null> {
    const runtime = await this.deps.docker.inspectRuntime(id);
    if (runtime?.running) this.runtimes.set(id, runtime);
    else this.runtimes.delete(id);
    return runtime;
  }

  /** One container's reading, or null if it vanished meanwhile. */
  private async read(r: Replica, sources: TickSummary['sources']): Promise<ContainerReading | null> {
    // Inspecting every container on every tick costs the engine and this process more than reading its
    // counters: a running container's pid is kept until reading through it fails (the container stopped,
    // or restarted with a new init process), and asked again every few ticks in case its limits changed.
    const due = (this.ticks + (parseInt(r.id.slice(0, 8), 16) || 0)) % REINSPECT_EVERY === 0;
    const kept = r.state === 'running' && !due ? this.runtimes.get(r.id) : undefined;
    let runtime = kept ?? (await this.inspect(r.id));
    let stats = runtime?.running ? await this.cgroups.read(r.id, runtime.pid) : null;
    if (kept && !stats) {
      runtime = await this.inspect(r.id);
      stats = runtime?.running ? await this.cgroups.read(r.id, runtime.pid) : null;
    }
    if (!runtime) return null;
    const base = {
      serviceId: r.serviceId,
      containerId: r.id,
      replica: r.replica,
      revision: r.revision,
      health: replicaView(this.deps, { ...r, state: runtime.running ? 'running' : r.state }).health,
      restartCount: runtime.restartCount,
      memLimitBytes: runtime.memoryLimitBytes,
    };
    const empty = {
      cpuPercent: null,
      memUsageBytes: null,
      memWorkingSetBytes: null,
      netRxBps: null,
      netTxBps: null,
      blkReadBps: null,
      blkWriteBps: null,
    };
    if (!runtime.running) {
      this.previous.delete(r.id);
      return { ...base, health: 'stopped', ...empty };
    }
    if (stats) sources.cgroup++;
    else {
      stats = await this.deps.docker.statsOnce(r.id).catch(() => null);
      if (!stats) return { ...base, ...empty };
      sources.docker++;
    }
    const atMs = performance.now();
    const prev = this.previous.get(r.id);
    this.previous.set(r.id, { ...stats, atMs, restartCount: runtime.restartCount });
    const seconds = prev ? (atMs - prev.atMs) / 1000 : 0;
    const restarted = prev !== undefined && prev.restartCount !== runtime.restartCount;
    const cpuNsPerSecond = rate(stats.cpuUsageNs, prev?.cpuUsageNs, seconds, restarted);
    return {
      ...base,
      // Of one core, as docker stats shows it: 200 % is two cores busy.
      cpuPercent: cpuNsPerSecond === null ? null : cpuNsPerSecond / 1e7,
      memUsageBytes: stats.memUsageBytes,
      memWorkingSetBytes: stats.memWorkingSetBytes,
      netRxBps: rate(stats.netRxBytes, prev?.netRxBytes, seconds, restarted),
      netTxBps: rate(stats.netTxBytes, prev?.netTxBytes, seconds, restarted),
      blkReadBps: rate(stats.blkReadBytes, prev?.blkReadBytes, seconds, restarted),
      blkWriteBps: rate(stats.blkWriteBytes, prev?.blkWriteBytes, seconds, restarted),
    };
  }
}
