import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { openDb } from '@/db/client';
import { migrate } from '@/db/migrate';
import { DockerEngine } from '@/server/docker/engine';
import { asSystem, type Deps } from '@/server/services/context';
import { EventBus } from '@/server/services/events/bus';
import { ProbeStore } from '@/server/services/health/probe-store';
import { openSignInThrottle } from '@/server/services/auth/sign-in-throttle';
import { installationId } from '@/server/services/installation/identity';
import { rollUpMetrics } from '@/server/services/metrics/rollup';
import { metricSeries } from '@/server/services/metrics/series';
import { DAY, floorTo, HOUR, MINUTE } from '@/server/services/metrics/tiers';
import { SecretBox } from '@/server/services/secrets/box';
import { createService } from '@/server/services/service/create';
import { sampleSpec } from '@/server/testing/harness';
import { onCleanup } from './cleanup';
import { percentile } from './stats';

/** The collector's default interval: one raw row per container every 5 s. */
const TICK_S = 5;
/** The most replicas one service may have (the spec schema's limit). */
const PER_SERVICE = 50;

export type HistoryShape = 'concurrent' | 'generations';
export type QueryRow = {
  shape: HistoryShape;
  view: 'service' | 'replicas';
  p50: number;
  p95: number;
  max: number;
  points: number;
};
export type QueryResult = {
  containers: number;
  seedS: number;
  rollupS: number;
  rows: Record<string, number>;
  tiers: string[];
  queries: number;
  views: QueryRow[];
};

/** Containers [first, last] of one revision, sampled over [from, to). */
type Life = { first: number; last: number; revision: number; from: number; to: number };

// Realistic-looking values: a daily CPU wave per container with noise, a few MiB of memory, some traffic.
const CPU = sql.raw(
  `(0.6 + 0.4 * sin(2 * pi() * extract(epoch from t) / 86400 + r / 10.0) + random() * 0.3)`,
);
const MEM = sql.raw(`(3000000 + r * 1000 + floor(random() * 200000))::bigint`);
const SERVICE_CPU = sql.raw(`(0.6 + 0.4 * sin(2 * pi() * extract(epoch from t) / 86400) + random() * 0.1)`);
// Every replica answers 1.6–2.4 requests a second, mostly in 1–2 ms, some in 2–4 ms, 1 in 200 a 5xx; the
// service's rows are the sums. Latencies as histograms (server/services/metrics/latency.ts).
const REQUESTS = sql.raw(`(8 + (r + extract(epoch from t)::int) % 5)`);
const LATENCY = (q: string) => sql.raw(`array[0, ${q} - 3, 2, 1]`);

const iso = (ms: number) => new Date(ms).toISOString();
/** 64 hex digits, like a Docker container id, from a shape's tag and the container's number `r`. */
const containerId = (tag: HistoryShape) => sql.raw(`md5('${tag}' || r) || md5('${tag}-' || r)`);
/** A literal: the select list of an insert … select gives parameters no type to infer. */
const lit = (n: number) => sql.raw(String(Math.trunc(n)));

function ticks(from: number, to: number, stepS: number): SQL {
  return sql`generate_series(${iso(from)}::timestamptz, ${iso(to - stepS * 1000)}::timestamptz, ${sql.raw(`interval '${stepS} seconds'`)}) t`;
}

/** Raw samples of a life's containers, one row each per tick of [from, to). */
function containerRaw(serviceId: string, tag: HistoryShape, life: Life, from: number, to: number) {
  return sql`insert into container_samples (at, service_id, container_id, replica, revision, health,
      restart_count, cpu_percent, mem_usage_bytes, mem_working_set_bytes, mem_limit_bytes, net_rx_bps,
      net_tx_bps, blk_read_bps, blk_write_bps, requests, request_rate, errors_5xx, latency_hist)
    select t, ${serviceId}::uuid, ${containerId(tag)}, r % ${lit(PER_SERVICE)},
      ${lit(life.revision)}, 'healthy', 0, ${CPU}, m, m - 250000, null::bigint,
      800 + random() * 400, 1500 + random() * 800, 0, 0,
      q, q / ${lit(TICK_S)}.0, (random() < 0.005)::int, ${LATENCY('q')}
    from ${ticks(from, to, TICK_S)}, generate_series(${lit(life.first)}, ${lit(life.last)}) r,
      lateral (select ${MEM} as m, ${REQUESTS} as q) v`;
}

/** Minute rollups of a life's containers, as the rollup job writes them, for [from, to). */
function containerMinutes(serviceId: string, tag: HistoryShape, life: Life, from: number, to: number) {
  const per = lit(60 / TICK_S);
  return sql`insert into container_rollups_1m (bucket, service_id, container_id, replica, revision, samples,
      healthy_samples, restart_count, cpu_percent_avg, cpu_percent_max, mem_usage_bytes_avg,
      mem_working_set_bytes_avg, mem_working_set_bytes_max, mem_limit_bytes, net_rx_bps, net_tx_bps,
      blk_read_bps, blk_write_bps, requests, request_rate, errors_5xx, latency_hist)
    select t, ${serviceId}::uuid, ${containerId(tag)}, r % ${lit(PER_SERVICE)},
      ${lit(life.revision)}, ${per}, ${per}, 0, c, c * 1.5, m, m - 250000, m - 200000, null::bigint,
      800 + random() * 400, 1500 + random() * 800, 0, 0,
      q, q / 60.0, (random() < 0.06)::int, ${LATENCY('q')}
    from ${ticks(from, to, 60)}, generate_series(${lit(life.first)}, ${lit(life.last)}) r,
      lateral (select ${CPU} as c, ${MEM} as m, ${per} * ${REQUESTS} as q) v`;
}

/** The service's own rows (sums across its `n` running replicas) for [from, to): raw or per minute. */
function serviceRows(serviceId: string, n: number, tier: 'raw' | '1m', from: number, to: number) {
  const N = lit(n);
  if (tier === 'raw')
    return sql`insert into service_samples (at, service_id, desired, running, healthy, restart_count,
        cpu_percent, cpu_percent_max, mem_working_set_bytes, mem_working_set_bytes_max, mem_limit_bytes,
        net_rx_bps, net_tx_bps, blk_read_bps, blk_write_bps, requests, request_rate, errors_5xx, latency_hist)
      select t, ${serviceId}::uuid, ${N}, ${N}, ${N}, 0, ${N} * c, c * 1.6, ${N} * 3000000, 3400000,
        null::bigint, ${N} * 1000.0, ${N} * 1900.0, 0, 0,
        ${N} * 10, ${N} * 10 / ${lit(TICK_S)}.0, ${N} / 20, array[0, ${N} * 7, ${N} * 2, ${N}]
      from ${ticks(from, to, TICK_S)}, lateral (select ${SERVICE_CPU} as c) cpu`;
  const per = lit(60 / TICK_S);
  return sql`insert into service_rollups_1m (bucket, service_id, samples, expected_samples, up_samples,
      desired_max, running_avg, healthy_avg, restart_count, cpu_percent_avg, cpu_percent_peak,
      cpu_percent_max, mem_working_set_bytes_avg, mem_working_set_bytes_peak, mem_working_set_bytes_max,
      mem_limit_bytes, net_rx_bps, net_tx_bps, blk_read_bps, blk_write_bps, requests, request_rate,
      errors_5xx, latency_hist)
    select t, ${serviceId}::uuid, ${per}, ${per}, ${per}, ${N}, ${N}, ${N}, 0, ${N} * c, ${N} * c * 1.2,
      c * 1.6, ${N} * 3000000, ${N} * 3100000, 3400000, null::bigint, ${N} * 1000.0, ${N} * 1900.0, 0, 0,
      ${per} * ${N} * 10, ${N} * 10 / ${lit(TICK_S)}.0, ${per} * ${N} / 20,
      array[0, ${per} * ${N} * 7, ${per} * ${N} * 2, ${per} * ${N}]
    from ${ticks(from, to, 60)}, lateral (select ${SERVICE_CPU} as c) cpu`;
}

/**
 * Seeds one service's history as Capstan keeps it: 1-minute rollups before the last 24 h, raw samples
 * every 5 s within them (the real rollup job, run afterwards, rolls those into minutes and every minute
 * into hours). Chunks of 6 hours (minutes) or 1 hour (raw) per transaction.
 */
async function seed(
  db: Db,
  serviceId: string,
  tag: HistoryShape,
  lives: Life[],
  running: number,
  window: Window,
) {
  const chunk = async (tier: 'raw' | '1m', from: number, to: number) => {
    const width = tier === 'raw' ? HOUR : 6 * HOUR;
    for (let at = from; at < to; at += width) {
      const end = Math.min(at + width, to);
      await db.transaction(async (tx) => {
        await tx.execute(serviceRows(serviceId, running, tier, at, end));
        for (const life of lives) {
          const a = Math.max(at, life.from);
          const b = Math.min(end, life.to);
          if (a >= b) continue;
          await tx.execute(
            tier === 'raw'
              ? containerRaw(serviceId, tag, life, a, b)
              : containerMinutes(serviceId, tag, life, a, b),
          );
        }
      });
    }
  };
  await chunk('1m', window.start, window.rawFrom);
  await chunk('raw', window.rawFrom, window.rawTo);
}

type Window = { start: number; rawFrom: number; rawTo: number };

/** 200 containers as `shape` says: all at once for the whole week, or revisions of 50 replicas in turn. */
function livesOf(shape: HistoryShape, containers: number, w: Window): Life[] {
  if (shape === 'concurrent')
    return [{ first: 0, last: containers - 1, revision: 1, from: w.start, to: w.rawTo }];
  const generations = Math.ceil(containers / PER_SERVICE);
  // Each revision's replicas ran for an equal share of the week, aligned to the minute.
  const span = floorTo((w.rawTo - w.start) / generations, MINUTE);
  return Array.from({ length: generations }, (_, g) => ({
    first: g * PER_SERVICE,
    last: Math.min(containers, (g + 1) * PER_SERVICE) - 1,
    revision: g + 1,
    from: w.start + g * span,
    to: g === generations - 1 ? w.rawTo : w.start + (g + 1) * span,
  }));
}

/**
 * A fresh on-disk PGlite database holding 7 days of metrics of one service with `containers` containers
 * of history, in one or both shapes: all of them running the whole week (beyond the 50-replica limit of a
 * service: a stress case), and revisions of 50 replicas replacing each other (what a service can really
 * have). Then the real series function for the 7-day range, aggregated and per replica.
 */
export async function measureChartQuery(
  opts: { containers: number; queries: number; shapes: HistoryShape[] },
  log: (msg: string) => void,
): Promise<QueryResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'capstan-obs-db-'));
  const removeDir = () => fs.rmSync(dir, { recursive: true, force: true });
  const undo = onCleanup(`temp database ${dir}`, removeDir);
  const handle = await openDb({ kind: 'pglite', dir });
  try {
    await migrate(handle);
    const db = handle.db;
    const deps: Deps = {
      db,
      docker: new DockerEngine(await installationId(db)),
      bus: new EventBus(),
      box: new SecretBox(crypto.randomBytes(32)),
      probes: new ProbeStore(),
      proxy: null,
      signInThrottle: await openSignInThrottle(null),
      metricsToken: null,
    };
    const ctx = asSystem(deps, 'bench');

    const now = Date.now();
    const window = {
      start: floorTo(now - 7 * DAY, HOUR) - HOUR,
      rawFrom: floorTo(now - DAY, MINUTE),
      rawTo: floorTo(now, TICK_S * 1000),
    };
    const services = new Map<HistoryShape, string>();
    const t0 = performance.now();
    for (const shape of opts.shapes) {
      const { service } = await createService(ctx, {
        name: `obs-chart-${shape}`,
        description: 'bench/observability',
        protected: false,
        deploy: false,
        replicas: Math.min(PER_SERVICE, opts.containers),
        spec: sampleSpec(),
      });
      services.set(shape, service.id);
      const running = shape === 'concurrent' ? opts.containers : Math.min(PER_SERVICE, opts.containers);
      await seed(db, service.id, shape, livesOf(shape, opts.containers, window), running, window);
      log(`  seeded ${shape}: ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    }
    const seedS = (performance.now() - t0) / 1000;
    const t1 = performance.now();
    await rollUpMetrics(db, { now: new Date(now) });
    const rollupS = (performance.now() - t1) / 1000;
    log(`  rollup job: ${rollupS.toFixed(0)} s`);
    await db.execute(sql`vacuum analyze`);

    const rows: Record<string, number> = {};
    for (const table of [
      'container_samples',
      'container_rollups_1m',
      'container_rollups_1h',
      'service_samples',
      'service_rollups_1m',
      'service_rollups_1h',
    ]) {
      const r = (await db.execute(
        sql`select count(*)::int as n from ${sql.identifier(table)}`,
      )) as unknown as {
        rows: { n: number }[];
      };
      rows[table] = Number(r.rows[0]?.n ?? 0);
    }

    const views: QueryRow[] = [];
    let tiers: string[] = [];
    for (const [shape, serviceId] of services) {
      for (const view of ['service', 'replicas'] as const) {
        const input = { serviceId, range: '7d' as const, view };
        for (let i = 0; i < 3; i++) await metricSeries(ctx, input);
        const times: number[] = [];
        let points = 0;
        for (let i = 0; i < opts.queries; i++) {
          const q0 = performance.now();
          const res = await metricSeries(ctx, input);
          times.push(performance.now() - q0);
          tiers = res.tiers;
          points =
            res.view === 'service'
              ? res.points.length
              : res.replicas.reduce((s, r) => s + r.points.length, 0);
        }
        const row = {
          shape,
          view,
          p50: percentile(times, 50),
          p95: percentile(times, 95),
          max: Math.max(...times),
          points,
        };
        views.push(row);
        log(
          `  ${shape}, ${view}: p50 ${row.p50.toFixed(1)} ms, p95 ${row.p95.toFixed(1)} ms, ${points} points`,
        );
      }
    }
    return { containers: opts.containers, seedS, rollupS, rows, tiers, queries: opts.queries, views };
  } finally {
    await handle.close();
    removeDir();
    undo();
  }
}
