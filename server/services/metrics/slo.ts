import { eq } from 'drizzle-orm';
import type { z } from 'zod';
import { serviceSlos } from '@/db/schema';
import type { ServiceContext } from '../context';
import { loadService } from '../service/load';
import { availabilityCounts, ratio } from './availability';
import { burnWindows, type BurnWindow, type sloInput } from './schema';
import { DAY, HOUR, MINUTE, readWatermarks } from './tiers';

export const SLO_WINDOW_DAYS = 30;

/** The share of samples without a healthy replica, or null without samples. */
function badRatio(c: { expected: number; up: number }): number | null {
  return c.expected > 0 ? (c.expected - c.up) / c.expected : null;
}

const BURN_WINDOW_MS: Record<BurnWindow, number> = {
  '5m': 5 * MINUTE,
  '30m': 30 * MINUTE,
  '1h': HOUR,
  '6h': 6 * HOUR,
};

/**
 * Multi-window burn-rate alerts (Google SRE workbook): both windows must burn faster than the threshold.
 * 14.4× spends 2 % of a 30-day budget in an hour; 6× spends 5 % in six hours.
 */
export const BURN_ALERTS = [
  { severity: 'page', longWindow: '1h', shortWindow: '5m', threshold: 14.4 },
  { severity: 'ticket', longWindow: '6h', shortWindow: '30m', threshold: 6 },
] as const satisfies readonly {
  severity: string;
  longWindow: BurnWindow;
  shortWindow: BurnWindow;
  threshold: number;
}[];

/**
 * A service's availability objective against what was measured: the SLI over the 30-day window, the error
 * budget left, and the burn rate over 5 m, 30 m, 1 h and 6 h with the two multi-window alerts. Without a
 * target there is an SLI but no budget and no burn.
 */
export async function sloStatus(ctx: ServiceContext, input: z.infer<typeof sloInput>) {
  await loadService(ctx.db, input.serviceId);
  const [slo] = await ctx.db.select().from(serviceSlos).where(eq(serviceSlos.serviceId, input.serviceId));
  const target = slo ? slo.targetPercent / 100 : null;
  const allowed = target === null ? null : 1 - target;
  const now = Date.now();
  const to = new Date(now);
  const watermarks = await readWatermarks(ctx.db);
  const count = async (spanMs: number, tier: 'raw' | '1h') => {
    const [c] = await availabilityCounts(ctx.db, {
      serviceIds: [input.serviceId],
      from: new Date(now - spanMs),
      to,
      tier,
      binMs: null,
      watermarks,
    });
    return { expected: c?.expected ?? 0, up: c?.up ?? 0 };
  };

  const long = await count(SLO_WINDOW_DAYS * DAY, '1h');
  const errorRatio = badRatio(long);
  const windows = await Promise.all(
    burnWindows.map(async (window) => {
      const c = await count(BURN_WINDOW_MS[window], 'raw');
      const bad = badRatio(c);
      return {
        window,
        samples: c.expected,
        errorRatio: bad,
        burnRate: bad === null || allowed === null ? null : bad / allowed,
      };
    }),
  );
  const burn = (w: BurnWindow) => windows.find((x) => x.window === w)?.burnRate ?? null;
  const above = (w: BurnWindow, threshold: number) => (burn(w) ?? 0) > threshold;

  return {
    serviceId: input.serviceId,
    targetPercent: slo?.targetPercent ?? null,
    updatedBy: slo?.updatedBy ?? null,
    updatedAt: slo?.updatedAt.getTime() ?? null,
    windowDays: SLO_WINDOW_DAYS,
    sli: { availability: ratio(long), expected: long.expected, up: long.up },
    errorBudget:
      allowed === null || errorRatio === null
        ? null
        : {
            /** The share of samples allowed to be bad, e.g. 0.001 for 99.9 %. */
            allowedRatio: allowed,
            /** Spent so far, as a share of the budget (above 1: overspent). */
            consumed: errorRatio / allowed,
            /** What is left, 1 - consumed (negative when overspent). */
            remaining: 1 - errorRatio / allowed,
          },
    burnRates: windows,
    alerts: BURN_ALERTS.map((a) => ({
      ...a,
      longBurnRate: burn(a.longWindow),
      shortBurnRate: burn(a.shortWindow),
      firing: above(a.longWindow, a.threshold) && above(a.shortWindow, a.threshold),
    })),
  };
}

export type SloStatus = Awaited<ReturnType<typeof sloStatus>>;
