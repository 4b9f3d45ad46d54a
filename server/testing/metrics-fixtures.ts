import {
  containerRollups1h,
  containerRollups1m,
  containerSamples,
  metricsRollupState,
  serviceRollups1h,
  serviceRollups1m,
  serviceSamples,
} from '@/db/schema';
import type { Db } from '@/db/client';
import { createService } from '@/server/services/service/create';
import { sampleSpec, type Harness } from './harness';

type ServiceSampleRow = typeof serviceSamples.$inferInsert;
type ContainerSampleRow = typeof containerSamples.$inferInsert;

/** A service row of one tick: one healthy replica using nothing, unless told otherwise. */
export function serviceSample(
  serviceId: string,
  at: Date,
  over: Partial<ServiceSampleRow> = {},
): ServiceSampleRow {
  return {
    at,
    serviceId,
    desired: 1,
    expected: (over.desired ?? 1) > 0,
    running: 1,
    healthy: 1,
    restartCount: 0,
    cpuPercent: 0,
    cpuPercentMax: 0,
    memWorkingSetBytes: 0,
    memWorkingSetBytesMax: 0,
    memLimitBytes: null,
    netRxBps: 0,
    netTxBps: 0,
    blkReadBps: 0,
    blkWriteBps: 0,
    ...over,
  };
}

export function containerSample(
  serviceId: string,
  containerId: string,
  at: Date,
  over: Partial<ContainerSampleRow> = {},
): ContainerSampleRow {
  return {
    at,
    serviceId,
    containerId,
    replica: 0,
    revision: 1,
    health: 'healthy',
    restartCount: 0,
    cpuPercent: 0,
    memUsageBytes: 0,
    memWorkingSetBytes: 0,
    memLimitBytes: null,
    netRxBps: 0,
    netTxBps: 0,
    blkReadBps: 0,
    blkWriteBps: 0,
    ...over,
  };
}

export async function insertServiceSamples(db: Db, rows: ServiceSampleRow[]) {
  for (let i = 0; i < rows.length; i += 2000) await db.insert(serviceSamples).values(rows.slice(i, i + 2000));
}

export async function insertContainerSamples(db: Db, rows: ContainerSampleRow[]) {
  for (let i = 0; i < rows.length; i += 2000)
    await db.insert(containerSamples).values(rows.slice(i, i + 2000));
}

/** A service row to hang fixtures on; nothing is deployed. */
export async function fixtureService(h: Harness, name: string): Promise<string> {
  const dev = await h.as('developer');
  const { service } = await createService(dev, {
    name: `${name}-${Math.random().toString(36).slice(2, 7)}`,
    description: '',
    protected: false,
    deploy: false,
    spec: sampleSpec(),
  });
  return service.id;
}

/** Empties every metrics table and the rollup state, so tests sharing a database start clean. */
export async function clearMetrics(db: Db) {
  for (const table of [
    containerSamples,
    serviceSamples,
    containerRollups1m,
    containerRollups1h,
    serviceRollups1m,
    serviceRollups1h,
    metricsRollupState,
  ])
    await db.delete(table);
}
