import { and, asc, eq, gte, inArray, isNotNull, lt } from 'drizzle-orm';
import type { z } from 'zod';
import { deployments, services } from '@/db/schema';
import type { ServiceContext } from '../context';
import { loadService } from '../service/load';
import type { doraInput } from './schema';
import { DAY } from './tiers';

const WEEK = 7 * DAY;
// 1970-01-05 was a Monday: weeks start on Monday 00:00 UTC.
const MONDAY = 4 * DAY;
/** A failure this long before the period can still be restored inside it. */
const RESTORE_LOOKBACK_MS = 30 * DAY;

type Finished = {
  id: string;
  serviceId: string;
  status: 'succeeded' | 'failed';
  createdAt: number;
  finishedAt: number;
};
type Restore = { serviceId: string; failedAt: number; restoredAt: number; seconds: number };

export function weekStart(ms: number): number {
  return Math.floor((ms - MONDAY) / WEEK) * WEEK + MONDAY;
}

/** Linear interpolation between closest ranks (numpy's default). */
export function quantile(values: number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** From a failed deployment to the next one that succeeded, per service; consecutive failures are one. */
function restores(list: Finished[]): { restored: Restore[]; open: Map<string, number> } {
  const open = new Map<string, number>();
  const restored: Restore[] = [];
  for (const d of list) {
    const failedAt = open.get(d.serviceId);
    if (d.status === 'failed' && failedAt === undefined) open.set(d.serviceId, d.finishedAt);
    if (d.status === 'succeeded' && failedAt !== undefined) {
      restored.push({
        serviceId: d.serviceId,
        failedAt,
        restoredAt: d.finishedAt,
        seconds: (d.finishedAt - failedAt) / 1000,
      });
      open.delete(d.serviceId);
    }
  }
  return { restored, open };
}

function kpis(inPeriod: Finished[], restored: Restore[], openFailures: number, spanMs: number) {
  const succeeded = inPeriod.filter((d) => d.status === 'succeeded');
  const failed = inPeriod.length - succeeded.length;
  const lead = succeeded.map((d) => (d.finishedAt - d.createdAt) / 1000);
  const ttr = restored.map((r) => r.seconds);
  return {
    /** Succeeded deployments (what reached production). */
    deployments: succeeded.length,
    failed,
    finished: inPeriod.length,
    deploymentsPerWeek: succeeded.length / (spanMs / WEEK),
    /** Request to serving: created → finished, of succeeded deployments. */
    leadTime: lead.length ? { medianSeconds: quantile(lead, 0.5)!, p90Seconds: quantile(lead, 0.9)! } : null,
    /** failed / (succeeded + failed); cancelled deployments never served and do not count. */
    changeFailureRate: inPeriod.length ? failed / inPeriod.length : null,
    timeToRestore: ttr.length
      ? { medianSeconds: quantile(ttr, 0.5)!, p90Seconds: quantile(ttr, 0.9)!, count: ttr.length }
      : null,
    /** Services whose latest finished deployment failed and has not been followed by a success. */
    openFailures,
  };
}

export type DoraKpis = ReturnType<typeof kpis>;

/**
 * The four DORA keys from Capstan's own deployments, overall and per service, over the last `weeks`
 * weeks (Monday-aligned, the current one included), with a weekly trend. Deployments count by when
 * they finished; restores by when the service was restored.
 */
export async function dora(ctx: ServiceContext, input: z.infer<typeof doraInput>) {
  if (input.serviceId) await loadService(ctx.db, input.serviceId);
  const now = Date.now();
  const from = weekStart(now) - (input.weeks - 1) * WEEK;
  const list = await ctx.db
    .select({ id: services.id, name: services.name })
    .from(services)
    .where(input.serviceId ? eq(services.id, input.serviceId) : undefined)
    .orderBy(asc(services.name));
  const rows = await ctx.db
    .select({
      id: deployments.id,
      serviceId: deployments.serviceId,
      status: deployments.status,
      createdAt: deployments.createdAt,
      finishedAt: deployments.finishedAt,
    })
    .from(deployments)
    .where(
      and(
        inArray(deployments.status, ['succeeded', 'failed']),
        isNotNull(deployments.finishedAt),
        gte(deployments.finishedAt, new Date(from - RESTORE_LOOKBACK_MS)),
        lt(deployments.finishedAt, new Date(now)),
        input.serviceId ? eq(deployments.serviceId, input.serviceId) : undefined,
      ),
    )
    .orderBy(asc(deployments.finishedAt));
  const all: Finished[] = rows.map((d) => ({
    id: d.id,
    serviceId: d.serviceId,
    status: d.status as Finished['status'],
    createdAt: d.createdAt.getTime(),
    finishedAt: d.finishedAt!.getTime(),
  }));
  const { restored: allRestores, open } = restores(all);
  const inPeriod = all.filter((d) => d.finishedAt >= from);
  const restored = allRestores.filter((r) => r.restoredAt >= from);
  const span = now - from;

  const weekly = Array.from({ length: input.weeks }, (_, i) => {
    const start = from + i * WEEK;
    const end = start + WEEK;
    const week = kpis(
      inPeriod.filter((d) => d.finishedAt >= start && d.finishedAt < end),
      restored.filter((r) => r.restoredAt >= start && r.restoredAt < end),
      0,
      Math.min(end, now) - start,
    );
    return {
      weekStart: start,
      deployments: week.deployments,
      failed: week.failed,
      changeFailureRate: week.changeFailureRate,
      leadTimeMedianSeconds: week.leadTime?.medianSeconds ?? null,
      timeToRestoreMedianSeconds: week.timeToRestore?.medianSeconds ?? null,
    };
  });

  return {
    from,
    to: now,
    weeks: input.weeks,
    overall: kpis(inPeriod, restored, open.size, span),
    services: list.map((s) => ({
      serviceId: s.id,
      name: s.name,
      ...kpis(
        inPeriod.filter((d) => d.serviceId === s.id),
        restored.filter((r) => r.serviceId === s.id),
        open.has(s.id) ? 1 : 0,
        span,
      ),
    })),
    weekly,
  };
}

export type Dora = Awaited<ReturnType<typeof dora>>;
