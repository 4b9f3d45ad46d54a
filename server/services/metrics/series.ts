import { and, asc, eq, gte, inArray, isNull, lt, or, sql, type AnyColumn, type SQL } from 'drizzle-orm';
import type { z } from 'zod';
import {
  containerRollups1h,
  containerRollups1m,
  containerSamples,
  deployments,
  serviceRollups1h,
  serviceRollups1m,
  serviceSamples,
} from '@/db/schema';
import type { Db } from '@/db/client';
import type { ServiceContext } from '../context';
import { loadService } from '../service/load';
import { addHistograms, quantile } from './latency';
import type { MetricRange, metricSeriesInput } from './schema';
import {
  binMs,
  DAY,
  HOUR,
  MINUTE,
  numeric,
  planSegments,
  readWatermarks,
  SECOND,
  TIER_WIDTH_MS,
  weightedAvg,
  type Segment,
  type Tier,
} from './tiers';

/** Each range reads one tier and bins it to about 200 points. */
export const RANGES: Record<MetricRange, { spanMs: number; stepMs: number; tier: Tier }> = {
  '15m': { spanMs: 15 * MINUTE, stepMs: 5 * SECOND, tier: 'raw' },
  '1h': { spanMs: HOUR, stepMs: 20 * SECOND, tier: 'raw' },
  '24h': { spanMs: DAY, stepMs: 5 * MINUTE, tier: '1m' },
  '7d': { spanMs: 7 * DAY, stepMs: HOUR, tier: '1h' },
};

/**
 * What went through the service's endpoint in a bin: in all, or what one replica answered. Null where the
 * proxy was not sampled.
 */
type TrafficPoint = {
  requestRate: number | null;
  requests: number | null;
  errors5xx: number | null;
  /** Share of the requests answered 5xx, in %; null without requests. */
  errorPercent: number | null;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
};

/** One bin of a service. Times are epoch ms; null where no sample in the bin had the value. */
export type ServicePoint = {
  t: number;
  /** CPU in % of one core: sum across replicas, its mean per replica, its peak in the bin, busiest replica. */
  cpuSum: number | null;
  cpuAvg: number | null;
  cpuPeak: number | null;
  cpuMax: number | null;
  memWorkingSetBytes: number | null;
  memWorkingSetPeakBytes: number | null;
  memWorkingSetMaxBytes: number | null;
  memLimitBytes: number | null;
  netRxBps: number | null;
  netTxBps: number | null;
  blkReadBps: number | null;
  blkWriteBps: number | null;
  running: number;
  healthy: number;
  desired: number;
  restarts: number;
} & TrafficPoint;

/** One bin of a replica: what the per-replica charts draw, no more (a week of 20 replicas is 3,360 of them). */
export type ReplicaPoint = {
  t: number;
  cpu: number | null;
  memWorkingSetBytes: number | null;
  memLimitBytes: number | null;
  netRxBps: number | null;
  netTxBps: number | null;
  blkReadBps: number | null;
  blkWriteBps: number | null;
  /** Share of the bin's samples in which the replica was healthy, 0..1. */
  healthyRatio: number;
} & TrafficPoint;

type Weighted<P> = { n: number; point: P };

/**
 * Bins that two tiers both touch (at a watermark) are merged, weighting means by sample counts. Rows come
 * in time order, a segment after the other, so such bins are neighbours. Merges into the rows it is given.
 */
function merge<P extends { t: number }>(
  rows: Weighted<P>[],
  means: (keyof P)[],
  maxima: (keyof P)[],
  sums: (keyof P)[] = [],
  combine?: (into: P, from: P) => void,
): Weighted<P>[] {
  const out: Weighted<P>[] = [];
  for (const r of rows) {
    const seen = out.at(-1);
    if (!seen || seen.point.t !== r.point.t) {
      out.push(r);
      continue;
    }
    const n = seen.n + r.n;
    const p = seen.point as Record<keyof P, unknown>;
    for (const k of means) {
      const a = seen.point[k] as number | null;
      const b = r.point[k] as number | null;
      p[k] = a === null ? b : b === null ? a : (a * seen.n + b * r.n) / n;
    }
    for (const k of maxima) {
      const a = seen.point[k] as number | null;
      const b = r.point[k] as number | null;
      p[k] = a === null ? b : b === null ? a : Math.max(a, b);
    }
    for (const k of sums) {
      const a = seen.point[k] as number | null;
      const b = r.point[k] as number | null;
      p[k] = a === null ? b : b === null ? a : a + b;
    }
    combine?.(seen.point, r.point);
    seen.n = n;
  }
  return out;
}

const SERVICE_MEANS: (keyof ServicePoint)[] = [
  'cpuSum',
  'memWorkingSetBytes',
  'netRxBps',
  'netTxBps',
  'blkReadBps',
  'blkWriteBps',
  'running',
  'healthy',
  'requestRate',
];
const SERVICE_SUMS: (keyof ServicePoint)[] = ['requests', 'errors5xx'];
const SERVICE_MAXIMA: (keyof ServicePoint)[] = [
  'cpuPeak',
  'cpuMax',
  'memWorkingSetPeakBytes',
  'memWorkingSetMaxBytes',
  'memLimitBytes',
  'desired',
  'restarts',
];

async function serviceSegment(db: Db, serviceId: string, seg: Segment, stepMs: number) {
  if (seg.tier === 'raw') {
    const t = serviceSamples;
    return db
      .select({
        t: binMs(t.at, stepMs),
        n: numeric<number>(sql`count(*)`),
        cpuSum: numeric(sql`avg(${t.cpuPercent})`),
        cpuPeak: numeric(sql`max(${t.cpuPercent})`),
        cpuMax: numeric(sql`max(${t.cpuPercentMax})`),
        memWorkingSetBytes: numeric(sql`avg(${t.memWorkingSetBytes})`),
        memWorkingSetPeakBytes: numeric(sql`max(${t.memWorkingSetBytes})`),
        memWorkingSetMaxBytes: numeric(sql`max(${t.memWorkingSetBytesMax})`),
        memLimitBytes: numeric(sql`max(${t.memLimitBytes})`),
        netRxBps: numeric(sql`avg(${t.netRxBps})`),
        netTxBps: numeric(sql`avg(${t.netTxBps})`),
        blkReadBps: numeric(sql`avg(${t.blkReadBps})`),
        blkWriteBps: numeric(sql`avg(${t.blkWriteBps})`),
        running: numeric<number>(sql`avg(${t.running})`),
        healthy: numeric<number>(sql`avg(${t.healthy})`),
        desired: numeric<number>(sql`max(${t.desired})`),
        restarts: numeric<number>(sql`max(${t.restartCount})`),
        requestRate: numeric(sql`avg(${t.requestRate})`),
        requests: numeric(sql`sum(${t.requests})`),
        errors5xx: numeric(sql`sum(${t.errors5xx})`),
      })
      .from(t)
      .where(and(eq(t.serviceId, serviceId), gte(t.at, seg.from), lt(t.at, seg.to)))
      .groupBy(sql`1`)
      .orderBy(sql`1`);
  }
  const t = seg.tier === '1m' ? serviceRollups1m : serviceRollups1h;
  return db
    .select({
      t: binMs(t.bucket, stepMs),
      n: numeric<number>(sql`sum(${t.samples})`),
      cpuSum: weightedAvg(t.cpuPercentAvg, t.samples),
      cpuPeak: numeric(sql`max(${t.cpuPercentPeak})`),
      cpuMax: numeric(sql`max(${t.cpuPercentMax})`),
      memWorkingSetBytes: weightedAvg(t.memWorkingSetBytesAvg, t.samples),
      memWorkingSetPeakBytes: numeric(sql`max(${t.memWorkingSetBytesPeak})`),
      memWorkingSetMaxBytes: numeric(sql`max(${t.memWorkingSetBytesMax})`),
      memLimitBytes: numeric(sql`max(${t.memLimitBytes})`),
      netRxBps: weightedAvg(t.netRxBps, t.samples),
      netTxBps: weightedAvg(t.netTxBps, t.samples),
      blkReadBps: weightedAvg(t.blkReadBps, t.samples),
      blkWriteBps: weightedAvg(t.blkWriteBps, t.samples),
      running: weightedAvg<number>(t.runningAvg, t.samples),
      healthy: weightedAvg<number>(t.healthyAvg, t.samples),
      desired: numeric<number>(sql`max(${t.desiredMax})`),
      restarts: numeric<number>(sql`max(${t.restartCount})`),
      requestRate: weightedAvg(t.requestRate, t.samples),
      requests: numeric(sql`sum(${t.requests})`),
      errors5xx: numeric(sql`sum(${t.errors5xx})`),
    })
    .from(t)
    .where(and(eq(t.serviceId, serviceId), gte(t.bucket, seg.from), lt(t.bucket, seg.to)))
    .groupBy(sql`1`)
    .orderBy(sql`1`);
}

/** Latency histograms of a segment added up per bin: (bin, bucket index from 1, count) rows. */
async function latencySegment(db: Db, serviceId: string, seg: Segment, stepMs: number) {
  const t = seg.tier === 'raw' ? serviceSamples : seg.tier === '1m' ? serviceRollups1m : serviceRollups1h;
  const time = seg.tier === 'raw' ? serviceSamples.at : (t as typeof serviceRollups1m).bucket;
  const rows = await db.execute(
    sql`select ${binMs(time, stepMs)} as t, u.i::int as i, sum(u.v)::float8 as n
      from ${t}, unnest(${t.latencyHist}) with ordinality as u(v, i)
      where ${t.serviceId} = ${serviceId} and ${time} >= ${seg.from.toISOString()}::timestamptz
        and ${time} < ${seg.to.toISOString()}::timestamptz
      group by 1, 2`,
  );
  // node-postgres and PGlite both answer with { rows }.
  return (rows as unknown as { rows: { t: number | string; i: number; n: number | string }[] }).rows;
}

/** Per bin, the sum of the latency histograms of every tier read. */
async function latencyByBin(db: Db, serviceId: string, segments: Segment[], stepMs: number) {
  const bins = new Map<number, number[]>();
  for (const rows of await Promise.all(segments.map((s) => latencySegment(db, serviceId, s, stepMs)))) {
    for (const r of rows) {
      const t = Number(r.t);
      const hist = bins.get(t) ?? [];
      hist[r.i - 1] = (hist[r.i - 1] ?? 0) + Number(r.n);
      bins.set(t, hist);
    }
  }
  for (const hist of bins.values()) for (let i = 0; i < hist.length; i++) hist[i] ??= 0;
  return bins;
}

/** The per-replica view draws at most this many replicas: the ones seen last. */
export const MAX_REPLICA_LINES = 20;

/** node-postgres and PGlite both answer `execute` with { rows }. */
async function rowsOf<R>(db: Db, query: SQL): Promise<R[]> {
  return ((await db.execute(query)) as unknown as { rows: R[] }).rows;
}

function containerSource(tier: Tier) {
  if (tier === 'raw') return { table: containerSamples, time: containerSamples.at, c: containerSamples };
  const t = tier === '1m' ? containerRollups1m : containerRollups1h;
  return { table: t, time: t.bucket, c: t };
}

const iso = (d: Date) => sql`${d.toISOString()}::timestamptz`;

/** (container id, last time) of every container with samples in a segment. */
function lastSeen(serviceId: string, seg: Segment): SQL {
  const { table, time, c } = containerSource(seg.tier);
  const inSegment = sql`${c.serviceId} = ${serviceId} and ${time} >= ${iso(seg.from)} and ${time} < ${iso(seg.to)}`;
  if (seg.tier === 'raw')
    return sql`select ${c.containerId} as id, max(${time}) as last from ${table} where ${inSegment} group by 1`;
  // Rollups have hundreds of rows per container: hop backwards along the (service, container, bucket)
  // index, from one container's last row in the segment to the last row of the container before it.
  const lastRow = (before: SQL | null) =>
    sql`select ${c.containerId} as id, ${time} as last from ${table}
      where ${inSegment}${before ? sql` and ${c.containerId} < ${before}` : sql``}
      order by 1 desc, 2 desc limit 1`;
  return sql`(with recursive seen(id, last) as (
      (${lastRow(null)})
      union all
      select previous.id, previous.last from seen, lateral (${lastRow(sql`seen.id`)}) as previous
    )
    select id, last from seen)`;
}

/** The containers with samples in the segments: the MAX_REPLICA_LINES seen last, and how many there are. */
async function containersSeen(db: Db, serviceId: string, segments: Segment[]) {
  const rows = await rowsOf<{ id: string; total: number | string }>(
    db,
    sql`select id, count(*) over () as total
      from (${sql.join(
        segments.map((s) => lastSeen(serviceId, s)),
        sql` union all `,
      )}) as seen
      group by id order by max(last) desc, id limit ${MAX_REPLICA_LINES}`,
  );
  return { shown: rows.map((r) => r.id), total: Number(rows[0]?.total ?? 0) };
}

/** The values of a replica's point after its time, in the order replicaSegment returns them. */
const REPLICA_VALUES = [
  'n',
  'healthy',
  'cpu',
  'memWorkingSetBytes',
  'memLimitBytes',
  'netRxBps',
  'netTxBps',
  'blkReadBps',
  'blkWriteBps',
  'requestRate',
  'requests',
  'errors5xx',
] as const;
type ReplicaValue = (typeof REPLICA_VALUES)[number];

/** A bin's values from the raw samples in it. */
function sampleAggregates(): Record<ReplicaValue, SQL> {
  const t = containerSamples;
  const avg = (column: AnyColumn) => sql`avg(${column}::float8)`;
  return {
    n: sql`count(*)`,
    healthy: sql`count(*) filter (where ${t.health} = 'healthy')`,
    cpu: avg(t.cpuPercent),
    memWorkingSetBytes: avg(t.memWorkingSetBytes),
    memLimitBytes: sql`max(${t.memLimitBytes})`,
    netRxBps: avg(t.netRxBps),
    netTxBps: avg(t.netTxBps),
    blkReadBps: avg(t.blkReadBps),
    blkWriteBps: avg(t.blkWriteBps),
    // A replica's traffic is compact (schema): its rate and 5xx count are null while it answers nothing.
    requestRate: sql`coalesce(sum(${t.requestRate}), 0) / nullif(count(${t.requests}), 0)`,
    requests: sql`sum(${t.requests})`,
    errors5xx: sql`case when count(${t.requests}) > 0 then coalesce(sum(${t.errors5xx}), 0) end`,
  };
}

/** A bin's values from the rollup rows in it. */
function rollupAggregates(t: typeof containerRollups1m): Record<ReplicaValue, SQL> {
  return {
    n: sql`sum(${t.samples})`,
    healthy: sql`sum(${t.healthySamples})`,
    cpu: weightedAvg(t.cpuPercentAvg, t.samples),
    memWorkingSetBytes: weightedAvg(t.memWorkingSetBytesAvg, t.samples),
    memLimitBytes: sql`max(${t.memLimitBytes})`,
    netRxBps: weightedAvg(t.netRxBps, t.samples),
    netTxBps: weightedAvg(t.netTxBps, t.samples),
    blkReadBps: weightedAvg(t.blkReadBps, t.samples),
    blkWriteBps: weightedAvg(t.blkWriteBps, t.samples),
    requestRate: sql`coalesce(sum(${t.requestRate} * ${t.samples}), 0)
      / nullif(sum(${t.samples}) filter (where ${t.requests} is not null), 0)`,
    requests: sql`sum(${t.requests})`,
    errors5xx: sql`case when count(${t.requests}) > 0 then coalesce(sum(${t.errors5xx}), 0) end`,
  };
}

/** The values of one rollup row that is a bin by itself. */
function rollupRow(t: typeof containerRollups1m): Record<ReplicaValue, AnyColumn | SQL> {
  return {
    n: t.samples,
    healthy: t.healthySamples,
    cpu: t.cpuPercentAvg,
    memWorkingSetBytes: t.memWorkingSetBytesAvg,
    memLimitBytes: t.memLimitBytes,
    netRxBps: t.netRxBps,
    netTxBps: t.netTxBps,
    blkReadBps: t.blkReadBps,
    blkWriteBps: t.blkWriteBps,
    requestRate: sql`case when ${t.requests} is not null then coalesce(${t.requestRate}, 0) end`,
    requests: t.requests,
    errors5xx: sql`case when ${t.requests} is not null then coalesce(${t.errors5xx}, 0) end`,
  };
}

type ReplicaSegmentRow = {
  id: string;
  replica: number;
  revision: number;
  /** One tuple per bin, in time order: [t, ...REPLICA_VALUES]. */
  points: (number | null)[][];
  /** The bins' latency histograms, in the same order; null where the replica answered nothing. */
  hists: (number[] | null)[];
};

const list = (items: Parameters<typeof sql.join>[0]) => sql.join(items, sql`, `);

/**
 * The bins of some containers in one segment: a row per container, its bins as JSON arrays of numbers.
 * Thousands of points decode much faster as a few JSON values than as rows of a dozen columns each, and
 * PostgreSQL writes a float8[] as JSON faster than a json_build_array of as many values.
 */
async function replicaSegment(db: Db, serviceId: string, seg: Segment, stepMs: number, ids: string[]) {
  const { table, time, c } = containerSource(seg.tier);
  const where = sql`${c.serviceId} = ${serviceId} and ${inArray(c.containerId, ids)}
    and ${time} >= ${iso(seg.from)} and ${time} < ${iso(seg.to)}`;
  if (seg.tier !== 'raw' && TIER_WIDTH_MS[seg.tier] === stepMs) {
    // A rollup row is a bin of its own (the 7-day chart reads hourly rows into hourly bins).
    const row = rollupRow(seg.tier === '1m' ? containerRollups1m : containerRollups1h);
    return rowsOf<ReplicaSegmentRow>(
      db,
      sql`select ${c.containerId} as id, max(${c.replica}) as replica, max(${c.revision}) as revision,
          json_agg(array[${binMs(time, stepMs)}, ${list(REPLICA_VALUES.map((k) => row[k]))}]::float8[]
            order by ${time}) as points,
          json_agg(${c.latencyHist} order by ${time}) as hists
        from ${table} where ${where} group by 1`,
    );
  }
  const values =
    seg.tier === 'raw'
      ? sampleAggregates()
      : rollupAggregates(seg.tier === '1m' ? containerRollups1m : containerRollups1h);
  const names = REPLICA_VALUES.map((k) => sql.identifier(k));
  // Each bin's histograms as they are, added up here: cheaper than unnesting them in SQL.
  const rows = await rowsOf<Omit<ReplicaSegmentRow, 'hists'> & { hists: (number[][] | null)[] }>(
    db,
    sql`select id, max(replica) as replica, max(revision) as revision,
        json_agg(array[t, ${list(names)}]::float8[] order by t) as points, json_agg(hists order by t) as hists
      from (
        select ${c.containerId} as id, max(${c.replica}) as replica, max(${c.revision}) as revision,
          ${binMs(time, stepMs)} as t,
          ${list(REPLICA_VALUES.map((k) => sql`${values[k]} as ${sql.identifier(k)}`))},
          json_agg(${c.latencyHist}) filter (where ${c.latencyHist} is not null) as hists
        from ${table} where ${where}
        group by 1, 4
      ) as bins
      group by id`,
  );
  return rows.map((r) => ({
    ...r,
    hists: r.hists.map(
      (list) => list?.reduce<number[] | null>((sum, h) => addHistograms(sum, h), null) ?? null,
    ),
  }));
}

type ReplicaBin = Omit<ReplicaPoint, 'healthyRatio' | 'errorPercent' | 'latencyP50Ms' | 'latencyP95Ms'> & {
  healthy: number;
  hist: number[] | null;
};

/** Where each value is in a replicaSegment tuple, after the time. */
const AT = Object.fromEntries(REPLICA_VALUES.map((k, i) => [k, i + 1])) as Record<ReplicaValue, number>;

/**
 * A replica's bin of one segment, weighted by its sample count for merging. Thousands of them: built as
 * one literal, so they all share one shape.
 */
function replicaBin(v: (number | null)[], hist: number[] | null): Weighted<ReplicaBin> {
  return {
    n: v[AT.n] ?? 0,
    point: {
      t: v[0]!,
      healthy: v[AT.healthy] ?? 0,
      cpu: v[AT.cpu] ?? null,
      memWorkingSetBytes: v[AT.memWorkingSetBytes] ?? null,
      memLimitBytes: v[AT.memLimitBytes] ?? null,
      netRxBps: v[AT.netRxBps] ?? null,
      netTxBps: v[AT.netTxBps] ?? null,
      blkReadBps: v[AT.blkReadBps] ?? null,
      blkWriteBps: v[AT.blkWriteBps] ?? null,
      requestRate: v[AT.requestRate] ?? null,
      requests: v[AT.requests] ?? null,
      errors5xx: v[AT.errors5xx] ?? null,
      hist,
    },
  };
}

/** Deployments that were open at some point of [from, to]: markers on the chart. */
export async function deployMarkers(db: Db, serviceId: string, from: Date, to: Date) {
  const rows = await db
    .select({
      id: deployments.id,
      status: deployments.status,
      fromRevision: deployments.fromRevision,
      toRevision: deployments.toRevision,
      actor: deployments.actor,
      reason: deployments.reason,
      outcome: deployments.outcome,
      createdAt: deployments.createdAt,
      finishedAt: deployments.finishedAt,
    })
    .from(deployments)
    .where(
      and(
        eq(deployments.serviceId, serviceId),
        lt(deployments.createdAt, to),
        or(isNull(deployments.finishedAt), gte(deployments.finishedAt, from)),
      ),
    )
    .orderBy(asc(deployments.createdAt))
    .limit(500);
  return rows.map((d) => ({
    ...d,
    createdAt: d.createdAt.getTime(),
    finishedAt: d.finishedAt?.getTime() ?? null,
  }));
}

/**
 * A service's resource and health series over a range, for charts: aggregated across replicas or per
 * replica, with deployment markers. Points are sparse: a bin without samples has no point, so a chart
 * should break its line where consecutive points are more than one step apart.
 */
export async function metricSeries(ctx: ServiceContext, input: z.infer<typeof metricSeriesInput>) {
  await loadService(ctx.db, input.serviceId);
  const range = RANGES[input.range];
  const to = new Date();
  const from = new Date(to.getTime() - range.spanMs);
  const segments = planSegments(range.tier, from, to, await readWatermarks(ctx.db));
  const deploys = await deployMarkers(ctx.db, input.serviceId, from, to);
  const head = {
    range: input.range,
    from: from.getTime(),
    to: to.getTime(),
    stepMs: range.stepMs,
    tiers: segments.map((s) => s.tier),
    deploys,
  };

  if (input.view === 'service') {
    const [rows, latency] = await Promise.all([
      Promise.all(segments.map((s) => serviceSegment(ctx.db, input.serviceId, s, range.stepMs))).then((r) =>
        r.flat(),
      ),
      latencyByBin(ctx.db, input.serviceId, segments, range.stepMs),
    ]);
    const points = merge<ServicePoint>(
      rows.map(({ n, ...p }) => ({
        n,
        point: { ...p, cpuAvg: null, errorPercent: null, latencyP50Ms: null, latencyP95Ms: null },
      })),
      SERVICE_MEANS,
      SERVICE_MAXIMA,
      SERVICE_SUMS,
    ).map(({ point: p }) => {
      const hist = latency.get(p.t) ?? null;
      return {
        ...p,
        cpuAvg: p.cpuSum !== null && p.running > 0 ? p.cpuSum / p.running : null,
        errorPercent: p.requests && p.errors5xx !== null ? (100 * p.errors5xx) / p.requests : null,
        latencyP50Ms: quantile(hist, 0.5),
        latencyP95Ms: quantile(hist, 0.95),
      };
    });
    return { ...head, view: 'service' as const, points };
  }

  // A chart of hundreds of lines says nothing, and reading them all is slow: the replicas seen last.
  const { shown, total } = await containersSeen(ctx.db, input.serviceId, segments);
  const rows = shown.length
    ? (
        await Promise.all(
          segments.map((s) => replicaSegment(ctx.db, input.serviceId, s, range.stepMs, shown)),
        )
      ).flat()
    : [];
  const byContainer = new Map<
    string,
    { containerId: string; replica: number; revision: number; bins: Weighted<ReplicaBin>[] }
  >();
  for (const r of rows) {
    const entry = byContainer.get(r.id) ?? {
      containerId: r.id,
      replica: Number(r.replica),
      revision: Number(r.revision),
      bins: [],
    };
    r.points.forEach((tuple, i) => entry.bins.push(replicaBin(tuple, r.hists[i] ?? null)));
    byContainer.set(r.id, entry);
  }
  const replicas = [...byContainer.values()]
    .map(({ bins, ...r }) => {
      const points = merge(
        bins,
        ['cpu', 'memWorkingSetBytes', 'netRxBps', 'netTxBps', 'blkReadBps', 'blkWriteBps', 'requestRate'],
        ['memLimitBytes'],
        // Counts: summed across tiers; healthy samples then become a share of the bin.
        ['healthy', 'requests', 'errors5xx'],
        (into, from) => (into.hist = addHistograms(into.hist, from.hist)),
      ).map(({ n, point: p }): ReplicaPoint => ({
        t: p.t,
        cpu: p.cpu,
        memWorkingSetBytes: p.memWorkingSetBytes,
        memLimitBytes: p.memLimitBytes,
        netRxBps: p.netRxBps,
        netTxBps: p.netTxBps,
        blkReadBps: p.blkReadBps,
        blkWriteBps: p.blkWriteBps,
        healthyRatio: n > 0 ? p.healthy / n : 0,
        requestRate: p.requestRate,
        requests: p.requests,
        errors5xx: p.errors5xx,
        errorPercent: p.requests && p.errors5xx !== null ? (100 * p.errors5xx) / p.requests : null,
        latencyP50Ms: quantile(p.hist, 0.5),
        latencyP95Ms: quantile(p.hist, 0.95),
      }));
      return { ...r, points };
    })
    .sort((a, b) => b.revision - a.revision || a.replica - b.replica);
  return { ...head, view: 'replicas' as const, replicas, hiddenReplicas: total - shown.length };
}

export type MetricSeries = Awaited<ReturnType<typeof metricSeries>>;
