import type { z } from 'zod';
import { revisions } from '@/db/schema';
import { assertCanChange } from '../auth/policy';
import type { ServiceContext } from '../context';
import { startDeployment } from '../deployments/start';
import { recordEvent } from '../events/record';
import { latestRevision, loadRevision, loadService } from './load';
import type { deployServiceSchema, redeployRevisionSchema } from './schema';
import { endpointPortFor } from './endpoint';
import { summarizeChange, toStoredSpec } from './spec';

/** Records a new immutable revision of the spec and starts deploying it. */
export async function deployService(ctx: ServiceContext, input: z.infer<typeof deployServiceSchema>) {
  const actor = ctx.actor;
  const result = await ctx.db.transaction(async (tx) => {
    const service = await loadService(tx, input.serviceId, { forUpdate: true });
    assertCanChange(actor, service);
    const prev = await latestRevision(tx, service.id);
    const spec = toStoredSpec(input.spec, ctx.box, prev?.spec ?? null);
    spec.endpointPort = await endpointPortFor(tx, service.id, spec.endpointPort ?? null);
    const number = (prev?.number ?? 0) + 1;
    const summary = summarizeChange(prev?.spec ?? null, spec);
    const [revision] = await tx
      .insert(revisions)
      .values({
        serviceId: service.id,
        number,
        spec,
        summary,
        createdBy: actor.kind === 'user' ? actor.id : null,
      })
      .returning();
    const deployment = await startDeployment(tx, actor, {
      serviceId: service.id,
      serviceName: service.name,
      fromRevision: service.desiredRevision,
      toRevision: number,
      reason: input.reason || summary,
      queue: input.queue,
    });
    await recordEvent(tx, {
      serviceId: service.id,
      deploymentId: deployment.id,
      kind: 'deployment.requested',
      message: `Revision ${number} requested: ${summary}`,
    });
    return { revision: revision!, deployment };
  });
  ctx.bus.publish({
    type: 'deployment',
    serviceId: input.serviceId,
    deploymentId: result.deployment.id,
    status: 'pending',
  });
  return result;
}

/** Deploys an existing revision again: a rollback to it, or a redeploy of the current one. */
export async function redeployRevision(ctx: ServiceContext, input: z.infer<typeof redeployRevisionSchema>) {
  const actor = ctx.actor;
  const deployment = await ctx.db.transaction(async (tx) => {
    const service = await loadService(tx, input.serviceId, { forUpdate: true });
    assertCanChange(actor, service);
    const revision = await loadRevision(tx, service.id, input.revision);
    const d = await startDeployment(tx, actor, {
      serviceId: service.id,
      serviceName: service.name,
      fromRevision: service.desiredRevision,
      toRevision: revision.number,
      reason: input.reason || `roll back to revision ${revision.number}`,
      queue: input.queue,
    });
    await recordEvent(tx, {
      serviceId: service.id,
      deploymentId: d.id,
      kind: 'deployment.requested',
      message: `Revision ${revision.number} requested again (${input.reason || 'rollback'})`,
    });
    return d;
  });
  ctx.bus.publish({
    type: 'deployment',
    serviceId: input.serviceId,
    deploymentId: deployment.id,
    status: 'pending',
  });
  return deployment;
}
