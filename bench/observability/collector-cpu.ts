import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { eq } from 'drizzle-orm';
import { services } from '@/db/schema';
import { LABELS } from '@/server/docker/engine';
import { MetricsCollector, type TickSummary } from '@/server/engine/collector';
import { createService } from '@/server/services/service/create';
import { makeHarness, sampleSpec, waitFor, type Harness } from '@/server/testing/harness';
import { onCleanup, removeContainersLabelled } from './cleanup';
import { childrenCpuMs, engineCpuMs, enginePids, engineSnapshot, ownMemory, type OwnMemory } from './proc';
import { median } from './stats';

const sh = promisify(execFile);
/** The most replicas one service may have (the spec schema's limit). */
const PER_SERVICE = 50;

export type CollectorRow = {
  containers: number;
  /** CPU ms per container-sample, median over rounds. */
  capstan: { nodeMs: number; engineMs: number; totalMs: number; wallMsPerTick: number };
  baseline: { cliMs: number; engineMs: number; totalMs: number; wallMsPerRun: number };
  /** capstan.totalMs / baseline.totalMs, the median and the range over rounds. */
  ratio: number;
  ratioRange: [number, number];
  /** The ratio without taking the engine's background out. */
  rawRatio: number;
  /** The engine's CPU while the bench idled (others on the engine), median over rounds, ms/s. */
  backgroundMsPerS: number;
  sources: { cgroup: number; docker: number };
  /** How the measured ticks had Docker list containers: all, those events named, or none. */
  listings: Record<TickSummary['listing'], number>;
};

export type CollectorResult = {
  rows: CollectorRow[];
  cli: string;
  /** RSS of this (the bench's) process: no containers yet, and after ticks over the most containers. */
  memory: { before: OwnMemory; after: OwnMemory; containers: number };
};

type Options = {
  counts: number[];
  rounds: number;
  ticksPerRound: number;
  statsPerRound: number;
  warmupTicks: number;
};

/**
 * Starts `n` containers of capstan-sample:v1 as replicas of services of the harness's own installation,
 * labelled exactly as the reconciler labels them. Docker's own HEALTHCHECK of the image is switched off
 * (Capstan probes replicas itself): 200 `docker exec` probes every 5 s would load the engine in the
 * background and blur both measurements.
 */
async function startReplicas(h: Harness, op: Awaited<ReturnType<Harness['as']>>, n: number, first: number) {
  let made = 0;
  let index = first;
  while (made < n) {
    const replicas = Math.min(PER_SERVICE, n - made);
    const name = `obs-collect-${index++}`;
    const { service } = await createService(op, {
      name,
      description: 'bench/observability',
      protected: false,
      deploy: false,
      replicas: replicas,
      spec: sampleSpec(),
    });
    // As if its first deploy had run: the collector stores the desired count with each tick.
    await h.db.update(services).set({ desiredRevision: 1 }).where(eq(services.id, service.id));
    const queue = [...Array(replicas).keys()];
    const worker = async () => {
      for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
        const c = await h.docker.api.createContainer({
          name: `capstan-${name}-r1-${i}-${Math.random().toString(36).slice(2, 7)}`,
          Image: 'capstan-sample:v1',
          ExposedPorts: { '8080/tcp': {} },
          Labels: {
            [LABELS.managedBy]: 'capstan',
            [LABELS.installation]: h.docker.installationId,
            [LABELS.service]: service.id,
            [LABELS.serviceName]: name,
            [LABELS.revision]: '1',
            [LABELS.replica]: String(i),
            [LABELS.deployment]: '',
          },
          Healthcheck: { Test: ['NONE'] },
          HostConfig: {
            PortBindings: { '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] },
            RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 5 },
            LogConfig: { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '3' } },
          },
        });
        await c.start();
        // What the prober would have found: the collector stores each replica's health.
        h.probes.record(
          { id: c.id, serviceId: service.id },
          true,
          { latencyMs: 1 },
          { healthy: 1, unhealthy: 3 },
        );
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    made += replicas;
  }
  return index;
}

async function dockerStats(ids: string[]) {
  await sh('docker', ['stats', '--no-stream', ...ids], { maxBuffer: 16 << 20 });
}

/** Engine CPU (ms) per ms while this bench does nothing, over `ms`: what others on the engine add. */
async function background(pids: number[], ms: number): Promise<number> {
  const a = engineSnapshot(pids);
  const w0 = performance.now();
  await new Promise((r) => setTimeout(r, ms));
  return engineCpuMs(a, engineSnapshot(pids)) / (performance.now() - w0);
}

/** CPU ms of this process (all threads) and of the engine over `run`, and its wall time. */
async function measure(pids: number[], run: () => Promise<unknown>) {
  const e0 = engineSnapshot(pids);
  const c0 = childrenCpuMs();
  const u0 = process.cpuUsage();
  const w0 = performance.now();
  await run();
  const wall = performance.now() - w0;
  const u = process.cpuUsage(u0);
  const children = childrenCpuMs() - c0;
  return { node: (u.user + u.system) / 1000, children, engine: engineCpuMs(e0, engineSnapshot(pids)), wall };
}

export async function measureCollector(opts: Options, log: (msg: string) => void): Promise<CollectorResult> {
  const h = await makeHarness();
  const label = `${LABELS.installation}=${h.docker.installationId}`;
  const undo = onCleanup(`containers labelled ${label}`, () => void removeContainersLabelled(label));
  const collector = new MetricsCollector(h, { intervalMs: 5000 });
  try {
    const op = await h.as('operator');
    await collector.tick();
    const before = await ownMemory();
    const cli = (await sh('docker', ['version', '-f', '{{.Client.Version}}'])).stdout.trim();
    const rows: CollectorRow[] = [];
    let running = 0;
    let nextService = 1;
    for (const count of opts.counts) {
      const t0 = performance.now();
      nextService = await startReplicas(h, op, count - running, nextService);
      running = count;
      const ids = await waitFor(
        `${count} running containers`,
        async () => {
          const list = await h.docker.listReplicas();
          const up = list.filter((r) => r.state === 'running');
          return up.length === count ? up.map((r) => r.id) : undefined;
        },
        120_000,
      );
      log(`  ${count} containers running (${((performance.now() - t0) / 1000).toFixed(0)} s to start)`);

      // Warm-up, not counted: the first reading of a container resolves its cgroup paths, and the first
      // few dozen ticks of a process run cold code (JIT, PGlite's WebAssembly tiering) at up to twice
      // the CPU. A collector runs for days: the steady state is what is measured.
      const warm = await collector.tick();
      if (warm.containers !== count)
        throw new Error(`the collector sampled ${warm.containers} containers, not ${count}`);
      for (let i = 1; i < opts.warmupTicks; i++) await collector.tick();
      await dockerStats(ids);

      type Round = {
        node: number;
        cEngine: number;
        capstan: number;
        cli: number;
        bEngine: number;
        base: number;
      };
      const perRound: Round[] = [];
      const raw: number[] = [];
      const rates: number[] = [];
      let tickWall = 0;
      let statsWall = 0;
      let sources = warm.sources;
      const listings = { full: 0, changed: 0, none: 0 };
      const pids = enginePids(ids);
      for (let round = 0; round < opts.rounds; round++) {
        // Others use this engine too: its CPU while the bench idles is taken out of both measurements.
        const rate = await background(pids, 2000);
        rates.push(rate);
        const cap = await measure(pids, async () => {
          for (let i = 0; i < opts.ticksPerRound; i++) {
            const tick = await collector.tick();
            sources = tick.sources;
            listings[tick.listing]++;
          }
        });
        const base = await measure(pids, async () => {
          for (let i = 0; i < opts.statsPerRound; i++) await dockerStats(ids);
        });
        tickWall += cap.wall;
        statsWall += base.wall;
        const capSamples = count * opts.ticksPerRound;
        const baseSamples = count * opts.statsPerRound;
        const cEngine = cap.engine - rate * cap.wall;
        const bEngine = base.engine - rate * base.wall;
        perRound.push({
          node: cap.node / capSamples,
          cEngine: cEngine / capSamples,
          capstan: (cap.node + cEngine) / capSamples,
          cli: base.children / baseSamples,
          bEngine: bEngine / baseSamples,
          base: (base.children + bEngine) / baseSamples,
        });
        raw.push((cap.node + cap.engine) / capSamples / ((base.children + base.engine) / baseSamples));
      }
      const ratios = perRound.map((r) => r.capstan / r.base);
      rows.push({
        containers: count,
        capstan: {
          nodeMs: median(perRound.map((r) => r.node)),
          engineMs: median(perRound.map((r) => r.cEngine)),
          totalMs: median(perRound.map((r) => r.capstan)),
          wallMsPerTick: tickWall / (opts.rounds * opts.ticksPerRound),
        },
        baseline: {
          cliMs: median(perRound.map((r) => r.cli)),
          engineMs: median(perRound.map((r) => r.bEngine)),
          totalMs: median(perRound.map((r) => r.base)),
          wallMsPerRun: statsWall / (opts.rounds * opts.statsPerRound),
        },
        ratio: median(perRound.map((r) => r.capstan)) / median(perRound.map((r) => r.base)),
        ratioRange: [Math.min(...ratios), Math.max(...ratios)],
        rawRatio: median(raw),
        backgroundMsPerS: median(rates) * 1000,
        sources,
        listings,
      });
      log(
        `  ${count}: capstan ${rows.at(-1)!.capstan.totalMs.toFixed(3)} ms, docker stats ${rows.at(-1)!.baseline.totalMs.toFixed(3)} ms per container-sample`,
      );
    }
    const after = await ownMemory();
    return {
      rows,
      cli,
      memory: { before, after, containers: running },
    };
  } finally {
    log('  removing the containers');
    await collector.stop();
    await h.close();
    undo();
  }
}
