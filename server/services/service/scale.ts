import { and, eq } from 'drizzle-orm';
import type { z } from 'zod';
import { revisions, services } from '@/db/schema';
import { recordAudit } from '../audit/record';
import { assertCanChange } from '../auth/policy';
import { actorLabel, type ServiceContext } from '../context';
import { Conflict } from '../errors';
import { recordEvent } from '../events/record';
import { assertCapacity } from './capacity';
import { loadService } from './load';
import { resourcesOrDefault, type scaleServiceSchema } from './schema';

/**
 * Sets how many replicas a service runs. No revision is made and no running replica is touched: the
 * control loop starts the missing ones (they join traffic once healthy) or drains and stops the extra ones.
 * During a rollout the rollout converges to the new count.
 */
export async function scaleService(ctx: ServiceContext, input: z.infer<typeof scaleServiceSchema>) {
  const who = actorLabel(ctx.actor);
  const result = await ctx.db.transaction(async (tx) => {
    const service = await loadService(tx, input.serviceId, { forUpdate: true });
    assertCanChange(ctx.actor, service);
    const from = service.desiredReplicas;
    if (from === input.replicas) return { serviceId: service.id, name: service.name, from, to: from };
    if (input.replicas > from && service.desiredRevision !== null) {
      const [rev] = await tx
        .select({ spec: revisions.spec })
        .from(revisions)
        .where(and(eq(revisions.serviceId, service.id), eq(revisions.number, service.desiredRevision)));
      if (rev)
        await assertCapacity(ctx, tx, {
          serviceId: service.id,
          name: service.name,
          replicas: input.replicas,
          resources: resourcesOrDefault(rev.spec.resources),
        });
    }
    // Conditional on the count read: of two scales at once, the later one sees the earlier one's result.
    const [row] = await tx
      .update(services)
      .set({ desiredReplicas: input.replicas, updatedAt: new Date() })
      .where(and(eq(services.id, service.id), eq(services.desiredReplicas, from)))
      .returning({ id: services.id });
    if (!row)
      throw new Conflict(`${service.name} was scaled by someone else just now; look again and retry.`);
    await recordEvent(tx, {
      serviceId: service.id,
      kind: 'service.scaled',
      message:
        `${who} scaled ${service.name} from ${from} to ${input.replicas} replica(s)` +
        (input.reason ? `: ${input.reason}` : '') +
        (input.replicas === 0 ? '; its endpoint answers 503 until it is scaled up' : ''),
      data: { from, to: input.replicas, reason: input.reason, actor: who },
    });
    return { serviceId: service.id, name: service.name, from, to: input.replicas };
  });
  // People are audited at the API's edge; the system's own decisions (the autoscaler) are audited here.
  if (ctx.actor.kind === 'system' && result.from !== result.to)
    await recordAudit(ctx.db, ctx.actor, {
      action: 'services.scale',
      target: result.serviceId,
      input,
      outcome: 'ok',
    });
  if (result.from !== result.to)
    ctx.bus.publish({ type: 'service', serviceId: result.serviceId, reason: 'changed' });
  return result;
}
