import { sql } from 'drizzle-orm';
import type { AnyPgColumn, AnyPgTable } from 'drizzle-orm/pg-core';
import {
  containerRollups1h,
  containerRollups1m,
  containerSamples,
  metricsRollupState,
  serviceRollups1h,
  serviceRollups1m,
  serviceSamples,
  type RollupTier,
} from '@/db/schema';
import type { Db, Tx } from '@/db/client';
import { DAY, floorTo, HOUR, MINUTE, readWatermarks, TIER_WIDTH_MS } from './tiers';

export type Retention = { rawHours: number; minuteDays: number; hourDays: number };
export const DEFAULT_RETENTION: Retention = { rawHours: 24, minuteDays: 7, hourDays: 90 };

/** Samples of a minute still being written are not rolled up until this long after it ends. */
export const ROLLUP_GRACE_MS = 30_000;

/** At most this much is rolled up per transaction, so a catch-up after downtime holds no long lock. */
const CHUNK_MS: Record<RollupTier, number> = { '1m': 6 * HOUR, '1h': 7 * DAY };

const iso = (d: Date) => d.toISOString();
const bucketOf = (column: string, widthMs: number) =>
  sql.raw(`date_bin(interval '${widthMs / 1000} seconds', ${column}, timestamptz '1970-01-01T00:00:00Z')`);

// The rollup of one tier for [from, to), for containers and for services. Upserts: rerunning a range
// recomputes the same rows. A replica's request rate is stored only while it answered (schema): a mean
// over the rows where the proxy was sampled, the others counting 0.
function containerStatement(tier: RollupTier, from: Date, to: Date) {
  const bucket = bucketOf(tier === '1m' ? 'at' : 'bucket', TIER_WIDTH_MS[tier]);
  const target = tier === '1m' ? containerRollups1m : containerRollups1h;
  const select =
    tier === '1m'
      ? sql`select ${bucket}, service_id, container_id, max(replica), max(revision), count(*),
          count(*) filter (where health = 'healthy'), max(restart_count),
          avg(cpu_percent), max(cpu_percent), round(avg(mem_usage_bytes)), round(avg(mem_working_set_bytes)),
          max(mem_working_set_bytes), max(mem_limit_bytes),
          avg(net_rx_bps), avg(net_tx_bps), avg(blk_read_bps), avg(blk_write_bps),
          sum(request_rate) / nullif(count(requests), 0), ${TRAFFIC_SUMS}
        from ${containerSamples} where at >= ${iso(from)}::timestamptz and at < ${iso(to)}::timestamptz`
      : sql`select ${bucket}, service_id, container_id, max(replica), max(revision), sum(samples),
          sum(healthy_samples), max(restart_count),
          ${wavg('cpu_percent_avg')}, max(cpu_percent_max), round(${wavg('mem_usage_bytes_avg')}),
          round(${wavg('mem_working_set_bytes_avg')}), max(mem_working_set_bytes_max), max(mem_limit_bytes),
          ${wavg('net_rx_bps')}, ${wavg('net_tx_bps')}, ${wavg('blk_read_bps')}, ${wavg('blk_write_bps')},
          sum(request_rate * samples) / nullif(sum(samples) filter (where requests is not null), 0),
          ${TRAFFIC_SUMS}
        from ${containerRollups1m} where bucket >= ${iso(from)}::timestamptz and bucket < ${iso(to)}::timestamptz`;
  return sql`insert into ${target} (bucket, service_id, container_id, replica, revision, samples,
      healthy_samples, restart_count, cpu_percent_avg, cpu_percent_max, mem_usage_bytes_avg,
      mem_working_set_bytes_avg, mem_working_set_bytes_max, mem_limit_bytes,
      net_rx_bps, net_tx_bps, blk_read_bps, blk_write_bps, request_rate, requests, errors_5xx, latency_hist)
    ${select}
    group by 1, service_id, container_id
    on conflict (bucket, container_id) do update set
      service_id = excluded.service_id, replica = excluded.replica, revision = excluded.revision,
      samples = excluded.samples, healthy_samples = excluded.healthy_samples,
      restart_count = excluded.restart_count, cpu_percent_avg = excluded.cpu_percent_avg,
      cpu_percent_max = excluded.cpu_percent_max, mem_usage_bytes_avg = excluded.mem_usage_bytes_avg,
      mem_working_set_bytes_avg = excluded.mem_working_set_bytes_avg,
      mem_working_set_bytes_max = excluded.mem_working_set_bytes_max,
      mem_limit_bytes = excluded.mem_limit_bytes, net_rx_bps = excluded.net_rx_bps,
      net_tx_bps = excluded.net_tx_bps, blk_read_bps = excluded.blk_read_bps,
      blk_write_bps = excluded.blk_write_bps, request_rate = excluded.request_rate,
      requests = excluded.requests, errors_5xx = excluded.errors_5xx, latency_hist = excluded.latency_hist`;
}

function serviceStatement(tier: RollupTier, from: Date, to: Date) {
  const bucket = bucketOf(tier === '1m' ? 'at' : 'bucket', TIER_WIDTH_MS[tier]);
  const target = tier === '1m' ? serviceRollups1m : serviceRollups1h;
  const select =
    tier === '1m'
      ? sql`select ${bucket}, service_id, count(*), count(*) filter (where expected),
          count(*) filter (where expected and healthy > 0), max(desired), avg(running), avg(healthy),
          max(restart_count), avg(cpu_percent), max(cpu_percent), max(cpu_percent_max),
          round(avg(mem_working_set_bytes)), max(mem_working_set_bytes), max(mem_working_set_bytes_max),
          max(mem_limit_bytes), avg(net_rx_bps), avg(net_tx_bps), avg(blk_read_bps), avg(blk_write_bps),
          avg(request_rate), ${TRAFFIC_SUMS}
        from ${serviceSamples} where at >= ${iso(from)}::timestamptz and at < ${iso(to)}::timestamptz`
      : sql`select ${bucket}, service_id, sum(samples), sum(expected_samples), sum(up_samples),
          max(desired_max), ${wavg('running_avg')}, ${wavg('healthy_avg')}, max(restart_count),
          ${wavg('cpu_percent_avg')}, max(cpu_percent_peak), max(cpu_percent_max),
          round(${wavg('mem_working_set_bytes_avg')}), max(mem_working_set_bytes_peak),
          max(mem_working_set_bytes_max), max(mem_limit_bytes),
          ${wavg('net_rx_bps')}, ${wavg('net_tx_bps')}, ${wavg('blk_read_bps')}, ${wavg('blk_write_bps')},
          ${wavg('request_rate')}, ${TRAFFIC_SUMS}
        from ${serviceRollups1m} where bucket >= ${iso(from)}::timestamptz and bucket < ${iso(to)}::timestamptz`;
  return sql`insert into ${target} (bucket, service_id, samples, expected_samples, up_samples, desired_max,
      running_avg, healthy_avg, restart_count, cpu_percent_avg, cpu_percent_peak, cpu_percent_max,
      mem_working_set_bytes_avg, mem_working_set_bytes_peak, mem_working_set_bytes_max, mem_limit_bytes,
      net_rx_bps, net_tx_bps, blk_read_bps, blk_write_bps, request_rate, requests, errors_5xx, latency_hist)
    ${select}
    group by 1, service_id
    on conflict (bucket, service_id) do update set
      request_rate = excluded.request_rate, requests = excluded.requests, errors_5xx = excluded.errors_5xx, latency_hist = excluded.latency_hist,
      samples = excluded.samples, expected_samples = excluded.expected_samples,
      up_samples = excluded.up_samples, desired_max = excluded.desired_max,
      running_avg = excluded.running_avg, healthy_avg = excluded.healthy_avg,
      restart_count = excluded.restart_count, cpu_percent_avg = excluded.cpu_percent_avg,
      cpu_percent_peak = excluded.cpu_percent_peak, cpu_percent_max = excluded.cpu_percent_max,
      mem_working_set_bytes_avg = excluded.mem_working_set_bytes_avg,
      mem_working_set_bytes_peak = excluded.mem_working_set_bytes_peak,
      mem_working_set_bytes_max = excluded.mem_working_set_bytes_max,
      mem_limit_bytes = excluded.mem_limit_bytes, net_rx_bps = excluded.net_rx_bps,
      net_tx_bps = excluded.net_tx_bps, blk_read_bps = excluded.blk_read_bps,
      blk_write_bps = excluded.blk_write_bps`;
}

// Request counts add up; the histogram starts empty where any row had one and is summed by histStatement.
const TRAFFIC_SUMS = sql.raw(
  `sum(requests), sum(errors_5xx), case when count(latency_hist) > 0 then '{}'::bigint[] end`,
);

/**
 * Adds up the latency histograms of the rows a service's or container's buckets were rolled up from, bucket
 * by bucket.
 */
function histStatement(tier: RollupTier, from: Date, to: Date, of: 'service' | 'container') {
  const [source, target] =
    of === 'service'
      ? tier === '1m'
        ? [serviceSamples, serviceRollups1m]
        : [serviceRollups1m, serviceRollups1h]
      : tier === '1m'
        ? [containerSamples, containerRollups1m]
        : [containerRollups1m, containerRollups1h];
  const key = sql.raw(of === 'service' ? 'service_id' : 'container_id');
  const time = tier === '1m' ? 'at' : 'bucket';
  const bucket = bucketOf(`s.${time}`, TIER_WIDTH_MS[tier]);
  return sql`update ${target} as t set latency_hist = h.hist
    from (
      select b, ${key}, array_agg(n order by i) as hist
      from (
        select ${bucket} as b, s.${key}, u.i, sum(u.v)::bigint as n
        from ${source} as s, unnest(s.latency_hist) with ordinality as u(v, i)
        where s.${sql.raw(time)} >= ${iso(from)}::timestamptz and s.${sql.raw(time)} < ${iso(to)}::timestamptz
        group by 1, 2, 3
      ) as per_bucket
      group by 1, 2
    ) as h
    where t.bucket = h.b and t.${key} = h.${key}`;
}

/** Mean of per-minute means, weighted by their sample counts. */
function wavg(column: string) {
  return sql.raw(`sum(${column} * samples) / nullif(sum(samples) filter (where ${column} is not null), 0)`);
}

async function oldest(db: Db, table: AnyPgTable, column: AnyPgColumn): Promise<number | null> {
  const [row] = await db.select({ first: sql<string | null>`min(${column})` }).from(table);
  return row?.first ? new Date(row.first).getTime() : null;
}

/** Where the source of a tier starts when it has never been rolled up: its oldest row. */
async function oldestSource(db: Db, tier: RollupTier): Promise<Date | null> {
  const firsts =
    tier === '1m'
      ? [
          await oldest(db, serviceSamples, serviceSamples.at),
          await oldest(db, containerSamples, containerSamples.at),
        ]
      : [
          await oldest(db, serviceRollups1m, serviceRollups1m.bucket),
          await oldest(db, containerRollups1m, containerRollups1m.bucket),
        ];
  const known = firsts.filter((t): t is number => t !== null);
  return known.length ? new Date(Math.min(...known)) : null;
}

/** Moves a watermark forward, never back (a slower concurrent run may finish later). */
async function setWatermark(tx: Tx, tier: RollupTier, until: Date) {
  await tx
    .insert(metricsRollupState)
    .values({ tier, rolledUntil: until, updatedAt: new Date() })
    .onConflictDoUpdate({
      target: metricsRollupState.tier,
      set: {
        rolledUntil: sql`greatest(${metricsRollupState.rolledUntil}, excluded.rolled_until)`,
        updatedAt: new Date(),
      },
    });
}

/** Rolls up every complete bucket of a tier since its watermark, in chunks. */
async function rollTier(db: Db, tier: RollupTier, upTo: number): Promise<{ from: Date; to: Date } | null> {
  const width = TIER_WIDTH_MS[tier];
  const wm = (await readWatermarks(db))[tier];
  const start = wm ?? (await oldestSource(db, tier));
  if (!start) return null;
  const from = floorTo(start.getTime(), width);
  const to = floorTo(upTo, width);
  if (to <= from) return null;
  for (let at = from; at < to; at += CHUNK_MS[tier]) {
    const chunkFrom = new Date(at);
    const chunkTo = new Date(Math.min(at + CHUNK_MS[tier], to));
    await db.transaction(async (tx) => {
      // Two Capstans on one database roll up one at a time; the second finds the work done.
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext('capstan.metrics-rollup'))`);
      const done = (await readWatermarks(tx))[tier];
      if (done && done >= chunkTo) return;
      await tx.execute(containerStatement(tier, chunkFrom, chunkTo));
      await tx.execute(serviceStatement(tier, chunkFrom, chunkTo));
      await tx.execute(histStatement(tier, chunkFrom, chunkTo, 'service'));
      await tx.execute(histStatement(tier, chunkFrom, chunkTo, 'container'));
      await setWatermark(tx, tier, chunkTo);
    });
  }
  return { from: new Date(from), to: new Date(to) };
}

/** Deletes rows older than `before`, counting them without returning them. */
async function prune(db: Db, tables: [AnyPgTable, AnyPgColumn][], before: Date): Promise<number> {
  let deleted = 0;
  for (const [table, column] of tables) {
    // node-postgres and PGlite both answer with { rows }.
    const result = (await db.execute(
      sql`with gone as (delete from ${table} where ${column} < ${iso(before)}::timestamptz returning 1)
        select count(*)::int as n from gone`,
    )) as unknown as { rows: { n: number }[] };
    deleted += Number(result.rows[0]?.n ?? 0);
  }
  return deleted;
}

/**
 * The rollup and retention job: rolls complete minutes of raw samples into 1-minute rows and complete
 * hours of those into 1-hour rows, then deletes what has outlived its retention — never anything not
 * rolled up yet. Idempotent, and after downtime it catches up from where it stopped.
 */
export async function rollUpMetrics(
  db: Db,
  opts: { now?: Date; retention?: Retention; graceMs?: number } = {},
) {
  const now = (opts.now ?? new Date()).getTime();
  const retention = opts.retention ?? DEFAULT_RETENTION;
  const minute = await rollTier(db, '1m', now - (opts.graceMs ?? ROLLUP_GRACE_MS));
  const wm = await readWatermarks(db);
  const hour = wm['1m'] ? await rollTier(db, '1h', wm['1m'].getTime()) : null;
  const after = await readWatermarks(db);

  const deleted = { raw: 0, '1m': 0, '1h': 0 };
  if (after['1m']) {
    const cut = new Date(floorTo(Math.min(now - retention.rawHours * HOUR, after['1m'].getTime()), MINUTE));
    deleted.raw = await prune(
      db,
      [
        [containerSamples, containerSamples.at],
        [serviceSamples, serviceSamples.at],
      ],
      cut,
    );
  }
  if (after['1h']) {
    const cut = new Date(floorTo(Math.min(now - retention.minuteDays * DAY, after['1h'].getTime()), HOUR));
    deleted['1m'] = await prune(
      db,
      [
        [containerRollups1m, containerRollups1m.bucket],
        [serviceRollups1m, serviceRollups1m.bucket],
      ],
      cut,
    );
  }
  const hourCut = new Date(floorTo(now - retention.hourDays * DAY, HOUR));
  deleted['1h'] = await prune(
    db,
    [
      [containerRollups1h, containerRollups1h.bucket],
      [serviceRollups1h, serviceRollups1h.bucket],
    ],
    hourCut,
  );
  return { rolled: { '1m': minute, '1h': hour }, watermarks: after, deleted };
}
