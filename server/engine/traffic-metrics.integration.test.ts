import { desc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceSamples } from '@/db/schema';
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
  it('stores the requests, 5xx answers and latency of what the endpoint served, per tick', async () => {
    const dev = await h.as('developer');
    const { service, deployment } = await createService(dev, {
      name: `reqs-${Math.random().toString(36).slice(2, 7)}`,
      description: '',
      protected: false,
      deploy: true,
      // Every answer takes 40 ms; half of them are 500s.
      spec: sampleSpec({
        replicas: 2,
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
    const statuses: number[] = [];
    for (let i = 0; i < 60; i++) statuses.push((await fetch(url)).status);
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

    const { body } = await prometheusExposition(h);
    const line = body
      .split('\n')
      .find((l) => l.startsWith(`capstan_service_errors_5xx_ratio{service="${service.name}"`));
    expect(Number(line?.split(' ').at(-1))).toBeCloseTo(failed / 60, 9);

    // A tick with no requests in between stores zero, not nothing.
    await collector.tick();
    const idle = await latestSample(service.id);
    expect(idle).toMatchObject({ requests: 0, errors5xx: 0, requestRate: 0, latencyHist: [] });

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
  });
});
