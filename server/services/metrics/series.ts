import { and, asc, eq, gte, inArray, isNull, lt, or, sql } from 'drizzle-orm';
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
import { quantile } from './latency';
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
  /** Through the service's endpoint; null where the proxy was not sampled. */
  requestRate: number | null;
  requests: number | null;
  errors5xx: number | null;
  /** Share of requests answered 5xx, in %; null without requests. */
  errorPercent: number | null;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
};

export type ReplicaPoint = {
  t: number;
  cpu: number | null;
  cpuMax: number | null;
  memUsageBytes: number | null;
  memWorkingSetBytes: number | null;
  memWorkingSetMaxBytes: number | null;
  memLimitBytes: number | null;
  netRxBps: number | null;
  netTxBps: number | null;
  blkReadBps: number | null;
  blkWriteBps: number | null;
  /** Share of the bin's samples in which the replica was healthy, 0..1. */
  healthyRatio: number;
  restarts: number;
};

type Weighted<P> = { n: number; point: P };

/** Bins that two tiers both touch (at a watermark) are merged, weighting means by sample counts. */
function merge<P extends { t: number }>(
  rows: Weighted<P>[],
  means: (keyof P)[],
  maxima: (keyof P)[],
  sums: (keyof P)[] = [],
): P[] {
  const byT = new Map<number, Weighted<P>>();
  for (const r of rows) {
    const seen = byT.get(r.point.t);
    if (!seen) {
      byT.set(r.point.t, { n: r.n, point: { ...r.point } });
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
    seen.n = n;
  }
  return [...byT.values()].map((w) => w.point).sort((a, b) => a.t - b.t);
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

/** The containers with samples in the segments, the most recently seen first. */
async function containersSeen(db: Db, serviceId: string, segments: Segment[]) {
  const last = new Map<string, number>();
  for (const seg of segments) {
    const t = seg.tier === 'raw' ? null : seg.tier === '1m' ? containerRollups1m : containerRollups1h;
    const time = t ? t.bucket : containerSamples.at;
    const id = t ? t.containerId : containerSamples.containerId;
    const rows = await db
      .select({ id, last: sql<string>`max(${time})` })
      .from(t ?? containerSamples)
      .where(
        and(
          eq(t ? t.serviceId : containerSamples.serviceId, serviceId),
          gte(time, seg.from),
          lt(time, seg.to),
        ),
      )
      .groupBy(id);
    for (const r of rows) last.set(r.id, Math.max(last.get(r.id) ?? 0, new Date(r.last).getTime()));
  }
  return [...last.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([id]) => id);
}

async function replicaSegment(db: Db, serviceId: string, seg: Segment, stepMs: number, ids: string[]) {
  if (seg.tier === 'raw') {
    const t = containerSamples;
    return db
      .select({
        containerId: t.containerId,
        replica: sql<number>`max(${t.replica})`.mapWith(Number),
        revision: sql<number>`max(${t.revision})`.mapWith(Number),
        t: binMs(t.at, stepMs),
        n: numeric<number>(sql`count(*)`),
        healthy: numeric<number>(sql`count(*) filter (where ${t.health} = 'healthy')`),
        cpu: numeric(sql`avg(${t.cpuPercent})`),
        cpuMax: numeric(sql`max(${t.cpuPercent})`),
        memUsageBytes: numeric(sql`avg(${t.memUsageBytes})`),
        memWorkingSetBytes: numeric(sql`avg(${t.memWorkingSetBytes})`),
        memWorkingSetMaxBytes: numeric(sql`max(${t.memWorkingSetBytes})`),
        memLimitBytes: numeric(sql`max(${t.memLimitBytes})`),
        netRxBps: numeric(sql`avg(${t.netRxBps})`),
        netTxBps: numeric(sql`avg(${t.netTxBps})`),
        blkReadBps: numeric(sql`avg(${t.blkReadBps})`),
        blkWriteBps: numeric(sql`avg(${t.blkWriteBps})`),
        restarts: numeric<number>(sql`max(${t.restartCount})`),
      })
      .from(t)
      .where(
        and(eq(t.serviceId, serviceId), gte(t.at, seg.from), lt(t.at, seg.to), inArray(t.containerId, ids)),
      )
      .groupBy(t.containerId, sql`4`)
      .orderBy(t.containerId, sql`4`);
  }
  const t = seg.tier === '1m' ? containerRollups1m : containerRollups1h;
  return db
    .select({
      containerId: t.containerId,
      replica: sql<number>`max(${t.replica})`.mapWith(Number),
      revision: sql<number>`max(${t.revision})`.mapWith(Number),
      t: binMs(t.bucket, stepMs),
      n: numeric<number>(sql`sum(${t.samples})`),
      healthy: numeric<number>(sql`sum(${t.healthySamples})`),
      cpu: weightedAvg(t.cpuPercentAvg, t.samples),
      cpuMax: numeric(sql`max(${t.cpuPercentMax})`),
      memUsageBytes: weightedAvg(t.memUsageBytesAvg, t.samples),
      memWorkingSetBytes: weightedAvg(t.memWorkingSetBytesAvg, t.samples),
      memWorkingSetMaxBytes: numeric(sql`max(${t.memWorkingSetBytesMax})`),
      memLimitBytes: numeric(sql`max(${t.memLimitBytes})`),
      netRxBps: weightedAvg(t.netRxBps, t.samples),
      netTxBps: weightedAvg(t.netTxBps, t.samples),
      blkReadBps: weightedAvg(t.blkReadBps, t.samples),
      blkWriteBps: weightedAvg(t.blkWriteBps, t.samples),
      restarts: numeric<number>(sql`max(${t.restartCount})`),
    })
    .from(t)
    .where(
      and(
        eq(t.serviceId, serviceId),
        gte(t.bucket, seg.from),
        lt(t.bucket, seg.to),
        inArray(t.containerId, ids),
      ),
    )
    .groupBy(t.containerId, sql`4`)
    .orderBy(t.containerId, sql`4`);
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
    ).map((p) => {
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
  const seen = await containersSeen(ctx.db, input.serviceId, segments);
  const shown = seen.slice(0, MAX_REPLICA_LINES);
  const rows = shown.length
    ? (
        await Promise.all(
          segments.map((s) => replicaSegment(ctx.db, input.serviceId, s, range.stepMs, shown)),
        )
      ).flat()
    : [];
  const byContainer = new Map<
    string,
    {
      containerId: string;
      replica: number;
      revision: number;
      rows: Weighted<ReplicaPoint & { healthy: number }>[];
    }
  >();
  for (const { containerId, replica, revision, n, ...p } of rows) {
    const entry = byContainer.get(containerId) ?? { containerId, replica, revision, rows: [] };
    entry.rows.push({ n, point: { ...p, healthyRatio: 0 } });
    byContainer.set(containerId, entry);
  }
  const replicas = [...byContainer.values()]
    .map(({ rows: list, ...r }) => {
      // `healthy` is a count of samples: summed across tiers, then turned into a share of the bin.
      const counts = new Map<number, { n: number; healthy: number }>();
      for (const w of list) {
        const c = counts.get(w.point.t) ?? { n: 0, healthy: 0 };
        counts.set(w.point.t, { n: c.n + w.n, healthy: c.healthy + w.point.healthy });
      }
      const points = merge(
        list,
        ['cpu', 'memUsageBytes', 'memWorkingSetBytes', 'netRxBps', 'netTxBps', 'blkReadBps', 'blkWriteBps'],
        ['cpuMax', 'memWorkingSetMaxBytes', 'memLimitBytes', 'restarts'],
      ).map(({ healthy: _healthy, ...p }) => {
        const c = counts.get(p.t)!;
        return { ...p, healthyRatio: c.n > 0 ? c.healthy / c.n : 0 } satisfies ReplicaPoint;
      });
      return { ...r, points };
    })
    .sort((a, b) => b.revision - a.revision || a.replica - b.replica);
  return { ...head, view: 'replicas' as const, replicas, hiddenReplicas: seen.length - shown.length };
}

export type MetricSeries = Awaited<ReturnType<typeof metricSeries>>;
