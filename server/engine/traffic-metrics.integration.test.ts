import { and, desc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containerSamples, serviceSamples } from '@/db/schema';
import { quantile } from '@/server/services/metrics/latency';
import { prometheusExposition } from '@/server/services/metrics/prometheus';
import { createService } from '@/server/services/service/create';
import { makeHarness, sampleSpec, waitFor, type Harness } from '@/server/testing/harness';
import { MetricsCollector } from './collector';

let h: Harness;
let collector: MetricsCollector;
beforeAll(async () => {
  h = await makeHarness({ proxy: true });
  h.loop().start();
  collector = new MetricsCollector(h, { intervalMs: 60_000 });
});
afterAll(async () => {
  await collector?.stop();
  await h?.close();
});

/** The service's row of the latest tick. */
async function latestSample(serviceId: string) {
  const [row] = await h.db
    .select()
    .from(serviceSamples)
    .where(eq(serviceSamples.serviceId, serviceId))
    .orderBy(desc(serviceSamples.at))
    .limit(1);
  return row;
}

describe('proxy traffic in the metrics', () => {
  it('stores the requests, 5xx answers and latency of what the endpoint and each replica served, per tick', async () => {
    const dev = await h.as('developer');
    const { service, deployment } = await createService(dev, {
      name: `reqs-${Math.random().toString(36).slice(2, 7)}`,
      description: '',
      protected: false,
      deploy: true,
      replicas: 2,
      // Every answer takes 40 ms; half of them are 500s.
      spec: sampleSpec({
        env: [
          { name: 'LATENCY_MS', value: '40', secret: false },
          { name: 'ERROR_RATE', value: '0.5', secret: false },
        ],
      }),
    });
    expect((await h.finished(deployment!.id)).status).toBe('succeeded');
    const [rev] = await h.db.query.revisions.findMany({
      where: (r, { eq: is }) => is(r.serviceId, service.id),
    });
    const url = `http://127.0.0.1:${rev!.spec.endpointPort!}/`;
    await waitFor('the endpoint to serve', async () => (await fetch(url).catch(() => null)) !== null);

    // The first tick starts following the proxy's request log; what it serves from then on is counted.
    await collector.tick();
    await new Promise((r) => setTimeout(r, 300));
    // Docker names a container's host after its short id, and the sample says who answered.
    const answers: { status: number; host: string }[] = [];
    for (let i = 0; i < 60; i++) {
      const res = await fetch(url);
      answers.push({ status: res.status, host: ((await res.json()) as { hostname: string }).hostname });
    }
    const statuses = answers.map((a) => a.status);
    await new Promise((r) => setTimeout(r, 300));
    await collector.tick();

    const row = await latestSample(service.id);
    const failed = statuses.filter((s) => s >= 500).length;
    expect(failed).toBeGreaterThan(0);
    expect(failed).toBeLessThan(60);
    expect(row?.requests).toBe(60);
    expect(row?.errors5xx).toBe(failed);
    expect(row?.requestRate).toBeGreaterThan(0);
    const p50 = quantile(row!.latencyHist, 0.5)!;
    expect(p50).toBeGreaterThanOrEqual(40);
    expect(p50).toBeLessThan(60);

    // Per replica: each one's requests and 5xx answers are those it answered, and they add up.
    const replicas = await h.db
      .select()
      .from(containerSamples)
      .where(and(eq(containerSamples.serviceId, service.id), eq(containerSamples.at, row!.at)));
    expect(replicas).toHaveLength(2);
    for (const r of replicas) {
      const mine = answers.filter((a) => r.containerId.startsWith(a.host));
      expect(mine.length).toBeGreaterThan(0);
      expect(r.requests).toBe(mine.length);
      expect(r.errors5xx).toBe(mine.filter((a) => a.status >= 500).length);
      expect(r.requestRate).toBeGreaterThan(0);
      const p50 = quantile(r.latencyHist, 0.5)!;
      expect(p50).toBeGreaterThanOrEqual(40);
      expect(p50).toBeLessThan(60);
    }
    expect(replicas.reduce((n, r) => n + r.requests!, 0)).toBe(row!.requests);
    expect(replicas.reduce((n, r) => n + r.errors5xx!, 0)).toBe(row!.errors5xx);
    expect(replicas.reduce((n, r) => n + r.requestRate!, 0)).toBeCloseTo(row!.requestRate!, 9);

    const { body } = await prometheusExposition(h);
    const line = body
      .split('\n')
      .find((l) => l.startsWith(`capstan_service_errors_5xx_ratio{service="${service.name}"`));
    expect(Number(line?.split(' ').at(-1))).toBeCloseTo(failed / 60, 9);

    // A tick with no requests in between stores zero, not nothing.
    await collector.tick();
    const idle = await latestSample(service.id);
    expect(idle).toMatchObject({ requests: 0, errors5xx: 0, requestRate: 0, latencyHist: [] });
    // An idle replica's row keeps only a zero count.
    const idleReplicas = await h.db
      .select()
      .from(containerSamples)
      .where(and(eq(containerSamples.serviceId, service.id), eq(containerSamples.at, idle!.at)));
    for (const r of idleReplicas)
      expect(r).toMatchObject({ requests: 0, errors5xx: null, requestRate: null, latencyHist: null });

    // Another service makes HAProxy reload into a new worker, with a new ring: it is followed too.
    const other = await createService(dev, {
      name: `reqs-other-${Math.random().toString(36).slice(2, 7)}`,
      description: '',
      protected: false,
      deploy: true,
      spec: sampleSpec(),
    });
    expect((await h.finished(other.deployment!.id)).status).toBe('succeeded');
    await collector.tick();
    await new Promise((r) => setTimeout(r, 300));
    for (let i = 0; i < 10; i++) await fetch(url);
    await new Promise((r) => setTimeout(r, 300));
    await collector.tick();
    const after = await latestSample(service.id);
    expect(after?.requests).toBe(10);
    const afterReplicas = await h.db
      .select()
      .from(containerSamples)
      .where(and(eq(containerSamples.serviceId, service.id), eq(containerSamples.at, after!.at)));
    expect(afterReplicas.reduce((n, r) => n + r.requests!, 0)).toBe(10);

    // The router names the replicas that answered by their full container ids.
    for (let i = 0; i < 4; i++) await fetch(url);
    await new Promise((r) => setTimeout(r, 300));
    const window = h.proxy!.takeTraffic().find((w) => w.serviceId === service.id);
    expect([...window!.replicas.keys()].every((id) => afterReplicas.some((r) => r.containerId === id))).toBe(
      true,
    );
    expect([...window!.replicas.values()].reduce((n, r) => n + r.requests, 0)).toBe(4);
  });
});
