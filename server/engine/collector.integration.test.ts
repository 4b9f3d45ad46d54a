import { and, desc, eq, isNotNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containerSamples, deployments, serviceSamples } from '@/db/schema';
import { CgroupStatsReader } from '@/server/docker/cgroup-stats';
import { prometheusExposition } from '@/server/services/metrics/prometheus';
import { uptime } from '@/server/services/metrics/uptime';
import { createService } from '@/server/services/service/create';
import { makeHarness, sampleSpec, waitFor, type Harness } from '@/server/testing/harness';
import { MetricsCollector } from './collector';
import type { ControlLoop } from './control-loop';

let h: Harness;
let loop: ControlLoop;
let collector: MetricsCollector;
beforeAll(async () => {
  h = await makeHarness();
  loop = h.loop();
  loop.start();
  collector = new MetricsCollector(h, { intervalMs: 1000 });
});
afterAll(async () => {
  await collector?.stop();
  await h?.close();
});

const unique = (p: string) => `${p}-${Math.random().toString(36).slice(2, 7)}`;

/** Creates a service and waits until its first deployment is live; returns its id and the replica. */
async function deployed(name: string, over: Record<string, unknown> = {}) {
  const dev = await h.as('developer');
  const { service, deployment } = await createService(dev, {
    name: unique(name),
    description: '',
    protected: false,
    deploy: true,
    spec: sampleSpec(over),
  });
  await waitFor(
    `${service.name} to deploy`,
    async () => {
      const [d] = await h.db.select().from(deployments).where(eq(deployments.id, deployment!.id));
      if (d?.status === 'failed') throw new Error(`deploy failed: ${d.outcome}`);
      return d?.status === 'succeeded';
    },
    90_000,
  );
  const [replica] = await h.docker.listReplicas({ serviceId: service.id });
  return { serviceId: service.id, name: service.name, replica: replica! };
}

/** The latest `n` samples of a service's containers that have a CPU reading, newest first. */
async function latest(serviceId: string, n: number) {
  return h.db
    .select()
    .from(containerSamples)
    .where(and(eq(containerSamples.serviceId, serviceId), isNotNull(containerSamples.cpuPercent)))
    .orderBy(desc(containerSamples.at))
    .limit(n);
}

const env = (name: string, value: string) => [{ name, value, secret: false }];

describe('the metrics collector on the real Docker engine', () => {
  let burn: Awaited<ReturnType<typeof deployed>>;
  let idle: Awaited<ReturnType<typeof deployed>>;

  it('sees a CPU-burning replica busy and an idle one quiet, from cgroup files', async () => {
    [burn, idle] = await Promise.all([deployed('burn', { env: env('CPU_BURN', '1') }), deployed('idle')]);
    collector.start();
    // Two cores are shared with other tests: judge the median of five readings, not each one.
    const median = (rows: { cpuPercent: number | null }[]) =>
      rows.map((r) => r.cpuPercent!).sort((a, b) => a - b)[Math.floor(rows.length / 2)]!;
    const [hot, cold] = await waitFor(
      'five CPU readings of each replica',
      async () => {
        const [b, i] = await Promise.all([latest(burn.serviceId, 5), latest(idle.serviceId, 5)]);
        return b.length === 5 && i.length === 5 && median(b) > 50 ? [b, i] : undefined;
      },
      90_000,
    );
    expect(median(hot)).toBeGreaterThan(50);
    expect(median(cold)).toBeLessThan(10);
    for (const s of hot) {
      expect(s.cpuPercent).toBeLessThan(130); // at most one core, as docker stats counts it
      expect(s).toMatchObject({ containerId: burn.replica.id, replica: 0, revision: 1, health: 'healthy' });
      expect(s.memWorkingSetBytes).toBeGreaterThan(0);
      expect(s.memWorkingSetBytes).toBeLessThanOrEqual(s.memUsageBytes!);
    }

    const [row] = await h.db
      .select()
      .from(serviceSamples)
      .where(eq(serviceSamples.serviceId, burn.serviceId))
      .orderBy(desc(serviceSamples.at))
      .limit(1);
    expect(row).toMatchObject({ desired: 1, running: 1, healthy: 1, restartCount: 0 });
    expect(row!.cpuPercent).toBeGreaterThan(0);

    const tick = await collector.tick();
    expect(tick.sources).toEqual({ cgroup: 2, docker: 0 });

    const metrics = await prometheusExposition(h);
    expect(metrics.body).toMatch(
      new RegExp(
        `capstan_service_cpu_percent\\{service="${burn.name}",service_id="${burn.serviceId}"\\} \\d+`,
      ),
    );
    expect(metrics.body).toContain(
      `capstan_service_up{service="${idle.name}",service_id="${idle.serviceId}"} 1`,
    );
    expect(metrics.body).toMatch(/capstan_process_cpu_user_seconds_total \d/);
  });

  it('falls back to the Docker stats API when cgroup files cannot be read', async () => {
    const viaApi = new MetricsCollector(h, {
      intervalMs: 1000,
      cgroups: new CgroupStatsReader({ proc: '/nonexistent' }),
    });
    await viaApi.tick();
    await waitFor('a second reading through the API', async () => {
      await new Promise((r) => setTimeout(r, 500));
      const t = await viaApi.tick();
      expect(t.sources).toEqual({ cgroup: 0, docker: 2 });
      const [s] = await latest(burn.serviceId, 1);
      return s!.cpuPercent! > 30 ? s : undefined;
    });
    await viaApi.stop();
  });

  it('sees memory rise while a replica keeps allocating', async () => {
    const grow = await deployed('grow', {
      env: env('MEMORY_GROWTH_MB_PER_SEC', '8'),
      resources: { cpus: null, memoryMb: 256 },
    });
    const samples = await waitFor(
      'four memory readings',
      async () => {
        const rows = await latest(grow.serviceId, 4);
        return rows.length === 4 ? rows.reverse() : undefined;
      },
      60_000,
    );
    const ws = samples.map((s) => s.memWorkingSetBytes!);
    for (let i = 1; i < ws.length; i++) expect(ws[i]).toBeGreaterThan(ws[i - 1]!);
    expect(ws.at(-1)! - ws[0]!).toBeGreaterThan(8 * 1024 * 1024);
    expect(samples.every((s) => s.memLimitBytes === 256 * 1024 * 1024)).toBe(true);
  });

  it('records an unhealthy replica as such, and the service as down while none is healthy', async () => {
    await fetch(`http://127.0.0.1:${idle.replica.hostPort}/control?health=fail`);
    await waitFor('an unhealthy sample', async () => {
      const [s] = await latest(idle.serviceId, 1);
      return s?.health === 'unhealthy';
    });
    const [row] = await h.db
      .select()
      .from(serviceSamples)
      .where(eq(serviceSamples.serviceId, idle.serviceId))
      .orderBy(desc(serviceSamples.at))
      .limit(1);
    expect(row).toMatchObject({ desired: 1, running: 1, healthy: 0 });
    const up = await uptime(await h.as('viewer'), { serviceId: idle.serviceId });
    const day = up.services[0]!.windows['24h'];
    expect(day.expected).toBeGreaterThan(day.up);
    expect(day.availability).toBeLessThan(1);
  });

  it('records a killed replica as stopped, and restarts by Docker in the restart count', async () => {
    // Without the control loop nothing replaces the killed replica before the collector sees it.
    await loop.stop();
    await collector.stop();
    await h.docker.api.getContainer(burn.replica.id).kill();
    await waitFor(
      'the replica to stop',
      async () => (await h.docker.inspectRuntime(burn.replica.id))?.running === false,
    );
    await collector.tick();
    const [dead] = await h.db
      .select()
      .from(containerSamples)
      .where(eq(containerSamples.containerId, burn.replica.id))
      .orderBy(desc(containerSamples.at))
      .limit(1);
    expect(dead).toMatchObject({ health: 'stopped', cpuPercent: null, memWorkingSetBytes: null });
    const [svc] = await h.db
      .select()
      .from(serviceSamples)
      .where(eq(serviceSamples.serviceId, burn.serviceId))
      .orderBy(desc(serviceSamples.at))
      .limit(1);
    expect(svc).toMatchObject({ desired: 1, running: 0, healthy: 0, cpuPercent: 0 });

    // A crash (exit 3) is restarted by Docker's on-failure policy: same container, one restart.
    await fetch(`http://127.0.0.1:${idle.replica.hostPort}/control?crash=1`).catch(() => undefined);
    const restarted = await waitFor('a sample after the restart', async () => {
      await collector.tick();
      const [s] = await latest(idle.serviceId, 1);
      return s && s.restartCount >= 1 && s.health !== 'stopped' ? s : undefined;
    });
    expect(restarted.containerId).toBe(idle.replica.id);
  });
});
