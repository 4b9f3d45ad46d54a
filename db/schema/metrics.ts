import {
  bigint,
  boolean,
  doublePrecision,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';
import { services } from './services';

export const replicaHealths = ['healthy', 'unhealthy', 'starting', 'stopped'] as const;
export type ReplicaHealth = (typeof replicaHealths)[number];

const at = (name: string) => timestamp(name, { withTimezone: true }).notNull();
const bytes = (name: string) => bigint(name, { mode: 'number' });
// Requests through the service's endpoint: counts, and latencies as a histogram (server/services/metrics/latency.ts).
// Null when nothing sampled the proxy (no HAProxy); 0 / [] when it served nothing.
const traffic = () => ({
  /** Requests per second over the sample's window (a mean over a rollup's samples). */
  requestRate: doublePrecision('request_rate'),
  requests: bytes('requests'),
  errors5xx: bytes('errors_5xx'),
  latencyHist: bigint('latency_hist', { mode: 'number' }).array(),
});
// What one replica answered through the endpoint, by the proxy server that answered. Stored per container
// and tick, so compact: while a replica answers nothing, requests is 0 and the rest null (null requests:
// nothing sampled the proxy). Samples count in integers, rollups in bigints.
const replicaTraffic = <B extends { array: () => unknown }>(counter: (name: string) => B) => ({
  requestRate: doublePrecision('request_rate'),
  requests: counter('requests'),
  errors5xx: counter('errors_5xx'),
  latencyHist: counter('latency_hist').array() as ReturnType<B['array']>,
});
const serviceRef = () =>
  uuid('service_id')
    .notNull()
    .references(() => services.id, { onDelete: 'cascade' });

/**
 * One row per managed container per collector tick; every row of one tick has the same `at`. Rates
 * (CPU % of one core, bytes/s) are over the interval since the previous tick, null on a container's first.
 */
export const containerSamples = pgTable(
  'container_samples',
  {
    at: at('at'),
    serviceId: serviceRef(),
    containerId: text('container_id').notNull(),
    replica: integer('replica').notNull(),
    revision: integer('revision').notNull(),
    health: text('health', { enum: replicaHealths }).notNull(),
    restartCount: integer('restart_count').notNull().default(0),
    cpuPercent: doublePrecision('cpu_percent'),
    memUsageBytes: bytes('mem_usage_bytes'),
    memWorkingSetBytes: bytes('mem_working_set_bytes'),
    memLimitBytes: bytes('mem_limit_bytes'),
    netRxBps: doublePrecision('net_rx_bps'),
    netTxBps: doublePrecision('net_tx_bps'),
    blkReadBps: doublePrecision('blk_read_bps'),
    blkWriteBps: doublePrecision('blk_write_bps'),
    ...replicaTraffic((name) => integer(name)),
  },
  (t) => [
    primaryKey({ name: 'container_samples_pk', columns: [t.at, t.containerId] }),
    index('container_samples_service_idx').on(t.serviceId, t.at),
  ],
);

function containerRollups(name: string) {
  return pgTable(
    name,
    {
      bucket: at('bucket'),
      serviceId: serviceRef(),
      containerId: text('container_id').notNull(),
      replica: integer('replica').notNull(),
      revision: integer('revision').notNull(),
      samples: integer('samples').notNull(),
      healthySamples: integer('healthy_samples').notNull(),
      restartCount: integer('restart_count').notNull(),
      cpuPercentAvg: doublePrecision('cpu_percent_avg'),
      cpuPercentMax: doublePrecision('cpu_percent_max'),
      memUsageBytesAvg: bytes('mem_usage_bytes_avg'),
      memWorkingSetBytesAvg: bytes('mem_working_set_bytes_avg'),
      memWorkingSetBytesMax: bytes('mem_working_set_bytes_max'),
      memLimitBytes: bytes('mem_limit_bytes'),
      netRxBps: doublePrecision('net_rx_bps'),
      netTxBps: doublePrecision('net_tx_bps'),
      blkReadBps: doublePrecision('blk_read_bps'),
      blkWriteBps: doublePrecision('blk_write_bps'),
      ...replicaTraffic(bytes),
    },
    (t) => [
      primaryKey({ name: `${name}_pk`, columns: [t.bucket, t.containerId] }),
      // Per service, container by container: the per-replica chart hops from one container to the next to
      // find those a range saw, then reads the rows of the few it draws.
      index(`${name}_service_container_idx`).on(t.serviceId, t.containerId, t.bucket),
    ],
  );
}

export const containerRollups1m = containerRollups('container_rollups_1m');
export const containerRollups1h = containerRollups('container_rollups_1h');

/**
 * One row per service per tick, written with its container rows: sums and maxima across replicas, and
 * the desired and healthy replica counts that availability is computed from. A service with desired
 * replicas and no container at all still gets a row, so a total outage is a sample, not a gap.
 */
export const serviceSamples = pgTable(
  'service_samples',
  {
    at: at('at'),
    serviceId: serviceRef(),
    desired: integer('desired').notNull(),
    /** Availability counts this sample: the service wanted replicas and had gone live before. */
    expected: boolean('expected').notNull().default(true),
    running: integer('running').notNull(),
    healthy: integer('healthy').notNull(),
    restartCount: integer('restart_count').notNull(),
    cpuPercent: doublePrecision('cpu_percent'),
    cpuPercentMax: doublePrecision('cpu_percent_max'),
    memWorkingSetBytes: bytes('mem_working_set_bytes'),
    memWorkingSetBytesMax: bytes('mem_working_set_bytes_max'),
    memLimitBytes: bytes('mem_limit_bytes'),
    netRxBps: doublePrecision('net_rx_bps'),
    netTxBps: doublePrecision('net_tx_bps'),
    blkReadBps: doublePrecision('blk_read_bps'),
    blkWriteBps: doublePrecision('blk_write_bps'),
    ...traffic(),
  },
  (t) => [
    primaryKey({ name: 'service_samples_pk', columns: [t.at, t.serviceId] }),
    index('service_samples_service_idx').on(t.serviceId, t.at),
  ],
);

function serviceRollups(name: string) {
  return pgTable(
    name,
    {
      bucket: at('bucket'),
      serviceId: serviceRef(),
      samples: integer('samples').notNull(),
      // Samples while the service wanted replicas, and those of them with at least one healthy replica.
      expectedSamples: integer('expected_samples').notNull(),
      upSamples: integer('up_samples').notNull(),
      desiredMax: integer('desired_max').notNull(),
      runningAvg: doublePrecision('running_avg').notNull(),
      healthyAvg: doublePrecision('healthy_avg').notNull(),
      restartCount: integer('restart_count').notNull(),
      // _avg and _peak: mean and maximum over the bucket of the sum across replicas; _max: busiest replica.
      cpuPercentAvg: doublePrecision('cpu_percent_avg'),
      cpuPercentPeak: doublePrecision('cpu_percent_peak'),
      cpuPercentMax: doublePrecision('cpu_percent_max'),
      memWorkingSetBytesAvg: bytes('mem_working_set_bytes_avg'),
      memWorkingSetBytesPeak: bytes('mem_working_set_bytes_peak'),
      memWorkingSetBytesMax: bytes('mem_working_set_bytes_max'),
      memLimitBytes: bytes('mem_limit_bytes'),
      netRxBps: doublePrecision('net_rx_bps'),
      netTxBps: doublePrecision('net_tx_bps'),
      blkReadBps: doublePrecision('blk_read_bps'),
      blkWriteBps: doublePrecision('blk_write_bps'),
      ...traffic(),
    },
    (t) => [
      primaryKey({ name: `${name}_pk`, columns: [t.bucket, t.serviceId] }),
      index(`${name}_service_idx`).on(t.serviceId, t.bucket),
    ],
  );
}

export const serviceRollups1m = serviceRollups('service_rollups_1m');
export const serviceRollups1h = serviceRollups('service_rollups_1h');

export const rollupTiers = ['1m', '1h'] as const;
export type RollupTier = (typeof rollupTiers)[number];

/** How far each rollup tier is complete: everything before `rolledUntil` is rolled up. */
export const metricsRollupState = pgTable('metrics_rollup_state', {
  tier: text('tier', { enum: rollupTiers }).primaryKey(),
  rolledUntil: timestamp('rolled_until', { withTimezone: true }).notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** An availability objective per service, e.g. 99.9 (% of samples with a healthy replica). */
export const serviceSlos = pgTable('service_slos', {
  serviceId: uuid('service_id')
    .primaryKey()
    .references(() => services.id, { onDelete: 'cascade' }),
  targetPercent: doublePrecision('target_percent').notNull(),
  updatedBy: text('updated_by').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
