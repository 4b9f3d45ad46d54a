import { and, gte, inArray, lt, sql, type SQL } from 'drizzle-orm';
import { serviceRollups1h, serviceRollups1m, serviceSamples } from '@/db/schema';
import type { Db } from '@/db/client';
import { binMs, numeric, planSegments, readWatermarks, type Tier, type Watermarks } from './tiers';

/**
 * Availability counts of services: samples taken while a service was expected to serve — it wanted
 * replicas and had gone live before, so a first deploy's start-up is not downtime — (`expected`) and
 * those of them in which at least one replica was healthy (`up`). Time when Capstan itself was not collecting
 * has no samples, so it counts neither way.
 */
export type AvailabilityCount = { serviceId: string; bin: number | null; expected: number; up: number };

export async function availabilityCounts(
  db: Db,
  opts: {
    serviceIds: string[] | null;
    from: Date;
    to: Date;
    /** Coarsest tier to read; finer tiers fill in what it has not rolled up yet. */
    tier: Tier;
    /** Group by bins of this width (epoch-aligned); null: one total per service. */
    binMs: number | null;
    watermarks?: Watermarks;
  },
): Promise<AvailabilityCount[]> {
  const wm = opts.watermarks ?? (await readWatermarks(db));
  const segments = planSegments(opts.tier, opts.from, opts.to, wm);
  const rows = await Promise.all(
    segments.map((seg) => {
      const t = seg.tier === 'raw' ? null : seg.tier === '1m' ? serviceRollups1m : serviceRollups1h;
      const time = t ? t.bucket : serviceSamples.at;
      const serviceId = t ? t.serviceId : serviceSamples.serviceId;
      const bin: SQL<number | null> = opts.binMs === null ? sql<null>`null` : binMs(time, opts.binMs);
      const expected = t
        ? sql`sum(${t.expectedSamples})`
        : sql`count(*) filter (where ${serviceSamples.expected})`;
      const up = t
        ? sql`sum(${t.upSamples})`
        : sql`count(*) filter (where ${serviceSamples.expected} and ${serviceSamples.healthy} > 0)`;
      return db
        .select({ serviceId, bin, expected: numeric<number>(expected), up: numeric<number>(up) })
        .from(t ?? serviceSamples)
        .where(
          and(
            gte(time, seg.from),
            lt(time, seg.to),
            opts.serviceIds ? inArray(serviceId, opts.serviceIds) : undefined,
          ),
        )
        .groupBy(sql`1`, sql`2`);
    }),
  );
  const merged = new Map<string, AvailabilityCount>();
  for (const r of rows.flat()) {
    const key = `${r.serviceId}:${r.bin}`;
    const seen = merged.get(key);
    if (seen) {
      seen.expected += r.expected;
      seen.up += r.up;
    } else merged.set(key, { serviceId: r.serviceId, bin: r.bin, expected: r.expected, up: r.up });
  }
  return [...merged.values()];
}

/** up / expected, or null without samples. */
export function ratio(c: { expected: number; up: number } | undefined): number | null {
  return c && c.expected > 0 ? c.up / c.expected : null;
}
