import { asc } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  containerRollups1h,
  containerRollups1m,
  containerSamples,
  serviceRollups1h,
  serviceRollups1m,
  serviceSamples,
} from '@/db/schema';
import {
  clearMetrics,
  containerSample,
  fixtureService,
  insertContainerSamples,
  insertServiceSamples,
  serviceSample,
} from '@/server/testing/metrics-fixtures';
import { makeHarness, type Harness } from '@/server/testing/harness';
import { rollUpMetrics } from './rollup';
import { DAY, HOUR, MINUTE } from './tiers';

let h: Harness;
beforeAll(async () => {
  h = await makeHarness();
});
beforeEach(async () => clearMetrics(h.db));
afterAll(async () => h?.close());

const T0 = Date.parse('2026-06-10T10:00:00Z');
const at = (ms: number) => new Date(T0 + ms);
const s = 1000;

async function dump() {
  return {
    c1m: await h.db
      .select()
      .from(containerRollups1m)
      .orderBy(asc(containerRollups1m.bucket), asc(containerRollups1m.containerId)),
    c1h: await h.db
      .select()
      .from(containerRollups1h)
      .orderBy(asc(containerRollups1h.bucket), asc(containerRollups1h.containerId)),
    s1m: await h.db.select().from(serviceRollups1m).orderBy(asc(serviceRollups1m.bucket)),
    s1h: await h.db.select().from(serviceRollups1h).orderBy(asc(serviceRollups1h.bucket)),
  };
}

describe('rolling up metrics', () => {
  it('rolls raw samples into minutes and hours with exact means and maxima, and reruns to the same rows', async () => {
    const svc = await fixtureService(h, 'roll');
    // Two minutes of three ticks each, then one tick in the next hour.
    const ticks = [0, 20, 40, 60, 80, 100, HOUR / s].map((t) => at(t * s));
    const c1cpu = [10, 20, 30, 40, 50, 60, 70];
    const c2cpu = [0, 0, 0, 100, 100, 100, 0];
    const c1mem = [100, 200, 300, 400, 500, 600, 700];
    await insertContainerSamples(h.db, [
      ...ticks.map((t, i) =>
        containerSample(svc, 'c1', t, {
          cpuPercent: c1cpu[i]!,
          memWorkingSetBytes: c1mem[i]!,
          memUsageBytes: c1mem[i]! * 2,
          netRxBps: i,
          health: i === 5 ? 'unhealthy' : 'healthy',
          restartCount: i >= 4 ? 1 : 0,
        }),
      ),
      ...ticks.map((t, i) => containerSample(svc, 'c2', t, { replica: 1, cpuPercent: c2cpu[i]! })),
    ]);
    await insertServiceSamples(
      h.db,
      ticks.map((t, i) =>
        serviceSample(svc, t, {
          desired: 2,
          running: 2,
          healthy: i === 5 ? 1 : 2,
          cpuPercent: c1cpu[i]! + c2cpu[i]!,
          cpuPercentMax: Math.max(c1cpu[i]!, c2cpu[i]!),
          memWorkingSetBytes: c1mem[i]!,
          memWorkingSetBytesMax: c1mem[i]!,
        }),
      ),
    );

    const now = new Date(T0 + HOUR + 5 * MINUTE);
    const first = await rollUpMetrics(h.db, { now });
    expect(first.rolled['1m']).toEqual({ from: at(0), to: at(HOUR + 4 * MINUTE) });
    expect(first.rolled['1h']).toEqual({ from: at(0), to: at(HOUR) });
    expect(first.watermarks).toEqual({ '1m': at(HOUR + 4 * MINUTE), '1h': at(HOUR) });

    const rows = await dump();
    const c1 = rows.c1m.filter((r) => r.containerId === 'c1');
    expect(c1.map((r) => r.bucket)).toEqual([at(0), at(MINUTE), at(HOUR)]);
    expect(c1[0]).toMatchObject({
      serviceId: svc,
      samples: 3,
      healthySamples: 3,
      restartCount: 0,
      cpuPercentAvg: 20,
      cpuPercentMax: 30,
      memWorkingSetBytesAvg: 200,
      memWorkingSetBytesMax: 300,
      memUsageBytesAvg: 400,
      netRxBps: 1,
    });
    expect(c1[1]).toMatchObject({
      samples: 3,
      healthySamples: 2,
      restartCount: 1,
      cpuPercentAvg: 50,
      cpuPercentMax: 60,
    });
    expect(rows.c1m.find((r) => r.containerId === 'c2' && +r.bucket === T0 + MINUTE)).toMatchObject({
      replica: 1,
      cpuPercentAvg: 100,
    });

    // The hour is the sample-weighted mean of its minutes; the incomplete hour is not rolled yet.
    expect(rows.c1h).toHaveLength(2);
    expect(rows.c1h.find((r) => r.containerId === 'c1')).toMatchObject({
      bucket: at(0),
      samples: 6,
      healthySamples: 5,
      restartCount: 1,
      cpuPercentAvg: 35,
      cpuPercentMax: 60,
      memWorkingSetBytesAvg: 350,
      memWorkingSetBytesMax: 600,
      netRxBps: 2.5,
    });
    expect(rows.c1h.find((r) => r.containerId === 'c2')).toMatchObject({
      cpuPercentAvg: 50,
      cpuPercentMax: 100,
    });

    expect(rows.s1m.map((r) => r.bucket)).toEqual([at(0), at(MINUTE), at(HOUR)]);
    expect(rows.s1m[0]).toMatchObject({
      samples: 3,
      expectedSamples: 3,
      upSamples: 3,
      desiredMax: 2,
      runningAvg: 2,
      healthyAvg: 2,
      cpuPercentAvg: 20,
      cpuPercentPeak: 30,
      cpuPercentMax: 30,
    });
    expect(rows.s1m[1]).toMatchObject({ cpuPercentAvg: 150, cpuPercentPeak: 160, cpuPercentMax: 100 });
    expect(rows.s1m[1]!.healthyAvg).toBeCloseTo(5 / 3, 12);
    expect(rows.s1h).toEqual([
      expect.objectContaining({
        bucket: at(0),
        samples: 6,
        expectedSamples: 6,
        upSamples: 6,
        cpuPercentAvg: 85,
        cpuPercentPeak: 160,
        cpuPercentMax: 100,
        memWorkingSetBytesAvg: 350,
        memWorkingSetBytesPeak: 600,
      }),
    ]);

    // Rerunning, now or later with nothing new, changes nothing.
    const again = await rollUpMetrics(h.db, { now });
    expect(again.rolled).toEqual({ '1m': null, '1h': null });
    expect(await dump()).toEqual(rows);
    await rollUpMetrics(h.db, { now: new Date(now.getTime() + 10 * MINUTE) });
    const later = await dump();
    expect(later.c1m).toEqual(rows.c1m);
    // …except that the hour of 11:00 is now complete at the minute level, but not yet as an hour.
    expect(later.c1h).toEqual(rows.c1h);
  });

  it('rolls up what each replica answered exactly: counts and histograms add up, rates are means of the sampled ticks', async () => {
    const svc = await fixtureService(h, 'roll-traffic');
    const ticks = [0, 20, 40, 60, 80, 100, HOUR / s].map((t) => at(t * s));
    // c1 answers in most ticks (a rate per 20 s window), nothing in two; c2 nothing at all, and the proxy
    // was not sampled in its first tick.
    const c1 = [
      { requests: 10, errors5xx: 1, latencyHist: [0, 10] },
      { requests: 0 },
      { requests: 20, errors5xx: 0, latencyHist: [0, 15, 5] },
      { requests: 5, errors5xx: 5, latencyHist: [5] },
      { requests: 5, errors5xx: 0, latencyHist: [0, 0, 0, 5] },
      { requests: 0 },
      { requests: 7, errors5xx: 0, latencyHist: [7] },
    ];
    await insertContainerSamples(h.db, [
      ...ticks.map((t, i) =>
        containerSample(svc, 'c1', t, {
          ...c1[i],
          requestRate: c1[i]!.requests > 0 ? c1[i]!.requests / 20 : null,
        }),
      ),
      ...ticks.map((t, i) => containerSample(svc, 'c2', t, { replica: 1, requests: i === 0 ? null : 0 })),
    ]);
    await rollUpMetrics(h.db, { now: new Date(T0 + HOUR + 5 * MINUTE) });
    const rows = await dump();
    const traffic = (r: (typeof rows.c1m)[number]) => ({
      bucket: r.bucket,
      requests: r.requests,
      requestRate: r.requestRate,
      errors5xx: r.errors5xx,
      latencyHist: r.latencyHist,
    });
    const of = (list: typeof rows.c1m, id: string) => list.filter((r) => r.containerId === id).map(traffic);
    expect(of(rows.c1m, 'c1')).toEqual([
      { bucket: at(0), requests: 30, requestRate: 1.5 / 3, errors5xx: 1, latencyHist: [0, 25, 5] },
      { bucket: at(MINUTE), requests: 10, requestRate: 0.5 / 3, errors5xx: 5, latencyHist: [5, 0, 0, 5] },
      { bucket: at(HOUR), requests: 7, requestRate: 0.35, errors5xx: 0, latencyHist: [7] },
    ]);
    // The hour weighs each minute's mean rate by its samples.
    expect(of(rows.c1h, 'c1')).toEqual([
      { bucket: at(0), requests: 40, requestRate: (1.5 + 0.5) / 6, errors5xx: 6, latencyHist: [5, 25, 5, 5] },
    ]);
    // Idle stays compact at every tier: requests 0, the rest null.
    const idle = { requestRate: null, errors5xx: null, latencyHist: null };
    expect(of(rows.c1m, 'c2')).toEqual([
      { bucket: at(0), requests: 0, ...idle },
      { bucket: at(MINUTE), requests: 0, ...idle },
      { bucket: at(HOUR), requests: 0, ...idle },
    ]);
    expect(of(rows.c1h, 'c2')).toEqual([{ bucket: at(0), requests: 0, ...idle }]);
  });

  it('catches up after downtime from where it stopped', async () => {
    const svc = await fixtureService(h, 'gap');
    await insertServiceSamples(h.db, [serviceSample(svc, at(0), { cpuPercent: 10 })]);
    await rollUpMetrics(h.db, { now: at(5 * MINUTE) });
    // Capstan was down for three hours; the collector resumed and the job runs again.
    await insertServiceSamples(h.db, [
      serviceSample(svc, at(3 * HOUR), { cpuPercent: 30 }),
      serviceSample(svc, at(3 * HOUR + 30 * s), { cpuPercent: 50, healthy: 0 }),
    ]);
    // Two runs at once (two Capstans on one database) do the work once.
    const [run] = await Promise.all([
      rollUpMetrics(h.db, { now: at(3 * HOUR + 2 * MINUTE) }),
      rollUpMetrics(h.db, { now: at(3 * HOUR + 2 * MINUTE) }),
    ]);
    expect(run.rolled['1m']).toEqual({ from: at(4 * MINUTE), to: at(3 * HOUR + MINUTE) });
    expect(run.rolled['1h']).toEqual({ from: at(0), to: at(3 * HOUR) });
    const rows = await dump();
    expect(rows.s1m.map((r) => [r.bucket, r.cpuPercentAvg, r.upSamples, r.expectedSamples])).toEqual([
      [at(0), 10, 1, 1],
      [at(3 * HOUR), 40, 1, 2],
    ]);
    expect(rows.s1h.map((r) => [r.bucket, r.cpuPercentAvg])).toEqual([[at(0), 10]]);
  });

  it('deletes what outlived its retention, and never what is not rolled up yet', async () => {
    const svc = await fixtureService(h, 'retain');
    const now = T0;
    const ages = {
      hundredDays: 100 * DAY,
      tenDays: 10 * DAY,
      thirtyHours: 30 * HOUR,
      twoHours: 2 * HOUR,
      tenSeconds: 10 * s,
    };
    await insertContainerSamples(
      h.db,
      Object.values(ages).map((age) =>
        containerSample(svc, 'c1', new Date(now - age), { cpuPercent: age / HOUR }),
      ),
    );
    await insertServiceSamples(
      h.db,
      Object.values(ages).map((age) => serviceSample(svc, new Date(now - age), { cpuPercent: age / HOUR })),
    );
    const run = await rollUpMetrics(h.db, { now: new Date(now) });
    // Raw older than 24 h goes (3 ages × 2 tables); 1-minute rows older than 7 days (2 × 2); hourly rows
    // older than 90 days (1 × 2). Everything was rolled up before it went.
    expect(run.deleted).toEqual({ raw: 6, '1m': 4, '1h': 2 });
    const raw = await h.db.select().from(containerSamples).orderBy(asc(containerSamples.at));
    expect(raw.map((r) => now - +r.at)).toEqual([ages.twoHours, ages.tenSeconds]);
    expect((await h.db.select().from(serviceSamples)).length).toBe(2);
    const rows = await dump();
    expect(rows.c1m.map((r) => now - +r.bucket)).toEqual([ages.thirtyHours, ages.twoHours]);
    expect(rows.c1h.map((r) => now - +r.bucket)).toEqual([ages.tenDays, ages.thirtyHours, ages.twoHours]);
    expect(rows.s1h.map((r) => r.cpuPercentAvg)).toEqual([240, 30, 2]);

    // With no raw retention at all, samples of the minute still being written stay until rolled up.
    const strict = await rollUpMetrics(h.db, {
      now: new Date(now),
      retention: { rawHours: 0, minuteDays: 7, hourDays: 90 },
    });
    expect(strict.deleted.raw).toBe(2);
    expect((await h.db.select().from(containerSamples)).map((r) => now - +r.at)).toEqual([ages.tenSeconds]);
  });
});
