import { asc, gte, sql } from 'drizzle-orm';
import { services, serviceSamples } from '@/db/schema';
import type { ServiceContext } from '../context';
import { binMs, floorTo, HOUR, numeric } from './tiers';

export const SPARKLINE_POINTS = 30;
const STEP_MS = HOUR / SPARKLINE_POINTS;

/**
 * CPU of every service over the last hour for the overview: 30 two-minute bins (the last one still
 * filling), mean of the sum across replicas, in % of one core; null where nothing was sampled.
 */
export async function sparklines(ctx: ServiceContext) {
  const end = floorTo(Date.now(), STEP_MS) + STEP_MS;
  const start = end - SPARKLINE_POINTS * STEP_MS;
  const list = await ctx.db
    .select({ id: services.id, name: services.name })
    .from(services)
    .orderBy(asc(services.name));
  const rows = await ctx.db
    .select({
      serviceId: serviceSamples.serviceId,
      t: binMs(serviceSamples.at, STEP_MS),
      cpu: numeric(sql`avg(${serviceSamples.cpuPercent})`),
    })
    .from(serviceSamples)
    .where(gte(serviceSamples.at, new Date(start)))
    .groupBy(sql`1`, sql`2`);
  const byService = new Map<string, (number | null)[]>();
  for (const r of rows) {
    const i = Math.round((r.t - start) / STEP_MS);
    if (i < 0 || i >= SPARKLINE_POINTS) continue;
    const line = byService.get(r.serviceId) ?? Array<number | null>(SPARKLINE_POINTS).fill(null);
    line[i] = r.cpu;
    byService.set(r.serviceId, line);
  }
  return {
    start,
    stepMs: STEP_MS,
    services: list.map((s) => {
      const cpu = byService.get(s.id) ?? Array<number | null>(SPARKLINE_POINTS).fill(null);
      return { serviceId: s.id, name: s.name, cpu, latest: cpu.findLast((v) => v !== null) ?? null };
    }),
  };
}

export type Sparklines = Awaited<ReturnType<typeof sparklines>>;
