import type { z } from 'zod';
import { replicaMarks } from '@/db/schema';
import { assertCanChange } from '../auth/policy';
import { actorLabel, type ServiceContext } from '../context';
import { announceDeployment, startDeployment } from '../deployments/start';
import { NotFound, Precondition } from '../errors';
import { recordEvent } from '../events/record';
import { loadService } from './load';
import type { restartReplicaSchema, restartServiceSchema } from './schema';

/**
 * A rolling restart: every replica is replaced one at a time by a fresh one of the same revision, each
 * new one serving only once healthy, under the service's rollout strategy. Tracked as a deployment (kind
 * restart), so it shows progress, can be cancelled, and returns to the old replicas if it fails.
 */
export async function restartService(ctx: ServiceContext, input: z.infer<typeof restartServiceSchema>) {
  const who = actorLabel(ctx.actor);
  const deployment = await ctx.db.transaction(async (tx) => {
    const service = await loadService(tx, input.serviceId, { forUpdate: true });
    assertCanChange(ctx.actor, service);
    if (service.desiredRevision === null)
      throw new Precondition(`${service.name} has no deployed revision to restart. Deploy it first.`);
    if (service.desiredReplicas === 0)
      throw new Precondition(
        `${service.name} is scaled to zero: no replica to restart. Scale it up instead.`,
      );
    const d = await startDeployment(tx, ctx.actor, {
      serviceId: service.id,
      serviceName: service.name,
      fromRevision: service.desiredRevision,
      toRevision: service.desiredRevision,
      reason: input.reason || 'rolling restart',
      kind: 'restart',
      restartGeneration: service.restartGeneration + 1,
    });
    await recordEvent(tx, {
      serviceId: service.id,
      deploymentId: d.id,
      kind: 'deployment.requested',
      message: `${who} asked for a rolling restart of revision ${service.desiredRevision}${input.reason ? `: ${input.reason}` : ''}`,
    });
    return d;
  });
  announceDeployment(ctx, deployment);
  return deployment;
}

/**
 * Restarts one replica: it is drained out of traffic and stopped, and a fresh one takes its place, serving
 * once healthy. The request is kept in the database, so the control loop (in this process or a worker)
 * carries it out even across a crash.
 */
export async function restartReplica(ctx: ServiceContext, input: z.infer<typeof restartReplicaSchema>) {
  const who = actorLabel(ctx.actor);
  const service = await loadService(ctx.db, input.serviceId);
  assertCanChange(ctx.actor, service);
  const replicas = await ctx.docker.listReplicas({ serviceId: service.id });
  const replica = replicas.find((r) => r.id === input.containerId || r.id.startsWith(input.containerId));
  if (!replica) throw new NotFound(`${service.name} has no replica ${input.containerId.slice(0, 12)}.`);
  if (replica.state !== 'running')
    throw new Precondition(
      `Replica ${replica.replica} is ${replica.state}, not running: the control loop replaces it by itself.`,
    );
  const now = new Date();
  await ctx.db.transaction(async (tx) => {
    await tx
      .insert(replicaMarks)
      .values({
        containerId: replica.id,
        serviceId: service.id,
        restartRequestedAt: now,
        restartRequestedBy: who,
      })
      .onConflictDoUpdate({
        target: replicaMarks.containerId,
        set: { restartRequestedAt: now, restartRequestedBy: who, updatedAt: now },
      });
    await recordEvent(tx, {
      serviceId: service.id,
      kind: 'replica.restart-requested',
      message: `${who} asked to restart replica ${replica.replica} (${replica.id.slice(0, 12)})${input.reason ? `: ${input.reason}` : ''}`,
      data: {
        containerId: replica.id,
        replica: replica.replica,
        revision: replica.revision,
        reason: input.reason,
      },
    });
  });
  ctx.bus.publish({ type: 'service', serviceId: service.id, reason: 'changed' });
  return { serviceId: service.id, containerId: replica.id, replica: replica.replica };
}
