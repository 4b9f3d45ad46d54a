import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  clearMetrics,
  fixtureService,
  insertServiceSamples,
  serviceSample,
} from '@/server/testing/metrics-fixtures';
import { makeHarness, type Harness } from '@/server/testing/harness';
import { Forbidden } from '../errors';
import { setSloTarget } from './set-slo-target';
import { sloStatus } from './slo';
import { SECOND } from './tiers';

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

describe('SLO', () => {
  it('computes the error budget and multi-window burn rates from health samples', async () => {
    await clearMetrics(h.db);
    const svc = await fixtureService(h, 'slo');
    // A sample every 30 s for six hours; the last ten minutes (20 samples) had no healthy replica.
    await insertServiceSamples(
      h.db,
      Array.from({ length: 720 }, (_, k) =>
        serviceSample(svc, new Date(NOW - (k + 1) * 30 * SECOND), { healthy: k < 20 ? 0 : 1 }),
      ),
    );
    const viewer = await h.as('viewer');
    const before = await sloStatus(viewer, { serviceId: svc });
    expect(before.targetPercent).toBeNull();
    expect(before.sli).toEqual({ availability: 700 / 720, expected: 720, up: 700 });
    expect(before.errorBudget).toBeNull();
    expect(before.burnRates.map((w) => [w.window, w.samples, w.errorRatio, w.burnRate])).toEqual([
      ['5m', 10, 1, null],
      ['30m', 60, 1 / 3, null],
      ['1h', 120, 1 / 6, null],
      ['6h', 720, 20 / 720, null],
    ]);
    expect(before.alerts.every((a) => !a.firing)).toBe(true);

    await expect(
      setSloTarget(await h.as('developer'), { serviceId: svc, targetPercent: 99 }),
    ).rejects.toThrow(Forbidden);
    await setSloTarget(await h.as('operator'), { serviceId: svc, targetPercent: 99 });
    const slo = await sloStatus(viewer, { serviceId: svc });
    expect(slo.targetPercent).toBe(99);
    expect(slo.updatedBy).toMatch(/^operator-/);
    const allowed = 1 - 0.99;
    expect(slo.errorBudget!.allowedRatio).toBeCloseTo(0.01, 12);
    expect(slo.errorBudget!.consumed).toBeCloseTo(20 / 720 / allowed, 9); // 2.78: overspent
    expect(slo.errorBudget!.remaining).toBeCloseTo(1 - 20 / 720 / allowed, 9);
    const burn = Object.fromEntries(slo.burnRates.map((w) => [w.window, w.burnRate]));
    expect(burn['5m']).toBeCloseTo(100, 9);
    expect(burn['30m']).toBeCloseTo(100 / 3, 9);
    expect(burn['1h']).toBeCloseTo(100 / 6, 9);
    expect(burn['6h']).toBeCloseTo(100 / 36, 9);
    // Page: 1 h at 16.7× and 5 m at 100× both exceed 14.4×. Ticket: 6 h at 2.8× does not exceed 6×.
    expect(slo.alerts.map((a) => [a.severity, a.longWindow, a.shortWindow, a.threshold, a.firing])).toEqual([
      ['page', '1h', '5m', 14.4, true],
      ['ticket', '6h', '30m', 6, false],
    ]);

    await setSloTarget(await h.as('admin'), { serviceId: svc, targetPercent: null });
    expect((await sloStatus(viewer, { serviceId: svc })).targetPercent).toBeNull();
  });
});
