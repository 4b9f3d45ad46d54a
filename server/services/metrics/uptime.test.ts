import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  clearMetrics,
  fixtureService,
  insertServiceSamples,
  serviceSample,
} from '@/server/testing/metrics-fixtures';
import { makeHarness, type Harness } from '@/server/testing/harness';
import { rollUpMetrics } from './rollup';
import { DAY, MINUTE } from './tiers';
import { uptime } from './uptime';

// A Wednesday noon: windows and days have known bounds.
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

/** One sample a minute for 30 days: minute i is at NOW - i minutes. */
const MINUTES = 30 * 24 * 60;
const scaledToZero = (i: number) => i >= 601 && i <= 660;
// The service's first deploy, 30 days ago: 45 minutes of wanting replicas before any was healthy.
const firstDeploy = (i: number) => i > MINUTES - 45;
const down = (i: number) => i <= 30 || (i >= 3001 && i <= 3120) || (i >= 20_001 && i <= 20_600);

function expected(fromMs: number, toMs: number) {
  let exp = 0;
  let up = 0;
  for (let i = 1; i <= MINUTES; i++) {
    const t = NOW - i * MINUTE;
    if (t < fromMs || t >= toMs || scaledToZero(i) || firstDeploy(i)) continue;
    exp++;
    if (!down(i)) up++;
  }
  return { availability: exp ? up / exp : null, expected: exp, up };
}

describe('uptime', () => {
  it('computes availability per window and per day from health samples, the same before and after rollups', async () => {
    await clearMetrics(h.db);
    const svc = await fixtureService(h, 'uptime');
    const quiet = await fixtureService(h, 'quiet');
    await insertServiceSamples(
      h.db,
      Array.from({ length: MINUTES }, (_, k) => {
        const i = k + 1;
        return serviceSample(svc, new Date(NOW - i * MINUTE), {
          desired: scaledToZero(i) ? 0 : 2,
          healthy: down(i) || scaledToZero(i) || firstDeploy(i) ? 0 : 2,
          expected: !scaledToZero(i) && !firstDeploy(i),
        });
      }),
    );
    const want = {
      '24h': expected(NOW - DAY, NOW),
      '7d': expected(NOW - 7 * DAY, NOW),
      '30d': expected(NOW - 30 * DAY, NOW),
    };
    // Spelled out once, so a mistake in the helper cannot hide one in the service.
    expect(want['24h']).toEqual({ availability: 1350 / 1380, expected: 1380, up: 1350 });
    expect(want['7d']).toMatchObject({ expected: 10020, up: 10020 - 30 - 120 });
    // A first deploy's start-up is not downtime: nothing was serving before it.
    expect(want['30d']).toMatchObject({ expected: 43140 - 45, up: 43140 - 45 - 30 - 120 - 600 });

    const check = async () => {
      const res = await uptime(await h.as('viewer'), {});
      const mine = res.services.find((s) => s.serviceId === svc)!;
      expect(mine.windows).toEqual(want);
      expect(mine.days).toHaveLength(30);
      const firstDay = Date.parse('2026-05-12T00:00:00Z');
      mine.days.forEach((d, n) => {
        expect(d.day).toBe(firstDay + n * DAY);
        expect(d).toEqual({ day: d.day, ...expected(d.day, Math.min(d.day + DAY, NOW)) });
      });
      // The day of the 10-hour outage, 13.9 days ago.
      expect(mine.days.find((d) => d.day === Date.parse('2026-05-27T00:00:00Z'))!.availability).toBeCloseTo(
        (1440 - 600) / 1440,
        12,
      );
      const none = res.services.find((s) => s.serviceId === quiet)!;
      expect(none.windows['30d']).toEqual({ availability: null, expected: 0, up: 0 });
      expect(none.days.every((d) => d.availability === null)).toBe(true);
    };

    await check(); // from raw samples only
    const run = await rollUpMetrics(h.db, { now: new Date(NOW) });
    expect(run.deleted.raw).toBe(MINUTES - 24 * 60);
    await check(); // from hourly and minute rollups and the raw tail
  });
});
