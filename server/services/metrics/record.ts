import { getTableColumns, sql, type SQL } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { containerSamples, services, serviceSamples, type ReplicaHealth } from '@/db/schema';
import type { Db } from '@/db/client';

/** One container's reading in one tick; rates are null when there is no previous reading to compare. */
export type ContainerReading = {
  serviceId: string;
  containerId: string;
  replica: number;
  revision: number;
  health: ReplicaHealth;
  restartCount: number;
  cpuPercent: number | null;
  memUsageBytes: number | null;
  memWorkingSetBytes: number | null;
  memLimitBytes: number | null;
  netRxBps: number | null;
  netTxBps: number | null;
  blkReadBps: number | null;
  blkWriteBps: number | null;
};

/** What an endpoint, or one replica behind it, served during a tick; latencies as a histogram (latency.ts). */
export type Traffic = {
  requests: number;
  /** Requests per second over the tick's window. */
  requestRate: number;
  errors5xx: number;
  latencyHist: number[];
};

export type ServiceTraffic = Traffic & {
  /**
   * Per replica that answered: its container id, or the leading part the proxy knows. Requests no
   * replica answered (the proxy's own 503s) count only for the service.
   */
  replicas?: (Traffic & { containerId: string })[];
};

export type Tick = {
  at: Date;
  containers: ContainerReading[];
  /**
   * Every service the installation has, with the replicas it wants right now, and its traffic when
   * the proxy was sampled (null: not sampled, as without HAProxy).
   */
  services: {
    serviceId: string;
    desired: number;
    /** Whether the service had gone live before (a first deploy's start-up is not downtime); default yes. */
    live?: boolean;
    traffic?: ServiceTraffic | null;
  }[];
};

function sum(values: (number | null)[]): number | null {
  const known = values.filter((v): v is number => v !== null);
  return known.length ? known.reduce((a, b) => a + b, 0) : null;
}

function max(values: (number | null)[]): number | null {
  const known = values.filter((v): v is number => v !== null);
  return known.length ? Math.max(...known) : null;
}

/** The per-service row of a tick: sums and maxima across its replicas, and how many are healthy. */
export function serviceRow(
  at: Date,
  serviceId: string,
  desired: number,
  mine: ContainerReading[],
  traffic: ServiceTraffic | null = null,
  live = true,
) {
  const running = mine.filter((c) => c.health !== 'stopped');
  // With nothing running the service uses nothing; with replicas not yet measured it is unknown.
  const total = (pick: (c: ContainerReading) => number | null) =>
    running.length === 0 ? 0 : sum(running.map(pick));
  const limits = running.map((c) => c.memLimitBytes);
  return {
    at,
    serviceId,
    desired,
    expected: desired > 0 && live,
    running: running.length,
    healthy: mine.filter((c) => c.health === 'healthy').length,
    restartCount: mine.reduce((n, c) => n + c.restartCount, 0),
    cpuPercent: total((c) => c.cpuPercent),
    cpuPercentMax: max(running.map((c) => c.cpuPercent)),
    memWorkingSetBytes: total((c) => c.memWorkingSetBytes),
    memWorkingSetBytesMax: max(running.map((c) => c.memWorkingSetBytes)),
    memLimitBytes: limits.length > 0 && limits.every((l) => l !== null) ? sum(limits) : null,
    netRxBps: total((c) => c.netRxBps),
    netTxBps: total((c) => c.netTxBps),
    blkReadBps: total((c) => c.blkReadBps),
    blkWriteBps: total((c) => c.blkWriteBps),
    requestRate: traffic?.requestRate ?? null,
    requests: traffic?.requests ?? null,
    errors5xx: traffic?.errors5xx ?? null,
    latencyHist: traffic?.latencyHist ?? null,
  };
}

/**
 * `insert … select` of rows passed as one JSON parameter, in the table's column names and driver values;
 * a column no row gives a value keeps its default, a value one row leaves out is null. Costs a fraction
 * of an insert of values: the statement does not grow with the rows, so neither does the work of building
 * it (about 15 parameters per container, each checked one by one) nor of parsing it.
 */
function insertRows<T extends PgTable>(table: T, rows: Record<string, unknown>[]): SQL | null {
  if (rows.length === 0) return null;
  const columns = Object.entries(getTableColumns(table)).filter(([key]) =>
    rows.some((row) => row[key] !== undefined),
  );
  const json = rows.map((row) => {
    const out: Record<string, unknown> = {};
    for (const [key, column] of columns) {
      const value = row[key];
      out[column.name] = value === null || value === undefined ? null : column.mapToDriverValue(value);
    }
    return out;
  });
  const names = sql.join(
    columns.map(([, column]) => sql.identifier(column.name)),
    sql`, `,
  );
  return sql`insert into ${table} (${names}) select ${names} from json_populate_recordset(null::${table}, ${JSON.stringify(json)}::json)`;
}

/**
 * A container's row of a tick, with what it answered through the endpoint. Compact, as it is stored per
 * container and tick: a replica that answered nothing has requests 0 and the rest null; requests is null
 * when the proxy was not sampled.
 */
export function containerRow(at: Date, c: ContainerReading, traffic: ServiceTraffic | null) {
  const served = traffic?.replicas?.find((r) => c.containerId.startsWith(r.containerId));
  const busy = served && served.requests > 0 ? served : null;
  return {
    at,
    ...c,
    requests: traffic ? (busy?.requests ?? 0) : null,
    requestRate: busy?.requestRate ?? null,
    errors5xx: busy?.errors5xx ?? null,
    latencyHist: busy?.latencyHist ?? null,
  };
}

function isForeignKeyViolation(err: unknown): boolean {
  const e = err as { code?: string; cause?: { code?: string } } | null;
  return e?.code === '23503' || e?.cause?.code === '23503';
}

async function insertTick(db: Db, tick: Tick, keep: (serviceId: string) => boolean) {
  const traffic = new Map(tick.services.map((s) => [s.serviceId, s.traffic ?? null]));
  const containers = tick.containers
    .filter((c) => keep(c.serviceId))
    .map((c) => containerRow(tick.at, c, traffic.get(c.serviceId) ?? null));
  const rows = tick.services
    .filter((s) => keep(s.serviceId))
    .map((s) =>
      serviceRow(
        tick.at,
        s.serviceId,
        s.desired,
        containers.filter((c) => c.serviceId === s.serviceId),
        s.traffic ?? null,
        s.live ?? true,
      ),
    )
    // A service that wants nothing, has nothing and serves nothing has nothing to say.
    .filter(
      (r) => r.desired > 0 || (r.requests ?? 0) > 0 || containers.some((c) => c.serviceId === r.serviceId),
    );
  const inserts = [insertRows(containerSamples, containers), insertRows(serviceSamples, rows)].filter(
    (q): q is SQL => q !== null,
  );
  // One statement is atomic without a transaction: a data-modifying WITH holds the first insert.
  if (inserts.length === 2) await db.execute(sql`with c as (${inserts[0]}) ${inserts[1]}`);
  else if (inserts.length === 1) await db.execute(inserts[0]!);
  return { containers: containers.length, services: rows.length };
}

/** Stores one collector tick in one statement. A service deleted meanwhile is left out. */
export async function recordTick(db: Db, tick: Tick) {
  const known = new Set(tick.services.map((s) => s.serviceId));
  try {
    return await insertTick(db, tick, (id) => known.has(id));
  } catch (err) {
    if (!isForeignKeyViolation(err)) throw err;
    const still = new Set((await db.select({ id: services.id }).from(services)).map((s) => s.id));
    return insertTick(db, tick, (id) => known.has(id) && still.has(id));
  }
}
