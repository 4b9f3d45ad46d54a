import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { deployments } from '@/db/schema';
import { fixtureService } from '@/server/testing/metrics-fixtures';
import { makeHarness, type Harness } from '@/server/testing/harness';
import { dora } from './dora';
import { DAY } from './tiers';

// Wednesday 10 June 2026, noon: two Monday-aligned weeks start on Monday 1 June.
const NOW = Date.parse('2026-06-10T12:00:00Z');
let h: Harness;
beforeAll(async () => {
  h = await makeHarness();
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(NOW);
});
afterAll(async () => {
  vi.useRealTimers();
  await h?.close();
});

const t = (iso: string) => new Date(`2026-${iso}:00Z`);
type Status = 'succeeded' | 'failed' | 'cancelled' | 'in_progress';

async function deploy(serviceId: string, status: Status, created: string, finished: string | null) {
  await h.db.insert(deployments).values({
    serviceId,
    toRevision: 1,
    status,
    actor: 'test',
    createdAt: t(created),
    finishedAt: finished ? t(finished) : null,
  });
}

describe('DORA', () => {
  it('computes frequency, lead time, change failure rate and time to restore, overall, per service and weekly', async () => {
    const a = await fixtureService(h, 'dora-a');
    const b = await fixtureService(h, 'dora-b');
    await deploy(a, 'succeeded', '05-20T10:00', '05-20T10:05'); // before the period
    await deploy(a, 'succeeded', '06-01T10:00', '06-01T10:10'); // lead 600 s
    await deploy(a, 'failed', '06-02T09:00', '06-02T09:05'); // A fails…
    await deploy(a, 'failed', '06-02T09:30', '06-02T09:35'); // …and fails again (one incident)
    await deploy(a, 'succeeded', '06-02T10:00', '06-02T10:20'); // restored after 75 min; lead 1200 s
    await deploy(a, 'cancelled', '06-03T10:00', '06-03T10:01'); // never served: not counted
    await deploy(a, 'succeeded', '06-08T08:00', '06-08T08:01'); // week 2, lead 60 s
    await deploy(a, 'in_progress', '06-10T11:00', null);
    await deploy(b, 'failed', '05-31T11:00', '05-31T12:00'); // failed before the period…
    await deploy(b, 'succeeded', '06-01T00:20', '06-01T00:30'); // …restored in it after 12.5 h; lead 600 s
    await deploy(b, 'failed', '06-09T10:00', '06-09T10:03'); // still failed now

    const res = await dora(await h.as('viewer'), { weeks: 2 });
    expect(res.from).toBe(Date.parse('2026-06-01T00:00:00Z'));
    expect(res.overall).toEqual({
      deployments: 4,
      failed: 3,
      finished: 7,
      deploymentsPerWeek: 4 / (9.5 / 7),
      // Of 60, 600, 600 and 1200 s; p90 interpolates between the two largest.
      leadTime: { medianSeconds: 600, p90Seconds: expect.closeTo(1020, 9) },
      changeFailureRate: 3 / 7,
      timeToRestore: { medianSeconds: (4500 + 45_000) / 2, p90Seconds: expect.closeTo(40_950, 9), count: 2 },
      openFailures: 1,
    });
    expect(res.services.find((s) => s.serviceId === a)).toMatchObject({
      deployments: 3,
      failed: 2,
      changeFailureRate: 2 / 5,
      leadTime: { medianSeconds: 600, p90Seconds: expect.closeTo(1080, 9) }, // of 60, 600, 1200
      timeToRestore: { medianSeconds: 4500, p90Seconds: 4500, count: 1 },
      openFailures: 0,
    });
    expect(res.services.find((s) => s.serviceId === b)).toMatchObject({
      deployments: 1,
      failed: 1,
      timeToRestore: { medianSeconds: 45_000, count: 1 },
      openFailures: 1,
    });
    expect(res.weekly).toEqual([
      {
        weekStart: Date.parse('2026-06-01T00:00:00Z'),
        deployments: 3,
        failed: 2,
        changeFailureRate: 2 / 5,
        leadTimeMedianSeconds: 600,
        timeToRestoreMedianSeconds: 24_750,
      },
      {
        weekStart: Date.parse('2026-06-01T00:00:00Z') + 7 * DAY,
        deployments: 1,
        failed: 1,
        changeFailureRate: 1 / 2,
        leadTimeMedianSeconds: 60,
        timeToRestoreMedianSeconds: null,
      },
    ]);

    const one = await dora(await h.as('viewer'), { weeks: 2, serviceId: b });
    expect(one.services.map((s) => s.serviceId)).toEqual([b]);
    expect(one.overall.openFailures).toBe(1);
  });
});
