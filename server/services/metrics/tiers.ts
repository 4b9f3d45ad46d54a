import { sql, type AnyColumn, type SQL } from 'drizzle-orm';
import { metricsRollupState, type RollupTier } from '@/db/schema';
import type { Db, Tx } from '@/db/client';

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** Where samples live: raw per tick, or rolled up per minute or hour. */
export type Tier = 'raw' | RollupTier;
export const TIER_WIDTH_MS: Record<RollupTier, number> = { '1m': MINUTE, '1h': HOUR };
const FINER: Record<Tier, Tier | null> = { '1h': '1m', '1m': 'raw', raw: null };

export type Watermarks = Record<RollupTier, Date | null>;
export type Segment = { tier: Tier; from: Date; to: Date };

export function floorTo(ms: number, width: number): number {
  return Math.floor(ms / width) * width;
}

export async function readWatermarks(db: Db | Tx): Promise<Watermarks> {
  const rows = await db.select().from(metricsRollupState);
  const of = (tier: RollupTier) => rows.find((r) => r.tier === tier)?.rolledUntil ?? null;
  return { '1m': of('1m'), '1h': of('1h') };
}

/**
 * Splits [from, to) between tiers: the base tier up to where it is rolled up, then each finer tier for
 * what is not rolled up yet, ending with raw samples. So a 7-day chart reads hourly rows and still reaches
 * the last tick.
 */
export function planSegments(base: Tier, from: Date, to: Date, wm: Watermarks): Segment[] {
  const out: Segment[] = [];
  let cursor = from.getTime();
  const end = to.getTime();
  for (let tier: Tier | null = base; tier && cursor < end; tier = FINER[tier]) {
    const until = tier === 'raw' ? end : Math.min(wm[tier]?.getTime() ?? cursor, end);
    if (until > cursor) {
      out.push({ tier, from: new Date(cursor), to: new Date(until) });
      cursor = until;
    }
  }
  return out;
}

/** The start of the `widthMs` bin a timestamp falls in, as epoch milliseconds (bins align to the epoch). */
export function binMs(column: AnyColumn | SQL, widthMs: number): SQL<number> {
  // date_part is float8 arithmetic, extract numeric: slower, and bins of whole seconds are exact either way.
  return sql<number>`date_part('epoch', date_bin(${`${widthMs} milliseconds`}::interval, ${column}, timestamptz '1970-01-01T00:00:00Z')) * 1000`.mapWith(
    Number,
  );
}

/** A sample-weighted mean of a rolled-up average; rows where it is unknown do not count. */
export function weightedAvg<T extends number | null = number | null>(
  column: AnyColumn,
  weight: AnyColumn,
): SQL<T> {
  return sql`(sum(${column}::float8 * ${weight}) / nullif(sum(${weight}) filter (where ${column} is not null), 0))::float8`.mapWith(
    toNumber<T>,
  );
}

/** Drivers return bigint and numeric as strings; null stays null (drizzle does not decode it). */
function toNumber<T extends number | null>(value: unknown): T {
  return Number(value) as T;
}

/** An aggregate as a JS number; T says whether it can be null (e.g. avg over no known value). */
export const numeric = <T extends number | null = number | null>(fragment: SQL) =>
  sql`(${fragment})::float8`.mapWith(toNumber<T>);
