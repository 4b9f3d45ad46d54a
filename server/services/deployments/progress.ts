import { and, asc, eq, inArray } from 'drizzle-orm';
import { deployments, revisions, services, type DeploymentEvidence } from '@/db/schema';
import type { Db, Tx } from '@/db/client';
import { recordAudit } from '../audit/record';
import type { ServiceContext } from '../context';
import { recordEvent } from '../events/record';
import { ACTIVE } from './start';

/** What the control loop converges each service to: desired revision, its spec, and the active deployment. */
export async function listDesiredStates(db: Db) {
  const rows = await db
    .select({ service: services, spec: revisions.spec })
    .from(services)
    .leftJoin(
      revisions,
      and(eq(revisions.serviceId, services.id), eq(revisions.number, services.desiredRevision)),
    );
  const open = await db
    .select()
    .from(deployments)
    .where(inArray(deployments.status, [...ACTIVE, 'queued']))
    .orderBy(asc(deployments.createdAt));
  return rows.map((r) => ({
    service: r.service,
    spec: r.spec,
    deployment: open.find((d) => d.serviceId === r.service.id && d.status !== 'queued') ?? null,
    queued: open.find((d) => d.serviceId === r.service.id && d.status === 'queued') ?? null,
  }));
}
export type DesiredState = Awaited<ReturnType<typeof listDesiredStates>>[number];

export async function markInProgress(ctx: ServiceContext, deploymentId: string, deadlineSeconds: number) {
  const now = Date.now();
  const [d] = await ctx.db
    .update(deployments)
    .set({
      status: 'in_progress',
      startedAt: new Date(now),
      deadlineAt: new Date(now + deadlineSeconds * 1000),
    })
    .where(and(eq(deployments.id, deploymentId), eq(deployments.status, 'pending')))
    .returning();
  if (d) {
    await recordEvent(ctx.db, {
      serviceId: d.serviceId,
      deploymentId: d.id,
      kind: 'deployment.started',
      message: `Deploying revision ${d.toRevision}`,
    });
    ctx.bus.publish({ type: 'deployment', serviceId: d.serviceId, deploymentId: d.id, status: d.status });
  }
  return d ?? null;
}

/** Starts the oldest queued deployment of a service once none is active. */
export async function promoteQueued(ctx: ServiceContext, deploymentId: string) {
  const d = await ctx.db.transaction(async (tx) => {
    const [svc] = await tx
      .select()
      .from(services)
      .innerJoin(deployments, eq(deployments.serviceId, services.id))
      .where(eq(deployments.id, deploymentId))
      .for('update', { of: services });
    if (!svc) return null;
    const service = svc.services;
    // A restart rolls to a generation of its own, counted when it starts, not when it was queued.
    const generation =
      svc.deployments.kind === 'restart' ? service.restartGeneration + 1 : svc.deployments.restartGeneration;
    const [row] = await tx
      .update(deployments)
      .set({ status: 'pending', fromRevision: service.desiredRevision, restartGeneration: generation })
      .where(and(eq(deployments.id, deploymentId), eq(deployments.status, 'queued')))
      .returning();
    if (!row) return null;
    await tx
      .update(services)
      .set({
        desiredRevision: row.toRevision,
        restartGeneration: generation ?? service.restartGeneration,
        updatedAt: new Date(),
      })
      .where(eq(services.id, row.serviceId));
    await recordEvent(tx, {
      serviceId: row.serviceId,
      deploymentId: row.id,
      kind: 'deployment.dequeued',
      message:
        row.kind === 'restart'
          ? `Queued rolling restart of revision ${row.toRevision} starts`
          : `Queued deployment of revision ${row.toRevision} starts (from revision ${row.fromRevision ?? 'none'})`,
    });
    return row;
  });
  if (d)
    ctx.bus.publish({ type: 'deployment', serviceId: d.serviceId, deploymentId: d.id, status: 'pending' });
  return d;
}

/**
 * Points a service whose deployment ended early back at what was serving before it: its last stable
 * revision, and for a rolling restart the generation before it (whose replicas were never all stopped).
 */
export async function revertToStable(
  tx: Tx,
  service: typeof services.$inferSelect,
  deployment: typeof deployments.$inferSelect,
): Promise<number | null> {
  const back = service.stableRevision;
  if (deployment.kind === 'restart' && deployment.restartGeneration !== null) {
    if (service.restartGeneration === deployment.restartGeneration)
      await tx
        .update(services)
        .set({ restartGeneration: deployment.restartGeneration - 1, updatedAt: new Date() })
        .where(eq(services.id, service.id));
    return back;
  }
  if (service.desiredRevision === deployment.toRevision && back !== deployment.toRevision) {
    await tx
      .update(services)
      .set({ desiredRevision: back, updatedAt: new Date() })
      .where(eq(services.id, service.id));
  }
  return back;
}

export async function succeedDeployment(
  ctx: ServiceContext,
  deploymentId: string,
  detail: { healthy: number; seconds: number },
) {
  const d = await ctx.db.transaction(async (tx) => {
    const [row] = await tx
      .update(deployments)
      .set({
        status: 'succeeded',
        finishedAt: new Date(),
        outcome: `${detail.healthy} replica(s) healthy after ${detail.seconds.toFixed(1)} s`,
      })
      .where(and(eq(deployments.id, deploymentId), inArray(deployments.status, ACTIVE)))
      .returning();
    if (!row) return null;
    await tx
      .update(services)
      .set({ stableRevision: row.toRevision, updatedAt: new Date() })
      .where(and(eq(services.id, row.serviceId), eq(services.desiredRevision, row.toRevision)));
    await recordEvent(tx, {
      serviceId: row.serviceId,
      deploymentId: row.id,
      kind: 'deployment.succeeded',
      message: `Revision ${row.toRevision} is live: ${row.outcome}`,
    });
    return row;
  });
  if (d)
    ctx.bus.publish({ type: 'deployment', serviceId: d.serviceId, deploymentId: d.id, status: d.status });
  return d;
}

/**
 * Fails an active deployment with its evidence and points the service back at its last stable revision
 * (whose replicas were never stopped, since old replicas go only once new ones are healthy).
 */
export async function failDeployment(
  ctx: ServiceContext,
  deploymentId: string,
  reason: string,
  evidence: DeploymentEvidence,
) {
  const d = await ctx.db.transaction(async (tx) => {
    const [row] = await tx
      .update(deployments)
      .set({ status: 'failed', finishedAt: new Date(), outcome: reason, evidence })
      .where(and(eq(deployments.id, deploymentId), inArray(deployments.status, ACTIVE)))
      .returning();
    if (!row) return null;
    const [svc] = await tx.select().from(services).where(eq(services.id, row.serviceId)).limit(1);
    const back = svc ? await revertToStable(tx, svc, row) : null;
    await recordEvent(tx, {
      serviceId: row.serviceId,
      deploymentId: row.id,
      kind: 'deployment.failed',
      message:
        back && back !== row.toRevision
          ? `Revision ${row.toRevision} failed: ${reason}. Returned to revision ${back}.`
          : `Revision ${row.toRevision} failed: ${reason}.`,
      data: evidence as Record<string, unknown>,
    });
    return { row, back };
  });
  if (!d) return null;
  await recordAudit(ctx.db, ctx.actor, {
    action: 'deployment.autoRollback',
    target: d.row.serviceId,
    input: { deploymentId, toRevision: d.row.toRevision, returnedTo: d.back, reason },
    outcome: 'ok',
  });
  ctx.bus.publish({
    type: 'deployment',
    serviceId: d.row.serviceId,
    deploymentId: d.row.id,
    status: 'failed',
  });
  return d.row;
}
