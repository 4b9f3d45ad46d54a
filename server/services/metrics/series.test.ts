import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { containerRollups1h, containerRollups1m, deployments } from '@/db/schema';
import {
  clearMetrics,
  containerSample,
  fixtureService,
  insertContainerSamples,
  insertServiceSamples,
  serviceSample,
} from '@/server/testing/metrics-fixtures';
import { makeHarness, type Harness } from '@/server/testing/harness';
import { NotFound } from '../errors';
import { histogramOf } from './latency';
import { rollUpMetrics } from './rollup';
import { MAX_REPLICA_LINES, metricSeries } from './series';
import { sparklines } from './sparklines';
import { DAY, HOUR, MINUTE } from './tiers';

const NOW = Date.parse('2026-06-10T12:00:00Z');
const HIST = histogramOf([
  [10, 30],
  [11, 26],
  [520, 4],
]);
const C0_HIST = histogramOf([[10, 30]]);
const C0_LAST_HIST = histogramOf([[520, 30]]);
const C1_HIST = histogramOf([
  [11, 26],
  [520, 4],
]);
let h: Harness;
let svc = '';
beforeAll(async () => {
  h = await makeHarness();
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(NOW);
  await clearMetrics(h.db);
  svc = await fixtureService(h, 'series');
  // One tick a minute for 7 days, two replicas; the service used 20 % CPU, and 10 % in the last 90 minutes.
  const minutes = Array.from({ length: 7 * 24 * 60 }, (_, k) => k + 1);
  const cpu = (i: number) => (i <= 90 ? 10 : 20);
  const at = (i: number) => new Date(NOW - i * MINUTE);
  await insertServiceSamples(
    h.db,
    minutes.map((i) =>
      serviceSample(svc, at(i), {
        desired: 2,
        running: 2,
        healthy: 2,
        cpuPercent: cpu(i),
        cpuPercentMax: cpu(i) / 2,
        memWorkingSetBytes: 2000,
        memWorkingSetBytesMax: 1000,
        // 60 requests a minute: 56 took 10–11 ms, 4 took 500–599 ms; 6 failed in the last 90 minutes.
        requests: 60,
        requestRate: 1,
        errors5xx: i <= 90 ? 6 : 0,
        latencyHist: HIST,
      }),
    ),
  );
  await insertContainerSamples(
    h.db,
    minutes.flatMap((i) =>
      [0, 1].map((replica) =>
        containerSample(svc, `c${replica}`, at(i), {
          replica,
          cpuPercent: cpu(i) / 2,
          memWorkingSetBytes: 1000,
          health: replica === 1 && i <= 30 ? 'unhealthy' : 'healthy',
          // The service's 60 requests a minute: c0 answered 30 in 10 ms (the 6 errors among them; 520 ms
          // in the last tick), c1 the rest.
          requests: 30,
          requestRate: 0.5,
          errors5xx: replica === 0 && i <= 90 ? 6 : 0,
          latencyHist: replica === 1 ? C1_HIST : i === 1 ? C0_LAST_HIST : C0_HIST,
        }),
      ),
    ),
  );
  await h.db.insert(deployments).values([
    {
      serviceId: svc,
      toRevision: 2,
      status: 'succeeded',
      actor: 'test',
      createdAt: new Date(NOW - 2 * HOUR),
      finishedAt: new Date(NOW - 2 * HOUR + 5 * MINUTE),
    },
    {
      serviceId: svc,
      toRevision: 3,
      status: 'in_progress',
      actor: 'test',
      createdAt: new Date(NOW - 3 * DAY),
    },
  ]);
  await rollUpMetrics(h.db, { now: new Date(NOW) });
});
afterAll(async () => {
  vi.useRealTimers();
  await h?.close();
});

describe('metric series', () => {
  it('reads hourly rollups for 7 days and reaches the last tick through minute rollups and raw samples', async () => {
    const res = await metricSeries(await h.as('viewer'), { serviceId: svc, range: '7d', view: 'service' });
    if (res.view !== 'service') throw new Error('service view expected');
    expect(res.tiers).toEqual(['1h', '1m', 'raw']);
    expect(res.stepMs).toBe(HOUR);
    expect(res.points).toHaveLength(168);
    expect(res.points[0]).toMatchObject({
      t: NOW - 7 * DAY,
      cpuSum: 20,
      cpuAvg: 10,
      cpuMax: 10,
      memWorkingSetBytes: 2000,
      running: 2,
      healthy: 2,
      desired: 2,
    });
    // 10:00–10:59: 30 minutes at 20 % and 30 at 10 %.
    expect(res.points.at(-2)).toMatchObject({ t: NOW - 2 * HOUR, cpuSum: 15, cpuPeak: 20 });
    // 11:00–11:59: 59 minute rows and the raw 11:59 tick, merged.
    expect(res.points.at(-1)).toMatchObject({ t: NOW - HOUR, cpuSum: 10, cpuPeak: 10 });
    expect(res.deploys.map((d) => d.toRevision)).toEqual([3, 2]);
  });

  it('gives request rate, error share and latency percentiles that add up across every tier', async () => {
    // p50: rank 30 of 60 in the 56 requests of [10, 12) ms; p95: rank 57, the first of 4 in [500, 600).
    const p50 = 10 + (2 * 30) / 56;
    const p95 = 500 + (100 * 1) / 4;
    for (const range of ['7d', '24h', '1h'] as const) {
      const res = await metricSeries(await h.as('viewer'), { serviceId: svc, range, view: 'service' });
      if (res.view !== 'service') throw new Error('service view expected');
      for (const p of [res.points[0]!, res.points.at(-1)!]) {
        expect(p.requestRate, range).toBeCloseTo(1, 9);
        expect(p.latencyP50Ms, range).toBeCloseTo(p50, 9);
        expect(p.latencyP95Ms, range).toBeCloseTo(p95, 9);
      }
      expect(res.points.at(-1)!.errorPercent, range).toBeCloseTo(10, 9);
      if (range !== '1h') expect(res.points[0]!.errorPercent, range).toBe(0);
    }
    const week = await metricSeries(await h.as('viewer'), { serviceId: svc, range: '7d', view: 'service' });
    if (week.view !== 'service') throw new Error('service view expected');
    // Hourly rollups sum 60 minutes of 60 requests; the last hour merges 59 minute rows and one raw tick.
    expect(week.points[0]!.requests).toBe(3600);
    expect(week.points.at(-1)!.requests).toBe(3600);
    expect(week.points.at(-1)!.errors5xx).toBe(360);
  });

  it('bins 24 hours of minute rollups into five-minute points', async () => {
    const res = await metricSeries(await h.as('viewer'), { serviceId: svc, range: '24h', view: 'service' });
    if (res.view !== 'service') throw new Error('service view expected');
    expect(res.tiers).toEqual(['1m', 'raw']);
    expect(res.points).toHaveLength(288);
    expect(res.points.find((p) => p.t === NOW - 95 * MINUTE)!.cpuSum).toBe(20);
    expect(res.points.find((p) => p.t === NOW - 90 * MINUTE)!.cpuSum).toBe(10);
    expect(res.points.at(-1)).toMatchObject({ t: NOW - 5 * MINUTE, cpuSum: 10 });
  });

  it('gives one line per replica with its share of healthy samples', async () => {
    const res = await metricSeries(await h.as('viewer'), { serviceId: svc, range: '1h', view: 'replicas' });
    if (res.view !== 'replicas') throw new Error('replica view expected');
    expect(res.tiers).toEqual(['raw']);
    expect(res.replicas.map((r) => [r.containerId, r.replica, r.points.length])).toEqual([
      ['c0', 0, 60],
      ['c1', 1, 60],
    ]);
    const c1 = res.replicas[1]!.points;
    expect(c1.at(-1)).toMatchObject({ t: NOW - MINUTE, cpu: 5, healthyRatio: 0 });
    expect(c1.find((p) => p.t === NOW - 31 * MINUTE)).toMatchObject({ cpu: 5, healthyRatio: 1 });
    expect(res.deploys.map((d) => d.toRevision)).toEqual([3]);
  });

  it('gives each replica 7 days of hourly points through hourly, minute and raw rows, as exact as the raw samples', async () => {
    const res = await metricSeries(await h.as('viewer'), { serviceId: svc, range: '7d', view: 'replicas' });
    if (res.view !== 'replicas') throw new Error('replica view expected');
    expect(res.tiers).toEqual(['1h', '1m', 'raw']);
    expect(res.hiddenReplicas).toBe(0);
    expect(res.replicas.map((r) => [r.containerId, r.points.length])).toEqual([
      ['c0', 168],
      ['c1', 168],
    ]);
    const [c0, c1] = res.replicas.map((r) => r.points);
    expect(c0![0]).toMatchObject({
      t: NOW - 7 * DAY,
      cpu: 10,
      memWorkingSetBytes: 1000,
      healthyRatio: 1,
    });
    // 10:00–10:59: 30 minutes at 5 % and 30 at 10 %.
    expect(c0!.at(-2)).toMatchObject({ t: NOW - 2 * HOUR, cpu: 7.5 });
    // 11:00–11:59: 59 minute rows and the raw 11:59 tick, merged; replica 1 unhealthy from 11:30.
    expect(c0!.at(-1)).toMatchObject({ t: NOW - HOUR, cpu: 5, healthyRatio: 1 });
    expect(c1!.at(-1)).toMatchObject({ t: NOW - HOUR, cpu: 5, healthyRatio: 0.5 });
  });

  it('gives each replica its request rate, error share and latency percentiles, adding up across every tier', async () => {
    // c1: 26 requests a minute in [10, 12) ms and 4 in [500, 600). c0: 30 in [10, 12), but the last tick's
    // in [500, 600): the last bin adds the minute rows' histograms to the raw tick's.
    const c1 = { p50: 10 + (2 * 15) / 26, p95: 500 + (100 * 2.5) / 4 };
    const c0First = { p50: 10 + (2 * 15) / 30, p95: 10 + (2 * 28.5) / 30 };
    const c0Last = {
      // An hour: 59 × 30 requests in [10, 12) and 30 in [500, 600).
      '7d': { p50: 10 + (2 * 900) / 1770, p95: 10 + (2 * 1710) / 1770 },
      // Five minutes: 4 × 30 and 30.
      '24h': { p50: 10 + (2 * 75) / 120, p95: 500 + (100 * 22.5) / 30 },
      // Twenty seconds: the last tick alone.
      '1h': { p50: 550, p95: 500 + (100 * 28.5) / 30 },
    };
    for (const range of ['7d', '24h', '1h'] as const) {
      const res = await metricSeries(await h.as('viewer'), { serviceId: svc, range, view: 'replicas' });
      if (res.view !== 'replicas') throw new Error('replica view expected');
      const service = await metricSeries(await h.as('viewer'), { serviceId: svc, range, view: 'service' });
      if (service.view !== 'service') throw new Error('service view expected');
      for (const r of res.replicas) {
        const [first, last] = [r.points[0]!, r.points.at(-1)!];
        const want = r.containerId === 'c1' ? [c1, c1] : [c0First, c0Last[range]];
        [first, last].forEach((p, k) => {
          expect(p.requestRate, range).toBeCloseTo(0.5, 9);
          expect(p.latencyP50Ms, `${range} ${r.containerId} ${k}`).toBeCloseTo(want[k]!.p50, 9);
          expect(p.latencyP95Ms, `${range} ${r.containerId} ${k}`).toBeCloseTo(want[k]!.p95, 9);
        });
        expect(last.errorPercent, range).toBeCloseTo(r.containerId === 'c0' ? 20 : 0, 9);
        if (range !== '1h') expect(first.errorPercent, range).toBe(0);
      }
      // The replicas' requests and errors add up to the service's in every bin.
      const [a, b] = res.replicas.map((r) => new Map(r.points.map((p) => [p.t, p])));
      for (const p of service.points) {
        expect(a!.get(p.t)!.requests! + b!.get(p.t)!.requests!, `${range} ${p.t}`).toBe(p.requests);
        expect(a!.get(p.t)!.errors5xx! + b!.get(p.t)!.errors5xx!, `${range} ${p.t}`).toBe(p.errors5xx);
      }
    }
  });

  it('draws a replica that answered nothing at zero, and nothing where the proxy was not sampled', async () => {
    const quiet = await fixtureService(h, 'quiet');
    // One row in each tier, for a replica that answered nothing and one whose proxy was not sampled.
    for (const [containerId, requests] of [
      ['idle', 0],
      ['unsampled', null],
    ] as const) {
      const row = {
        serviceId: quiet,
        containerId,
        replica: 0,
        revision: 1,
        healthySamples: 12,
        restartCount: 0,
      };
      await h.db
        .insert(containerRollups1h)
        .values({ ...row, bucket: new Date(NOW - 3 * DAY), samples: 12, requests });
      await h.db
        .insert(containerRollups1m)
        .values({ ...row, bucket: new Date(NOW - 30 * MINUTE), samples: 12, requests });
      await insertContainerSamples(h.db, [
        containerSample(quiet, containerId, new Date(NOW - 30 * 1000), { requests }),
      ]);
    }
    for (const range of ['7d', '24h', '1h'] as const) {
      const res = await metricSeries(await h.as('viewer'), { serviceId: quiet, range, view: 'replicas' });
      if (res.view !== 'replicas') throw new Error('replica view expected');
      const points = (id: string) => res.replicas.find((r) => r.containerId === id)!.points;
      const none = { errorPercent: null, latencyP50Ms: null, latencyP95Ms: null };
      expect(points('idle').length, range).toBeGreaterThan(0);
      for (const p of points('idle'))
        expect(p, range).toMatchObject({ requestRate: 0, requests: 0, errors5xx: 0, ...none });
      for (const p of points('unsampled'))
        expect(p, range).toMatchObject({ requestRate: null, requests: null, errors5xx: null, ...none });
    }
  });

  it('picks the replicas seen last across hourly, minute and raw rows, each container once', async () => {
    const many = await fixtureService(h, 'seen-tiers');
    const id = (k: number) => `s${String(k).padStart(2, '0')}`;
    const week = (k: number) => ({
      serviceId: many,
      containerId: id(k),
      replica: k,
      revision: 1,
      samples: 60,
    });
    const rollup = { healthySamples: 60, restartCount: 0 };
    // s00–s20 ran three days ago (hourly rows); s01–s19 again at 11:30 (minute rows); s00 at 11:59:30 (raw).
    await h.db
      .insert(containerRollups1h)
      .values(
        Array.from({ length: 21 }, (_, k) => ({ ...week(k), ...rollup, bucket: new Date(NOW - 3 * DAY) })),
      );
    await h.db.insert(containerRollups1m).values(
      Array.from({ length: 19 }, (_, k) => ({
        ...week(k + 1),
        ...rollup,
        samples: 12,
        healthySamples: 12,
        bucket: new Date(NOW - 30 * MINUTE),
      })),
    );
    await insertContainerSamples(h.db, [containerSample(many, id(0), new Date(NOW - 30 * 1000))]);
    const res = await metricSeries(await h.as('viewer'), { serviceId: many, range: '7d', view: 'replicas' });
    if (res.view !== 'replicas') throw new Error('replica view expected');
    expect(res.hiddenReplicas).toBe(1);
    expect(res.replicas.map((r) => r.containerId).sort()).toEqual(
      Array.from({ length: 20 }, (_, k) => id(k)),
    );
    expect(res.replicas.find((r) => r.containerId === id(0))!.points.map((p) => p.t)).toEqual([
      NOW - 3 * DAY,
      NOW - HOUR,
    ]);
  });

  it('draws at most 20 replicas per chart: the ones seen last, and says how many it left out', async () => {
    const many = await fixtureService(h, 'many-replicas');
    // 25 containers, container k last seen k minutes ago.
    await insertContainerSamples(
      h.db,
      Array.from({ length: 25 }, (_, k) =>
        containerSample(many, `m${String(k).padStart(2, '0')}`, new Date(NOW - (k + 1) * MINUTE), {
          replica: k,
          cpuPercent: k,
        }),
      ),
    );
    const res = await metricSeries(await h.as('viewer'), { serviceId: many, range: '1h', view: 'replicas' });
    if (res.view !== 'replicas') throw new Error('replica view expected');
    expect(res.replicas).toHaveLength(MAX_REPLICA_LINES);
    expect(res.hiddenReplicas).toBe(5);
    expect(res.replicas.map((r) => r.containerId).sort()).toEqual(
      Array.from({ length: 20 }, (_, k) => `m${String(k).padStart(2, '0')}`),
    );
  });

  it('refuses an unknown service', async () => {
    await expect(
      metricSeries(await h.as('viewer'), {
        serviceId: '00000000-0000-4000-8000-000000000000',
        range: '15m',
        view: 'service',
      }),
    ).rejects.toThrow(NotFound);
  });
});

describe('sparklines', () => {
  it('gives every service 30 two-minute CPU points of the last hour', async () => {
    const other = await fixtureService(h, 'spark-empty');
    const res = await sparklines(await h.as('viewer'));
    expect(res.stepMs).toBe(2 * MINUTE);
    expect(res.start).toBe(NOW - 58 * MINUTE);
    const mine = res.services.find((s) => s.serviceId === svc)!;
    expect(mine.cpu).toHaveLength(30);
    // The last bin is the one still filling: at exactly noon it has no tick yet.
    expect(mine.cpu.slice(0, 29)).toEqual(Array(29).fill(10));
    expect(mine.cpu[29]).toBeNull();
    expect(mine.latest).toBe(10);
    expect(res.services.find((s) => s.serviceId === other)).toMatchObject({
      cpu: Array(30).fill(null),
      latest: null,
    });
  });
});
