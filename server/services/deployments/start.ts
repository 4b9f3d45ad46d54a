import { and, eq, inArray } from 'drizzle-orm';
import { deployments, services, type DeploymentKind } from '@/db/schema';
import type { Tx } from '@/db/client';
import { actorLabel, type Actor, type ServiceContext } from '../context';
import { Conflict, isUniqueViolation } from '../errors';

export const ACTIVE: ('pending' | 'in_progress')[] = ['pending', 'in_progress'];

/**
 * Opens a deployment and points the service's desired revision at it, inside the caller's transaction.
 * A second active deployment for the same service is a Conflict (enforced by a unique index as well),
 * unless the caller asked to queue: then it waits, and the control loop starts it when its turn comes.
 */
export async function startDeployment(
  tx: Tx,
  actor: Actor,
  input: {
    serviceId: string;
    serviceName: string;
    fromRevision: number | null;
    toRevision: number;
    reason: string;
    queue?: boolean;
    kind?: DeploymentKind;
    /** For a restart: the generation it rolls to (the service's current one + 1). */
    restartGeneration?: number;
  },
) {
  const kind = input.kind ?? 'deploy';
  const [active] = await tx
    .select({ id: deployments.id, toRevision: deployments.toRevision })
    .from(deployments)
    .where(and(eq(deployments.serviceId, input.serviceId), inArray(deployments.status, ACTIVE)))
    .limit(1);
  if (active && input.queue) {
    const [queued] = await tx
      .insert(deployments)
      .values({
        serviceId: input.serviceId,
        // Recorded when it starts: what runs then is what it replaces.
        fromRevision: null,
        toRevision: input.toRevision,
        kind,
        status: 'queued',
        reason: input.reason,
        requestedBy: actor.kind === 'user' ? actor.id : null,
        actor: actorLabel(actor),
      })
      .returning();
    return queued!;
  }
  if (active) {
    throw new Conflict(
      `${input.serviceName} is already deploying revision ${active.toRevision}. Wait for it to finish or cancel it.`,
    );
  }
  try {
    const [deployment] = await tx
      .insert(deployments)
      .values({
        serviceId: input.serviceId,
        fromRevision: input.fromRevision,
        toRevision: input.toRevision,
        kind,
        restartGeneration: kind === 'restart' ? (input.restartGeneration ?? null) : null,
        status: 'pending',
        reason: input.reason,
        requestedBy: actor.kind === 'user' ? actor.id : null,
        actor: actorLabel(actor),
      })
      .returning();
    await tx
      .update(services)
      .set({
        desiredRevision: input.toRevision,
        ...(kind === 'restart' && input.restartGeneration !== undefined
          ? { restartGeneration: input.restartGeneration }
          : {}),
        updatedAt: new Date(),
      })
      .where(eq(services.id, input.serviceId));
    return deployment!;
  } catch (err) {
    if (isUniqueViolation(err)) {
      throw new Conflict(`${input.serviceName} is already deploying. Wait for it to finish or cancel it.`, {
        cause: err,
      });
    }
    throw err;
  }
}

/** Tells live subscribers and the control loop (which wakes on it) that a deployment was requested. */
export function announceDeployment(
  ctx: Pick<ServiceContext, 'bus'>,
  d: { id: string; serviceId: string; status: string },
): void {
  ctx.bus.publish({ type: 'deployment', serviceId: d.serviceId, deploymentId: d.id, status: d.status });
}
