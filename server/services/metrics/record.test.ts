import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containerSamples, services, serviceSamples } from '@/db/schema';
import { clearMetrics, fixtureService } from '@/server/testing/metrics-fixtures';
import { makeHarness, type Harness } from '@/server/testing/harness';
import { recordTick, type ContainerReading } from './record';

let h: Harness;
beforeAll(async () => {
  h = await makeHarness();
});
afterAll(async () => h?.close());

const reading = (
  serviceId: string,
  containerId: string,
  over: Partial<ContainerReading>,
): ContainerReading => ({
  serviceId,
  containerId,
  replica: 0,
  revision: 1,
  health: 'healthy',
  restartCount: 0,
  cpuPercent: null,
  memUsageBytes: null,
  memWorkingSetBytes: null,
  memLimitBytes: null,
  netRxBps: null,
  netTxBps: null,
  blkReadBps: null,
  blkWriteBps: null,
  ...over,
});

describe('recording a tick', () => {
  it('stores container rows and a per-service row of sums, maxima and healthy replicas', async () => {
    await clearMetrics(h.db);
    const svc = await fixtureService(h, 'rec');
    const idle = await fixtureService(h, 'rec-idle');
    const first = await fixtureService(h, 'rec-first');
    const at = new Date('2026-06-10T12:00:00Z');
    const MiB = 1024 * 1024;
    const stored = await recordTick(h.db, {
      at,
      containers: [
        reading(svc, 'a', {
          cpuPercent: 30,
          memWorkingSetBytes: 10 * MiB,
          memLimitBytes: 64 * MiB,
          netRxBps: 100,
        }),
        reading(svc, 'b', {
          replica: 1,
          health: 'unhealthy',
          restartCount: 2,
          cpuPercent: 50,
          memWorkingSetBytes: 20 * MiB,
          memLimitBytes: 64 * MiB,
          netRxBps: 50,
        }),
        // Its first reading: no rate yet.
        reading(svc, 'c', {
          replica: 2,
          health: 'starting',
          memWorkingSetBytes: 5 * MiB,
          memLimitBytes: 64 * MiB,
        }),
        reading(svc, 'd', { revision: 0, health: 'stopped', restartCount: 1 }),
      ],
      services: [
        {
          serviceId: svc,
          desired: 3,
          traffic: { requests: 50, requestRate: 10, errors5xx: 2, latencyHist: [40, 0, 10] },
        },
        // Its first deploy: wants replicas, none healthy yet, and that is not downtime.
        { serviceId: first, desired: 2, live: false },
        // Wants nothing, runs nothing, served nothing: no row. Its traffic was sampled all the same.
        {
          serviceId: idle,
          desired: 0,
          traffic: { requests: 0, requestRate: 0, errors5xx: 0, latencyHist: [] },
        },
      ],
    });
    expect(stored).toEqual({ containers: 4, services: 2 });
    const [firstRow] = await h.db.select().from(serviceSamples).where(eq(serviceSamples.serviceId, first));
    expect(firstRow).toMatchObject({ desired: 2, expected: false, healthy: 0 });
    expect(
      await h.db.select().from(containerSamples).where(eq(containerSamples.serviceId, svc)),
    ).toHaveLength(4);
    const [row] = await h.db.select().from(serviceSamples).where(eq(serviceSamples.serviceId, svc));
    expect(row).toEqual({
      at,
      serviceId: svc,
      desired: 3,
      expected: true,
      running: 3,
      healthy: 1,
      restartCount: 3,
      cpuPercent: 80,
      cpuPercentMax: 50,
      memWorkingSetBytes: 35 * MiB,
      memWorkingSetBytesMax: 20 * MiB,
      memLimitBytes: 192 * MiB,
      netRxBps: 150,
      netTxBps: null,
      blkReadBps: null,
      blkWriteBps: null,
      requests: 50,
      requestRate: 10,
      errors5xx: 2,
      latencyHist: [40, 0, 10],
    });
  });

  it('stores each value as read, and thousands of containers in one tick', async () => {
    await clearMetrics(h.db);
    const svc = await fixtureService(h, 'exact');
    const at = new Date('2026-06-10T12:00:05.123Z');
    const exact = reading(svc, 'exact', {
      revision: 7,
      replica: 49,
      health: 'starting',
      restartCount: 3,
      cpuPercent: 0.1 + 0.2,
      memUsageBytes: 2 ** 40 + 1,
      memWorkingSetBytes: 0,
      memLimitBytes: 2 ** 33,
      netRxBps: 1e-9,
      netTxBps: 123456.789,
      blkReadBps: null,
      blkWriteBps: 5e300,
    });
    const many = Array.from({ length: 3000 }, (_, i) =>
      reading(svc, `c${i}`, { replica: i, cpuPercent: i / 7 }),
    );
    expect(
      await recordTick(h.db, {
        at,
        containers: [exact, ...many],
        services: [{ serviceId: svc, desired: 3001 }],
      }),
    ).toEqual({ containers: 3001, services: 1 });
    const [row] = await h.db.select().from(containerSamples).where(eq(containerSamples.containerId, 'exact'));
    // Not sampled through the proxy: no traffic of its own.
    expect(row).toEqual({
      at,
      ...exact,
      requests: null,
      requestRate: null,
      errors5xx: null,
      latencyHist: null,
    });
    const stored = await h.db.select().from(containerSamples).where(eq(containerSamples.serviceId, svc));
    expect(stored).toHaveLength(3001);
    expect(stored.find((r) => r.containerId === 'c2999')?.cpuPercent).toBe(2999 / 7);
  });

  it('stores all of a tick or nothing', async () => {
    await clearMetrics(h.db);
    const svc = await fixtureService(h, 'atomic');
    const at = new Date('2026-06-10T12:00:10Z');
    await recordTick(h.db, {
      at,
      containers: [reading(svc, 'a', {})],
      services: [{ serviceId: svc, desired: 1 }],
    });
    // The same instant again: the service's row is a duplicate, so the new container's row goes too.
    await expect(
      recordTick(h.db, {
        at,
        containers: [reading(svc, 'b', {})],
        services: [{ serviceId: svc, desired: 1 }],
      }),
    ).rejects.toThrow();
    expect((await h.db.select().from(containerSamples)).map((r) => r.containerId)).toEqual(['a']);
  });

  it('stores what each replica answered, by full or short container id, and 4 bytes for one that answered nothing', async () => {
    await clearMetrics(h.db);
    const svc = await fixtureService(h, 'rec-replicas');
    const quiet = await fixtureService(h, 'rec-unsampled');
    const id = (c: string) => c.repeat(64);
    const at = new Date('2026-06-10T12:00:00Z');
    await recordTick(h.db, {
      at,
      containers: [
        reading(svc, id('a'), {}),
        reading(svc, id('b'), { replica: 1 }),
        reading(svc, id('c'), { replica: 2 }),
        reading(quiet, id('d'), {}),
      ],
      services: [
        {
          serviceId: svc,
          desired: 3,
          // 1 of the 31 requests got HAProxy's own 503: no replica answered it.
          traffic: {
            requests: 31,
            requestRate: 6.2,
            errors5xx: 3,
            latencyHist: [26, 0, 5],
            replicas: [
              { containerId: id('a'), requests: 20, requestRate: 4, errors5xx: 2, latencyHist: [15, 0, 5] },
              // The proxy knew only the short id.
              {
                containerId: id('b').slice(0, 12),
                requests: 10,
                requestRate: 2,
                errors5xx: 0,
                latencyHist: [10],
              },
            ],
          },
        },
        // Nothing sampled the proxy.
        { serviceId: quiet, desired: 1 },
      ],
    });
    const rows = await h.db
      .select({
        containerId: containerSamples.containerId,
        requests: containerSamples.requests,
        requestRate: containerSamples.requestRate,
        errors5xx: containerSamples.errors5xx,
        latencyHist: containerSamples.latencyHist,
      })
      .from(containerSamples)
      .orderBy(containerSamples.containerId);
    expect(rows).toEqual([
      { containerId: id('a'), requests: 20, requestRate: 4, errors5xx: 2, latencyHist: [15, 0, 5] },
      { containerId: id('b'), requests: 10, requestRate: 2, errors5xx: 0, latencyHist: [10] },
      { containerId: id('c'), requests: 0, requestRate: null, errors5xx: null, latencyHist: null },
      { containerId: id('d'), requests: null, requestRate: null, errors5xx: null, latencyHist: null },
    ]);
  });

  it('leaves out a service deleted while the tick was being read', async () => {
    await clearMetrics(h.db);
    const kept = await fixtureService(h, 'kept');
    const gone = await fixtureService(h, 'gone');
    await h.db.delete(services).where(eq(services.id, gone));
    const stored = await recordTick(h.db, {
      at: new Date(),
      containers: [reading(kept, 'k', { cpuPercent: 1 }), reading(gone, 'g', { cpuPercent: 1 })],
      services: [
        { serviceId: kept, desired: 1 },
        { serviceId: gone, desired: 1 },
      ],
    });
    expect(stored).toEqual({ containers: 1, services: 1 });
    expect((await h.db.select().from(containerSamples)).map((r) => r.containerId)).toEqual(['k']);
  });
});
