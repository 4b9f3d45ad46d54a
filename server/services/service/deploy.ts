import type { z } from 'zod';
import { revisions, type DeploymentKind, type StoredSpec } from '@/db/schema';
import type { Tx } from '@/db/client';
import { assertCanChange } from '../auth/policy';
import type { ServiceContext } from '../context';
import { announceDeployment, startDeployment } from '../deployments/start';
import { recordEvent } from '../events/record';
import { assertCapacity, assertLimitsFit } from './capacity';
import { latestRevision, loadRevision, loadService } from './load';
import { restartService } from './restart';
import { resourcesOrDefault, type deployServiceSchema, type redeployRevisionSchema } from './schema';
import { endpointPortFor } from './endpoint';
import { summarizeChange, toStoredSpec } from './spec';
import { diffSpecs, onlyLiveChanges } from './spec-diff';

/**
 * How a new template reaches the running replicas: a change of limits alone is applied in place (Docker's
 * update API, no restart); anything else rolls.
 */
function kindOf(running: StoredSpec | null, next: StoredSpec): DeploymentKind {
  return running && onlyLiveChanges(diffSpecs(running, next)) ? 'live' : 'deploy';
}

async function runningSpec(tx: Tx, serviceId: string, revision: number | null) {
  return revision === null ? null : (await loadRevision(tx, serviceId, revision)).spec;
}

/** Records a new immutable revision of the spec and starts deploying it, keeping the replica count. */
export async function deployService(ctx: ServiceContext, input: z.infer<typeof deployServiceSchema>) {
  const actor = ctx.actor;
  const host = await ctx.docker.hostCapacity();
  assertLimitsFit(input.spec.resources, host);
  const result = await ctx.db.transaction(async (tx) => {
    const service = await loadService(tx, input.serviceId, { forUpdate: true });
    assertCanChange(actor, service);
    const prev = await latestRevision(tx, service.id);
    // What changes is told against what runs now, not against the newest revision (after a rollback they differ).
    const running = (await runningSpec(tx, service.id, service.desiredRevision)) ?? prev?.spec ?? null;
    const spec = toStoredSpec(input.spec, ctx.box, prev?.spec ?? null);
    spec.endpointPort = await endpointPortFor(tx, service.id, spec.endpointPort ?? null);
    await assertCapacity(ctx, tx, {
      serviceId: service.id,
      name: service.name,
      replicas: service.desiredReplicas,
      resources: resourcesOrDefault(spec.resources),
    });
    const number = (prev?.number ?? 0) + 1;
    const summary = summarizeChange(running, spec);
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
    const kind = kindOf(running, spec);
    const deployment = await startDeployment(tx, actor, {
      serviceId: service.id,
      serviceName: service.name,
      fromRevision: service.desiredRevision,
      toRevision: number,
      reason: input.reason || summary,
      queue: input.queue,
      kind,
    });
    await recordEvent(tx, {
      serviceId: service.id,
      deploymentId: deployment.id,
      kind: 'deployment.requested',
      message: `Revision ${number} requested: ${summary}${kind === 'live' ? ' (limits only: applied live, no restart)' : ''}`,
    });
    return { revision: revision!, deployment };
  });
  announceDeployment(ctx, result.deployment);
  return result;
}

/**
 * Deploys an existing revision again: a rollback to it, keeping the replica count. Asked for the revision
 * that runs now, it is a rolling restart (every replica replaced, one at a time).
 */
export async function redeployRevision(ctx: ServiceContext, input: z.infer<typeof redeployRevisionSchema>) {
  const actor = ctx.actor;
  const current = await loadService(ctx.db, input.serviceId);
  if (current.desiredRevision === input.revision && current.stableRevision === input.revision)
    return restartService(ctx, { serviceId: input.serviceId, reason: input.reason || 'redeploy' });
  const deployment = await ctx.db.transaction(async (tx) => {
    const service = await loadService(tx, input.serviceId, { forUpdate: true });
    assertCanChange(actor, service);
    const revision = await loadRevision(tx, service.id, input.revision);
    const running = await runningSpec(tx, service.id, service.desiredRevision);
    await assertCapacity(ctx, tx, {
      serviceId: service.id,
      name: service.name,
      replicas: service.desiredReplicas,
      resources: resourcesOrDefault(revision.spec.resources),
    });
    const kind = kindOf(running, revision.spec);
    const d = await startDeployment(tx, actor, {
      serviceId: service.id,
      serviceName: service.name,
      fromRevision: service.desiredRevision,
      toRevision: revision.number,
      reason: input.reason || `roll back to revision ${revision.number}`,
      queue: input.queue,
      kind,
    });
    await recordEvent(tx, {
      serviceId: service.id,
      deploymentId: d.id,
      kind: 'deployment.requested',
      message: `Revision ${revision.number} requested again (${input.reason || 'rollback'}): ${summarizeChange(running, revision.spec)}`,
    });
    return d;
  });
  announceDeployment(ctx, deployment);
  return deployment;
}
