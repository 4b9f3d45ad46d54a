import { eq, sql } from 'drizzle-orm';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { services, serviceSamples } from '@/db/schema';
import type { Db } from '@/db/client';
import { quantile } from './latency';
import { MINUTE } from './tiers';

/** A tick older than this is not reported: the collector has stopped, and stale gauges would lie. */
const STALE_AFTER_MS = 10 * MINUTE;

// Capstan's own process metrics, registered once per process even if this module is bundled twice.
const g = globalThis as unknown as { __capstanProcessMetrics?: Registry };
function processRegistry(): Registry {
  if (!g.__capstanProcessMetrics) {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry, prefix: 'capstan_' });
    g.__capstanProcessMetrics = registry;
  }
  return g.__capstanProcessMetrics;
}

/** Every service's row of the latest collector tick. */
export async function latestServiceSamples(db: Db) {
  const [latest] = await db
    .select({ at: sql<string | null>`max(${serviceSamples.at})` })
    .from(serviceSamples)
    .where(sql`${serviceSamples.at} > now() - ${`${STALE_AFTER_MS} milliseconds`}::interval`);
  if (!latest?.at) return { at: null, rows: [] };
  const at = new Date(latest.at);
  const rows = await db
    .select({ name: services.name, sample: serviceSamples })
    .from(serviceSamples)
    .innerJoin(services, eq(services.id, serviceSamples.serviceId))
    .where(eq(serviceSamples.at, at));
  return { at, rows };
}

type Row = Awaited<ReturnType<typeof latestServiceSamples>>['rows'][number];

/** The Prometheus exposition: Capstan's process metrics and per-service gauges from the latest tick. */
export async function prometheusExposition(deps: { db: Db }): Promise<{ contentType: string; body: string }> {
  const { at, rows } = await latestServiceSamples(deps.db);
  const registry = new Registry();
  const labels = ['service', 'service_id'] as const;
  const gauge = (name: string, help: string, value: (s: Row['sample']) => number | null) => {
    const metric = new Gauge({ name, help, labelNames: labels, registers: [registry] });
    for (const r of rows) {
      const v = value(r.sample);
      if (v !== null) metric.set({ service: r.name, service_id: r.sample.serviceId }, v);
    }
  };
  gauge('capstan_service_cpu_percent', 'CPU use of all replicas, in % of one core.', (s) => s.cpuPercent);
  gauge(
    'capstan_service_memory_working_set_bytes',
    'Memory of all replicas minus inactive file cache (as docker stats shows it).',
    (s) => s.memWorkingSetBytes,
  );
  gauge(
    'capstan_service_memory_limit_bytes',
    'Sum of the memory limits of the replicas, if all have one.',
    (s) => s.memLimitBytes,
  );
  gauge(
    'capstan_service_network_receive_bytes_per_second',
    'Bytes received by all replicas per second.',
    (s) => s.netRxBps,
  );
  gauge(
    'capstan_service_network_transmit_bytes_per_second',
    'Bytes sent by all replicas per second.',
    (s) => s.netTxBps,
  );
  gauge(
    'capstan_service_blkio_read_bytes_per_second',
    'Bytes read from block devices per second.',
    (s) => s.blkReadBps,
  );
  gauge(
    'capstan_service_blkio_write_bytes_per_second',
    'Bytes written to block devices per second.',
    (s) => s.blkWriteBps,
  );
  gauge(
    'capstan_service_restarts',
    'Restarts by Docker of the current containers, summed.',
    (s) => s.restartCount,
  );
  gauge(
    'capstan_service_requests_per_second',
    'Requests through the service endpoint per second, over the last collector interval.',
    (s) => s.requestRate,
  );
  gauge(
    'capstan_service_errors_5xx_ratio',
    "Share of the last interval's requests answered with a 5xx status (0..1).",
    (s) => (s.requests && s.errors5xx !== null ? s.errors5xx / s.requests : null),
  );
  gauge(
    'capstan_service_latency_p95_seconds',
    '95th percentile of request latency at the endpoint over the last collector interval.',
    (s) => {
      const ms = quantile(s.latencyHist, 0.95);
      return ms === null ? null : ms / 1000;
    },
  );
  gauge('capstan_service_up', '1 while at least one replica is healthy, else 0.', (s) =>
    s.healthy > 0 ? 1 : 0,
  );
  const replicas = new Gauge({
    name: 'capstan_service_replicas',
    help: 'Replicas by state: desired, running, healthy.',
    labelNames: [...labels, 'state'],
    registers: [registry],
  });
  for (const r of rows) {
    for (const state of ['desired', 'running', 'healthy'] as const)
      replicas.set({ service: r.name, service_id: r.sample.serviceId, state }, r.sample[state]);
  }
  const last = new Gauge({
    name: 'capstan_metrics_last_collection_timestamp_seconds',
    help: 'When the metrics collector last stored a tick.',
    registers: [registry],
  });
  if (at) last.set(at.getTime() / 1000);
  const merged = Registry.merge([processRegistry(), registry]);
  return { contentType: merged.contentType, body: await merged.metrics() };
}
