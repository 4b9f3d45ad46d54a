import { asc, eq } from 'drizzle-orm';
import type { z } from 'zod';
import { services } from '@/db/schema';
import type { ServiceContext } from '../context';
import { loadService } from '../service/load';
import { availabilityCounts, ratio } from './availability';
import { uptimeWindows, type UptimeWindow, type uptimeInput } from './schema';
import { DAY, floorTo, readWatermarks, type Tier } from './tiers';

const WINDOWS: Record<UptimeWindow, { spanMs: number; tier: Tier }> = {
  '24h': { spanMs: DAY, tier: '1m' },
  '7d': { spanMs: 7 * DAY, tier: '1h' },
  '30d': { spanMs: 30 * DAY, tier: '1h' },
};
export const UPTIME_DAYS = 30;

export type Availability = {
  /** Share of samples (while the service wanted replicas) with at least one healthy replica; 0..1. */
  availability: number | null;
  expected: number;
  up: number;
};

/**
 * Availability of every service (or one) over the last 24 h, 7 d and 30 d, and per UTC day for the last
 * 30 days, computed from the health recorded with every collector tick.
 */
export async function uptime(ctx: ServiceContext, input: z.infer<typeof uptimeInput>) {
  if (input.serviceId) await loadService(ctx.db, input.serviceId);
  const list = await ctx.db
    .select({ id: services.id, name: services.name })
    .from(services)
    .where(input.serviceId ? eq(services.id, input.serviceId) : undefined)
    .orderBy(asc(services.name));
  const ids = list.map((s) => s.id);
  const now = Date.now();
  const to = new Date(now);
  const watermarks = await readWatermarks(ctx.db);
  const windows = await Promise.all(
    uptimeWindows.map((w) =>
      availabilityCounts(ctx.db, {
        serviceIds: ids,
        from: new Date(now - WINDOWS[w].spanMs),
        to,
        tier: WINDOWS[w].tier,
        binMs: null,
        watermarks,
      }),
    ),
  );
  const firstDay = floorTo(now, DAY) - (UPTIME_DAYS - 1) * DAY;
  const daily = await availabilityCounts(ctx.db, {
    serviceIds: ids,
    from: new Date(firstDay),
    to,
    tier: '1h',
    binMs: DAY,
    watermarks,
  });
  const dayCounts = new Map(daily.map((c) => [`${c.serviceId}:${c.bin}`, c]));
  return {
    generatedAt: now,
    services: list.map((s) => {
      const of = (i: number): Availability => {
        const c = windows[i]!.find((r) => r.serviceId === s.id);
        return { availability: ratio(c), expected: c?.expected ?? 0, up: c?.up ?? 0 };
      };
      return {
        serviceId: s.id,
        name: s.name,
        windows: { '24h': of(0), '7d': of(1), '30d': of(2) } satisfies Record<UptimeWindow, Availability>,
        days: Array.from({ length: UPTIME_DAYS }, (_, i) => {
          const day = firstDay + i * DAY;
          const c = dayCounts.get(`${s.id}:${day}`);
          return { day, availability: ratio(c), expected: c?.expected ?? 0, up: c?.up ?? 0 };
        }),
      };
    }),
  };
}

export type Uptime = Awaited<ReturnType<typeof uptime>>;
