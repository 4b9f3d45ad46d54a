import { and, eq, inArray } from 'drizzle-orm';
import type { z } from 'zod';
import { deployments, services } from '@/db/schema';
import { assertCanChange } from '../auth/policy';
import { actorLabel, type ServiceContext } from '../context';
import { NotFound, Precondition } from '../errors';
import { recordEvent } from '../events/record';
import type { cancelDeploymentSchema } from '../service/schema';
import { revertToStable } from './progress';
import { ACTIVE } from './start';

/**
 * Cancels a queued or running deployment. A running one returns the service to its last stable revision,
 * whose replicas are still serving: old replicas only go as new ones become available.
 */
export async function cancelDeployment(ctx: ServiceContext, input: z.infer<typeof cancelDeploymentSchema>) {
  const who = actorLabel(ctx.actor);
  const result = await ctx.db.transaction(async (tx) => {
    const [d] = await tx.select().from(deployments).where(eq(deployments.id, input.deploymentId)).limit(1);
    if (!d) throw new NotFound('No such deployment.');
    const [service] = await tx.select().from(services).where(eq(services.id, d.serviceId)).for('update');
    if (!service) throw new NotFound('No such service.');
    assertCanChange(ctx.actor, service);
    const outcome = `cancelled by ${who}${input.reason ? `: ${input.reason}` : ''}`;
    const [row] = await tx
      .update(deployments)
      .set({ status: 'cancelled', finishedAt: new Date(), outcome })
      .where(and(eq(deployments.id, d.id), inArray(deployments.status, [...ACTIVE, 'queued'])))
      .returning();
    if (!row)
      throw new Precondition(
        `This deployment has already ${d.status === 'succeeded' ? 'succeeded' : 'ended'}.`,
      );
    const wasActive = d.status !== 'queued';
    const back = wasActive ? await revertToStable(tx, service, row) : service.stableRevision;
    await recordEvent(tx, {
      serviceId: service.id,
      deploymentId: d.id,
      kind: 'deployment.cancelled',
      message: wasActive
        ? `Deployment of revision ${d.toRevision} ${outcome}; returning to revision ${back ?? 'none'}`
        : `Queued deployment of revision ${d.toRevision} ${outcome}`,
    });
    return row;
  });
  ctx.bus.publish({
    type: 'deployment',
    serviceId: result.serviceId,
    deploymentId: result.id,
    status: 'pending',
  });
  return result;
}
