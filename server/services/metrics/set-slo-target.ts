import { eq } from 'drizzle-orm';
import type { z } from 'zod';
import { serviceSlos } from '@/db/schema';
import { assertRole } from '../auth/policy';
import { actorLabel, type ServiceContext } from '../context';
import { recordEvent } from '../events/record';
import { loadService } from '../service/load';
import type { setSloTargetInput } from './schema';

/** Sets or removes a service's availability objective; operators and admins only. */
export async function setSloTarget(ctx: ServiceContext, input: z.infer<typeof setSloTargetInput>) {
  assertRole(ctx.actor, 'operator');
  return ctx.db.transaction(async (tx) => {
    const service = await loadService(tx, input.serviceId, { forUpdate: true });
    if (input.targetPercent === null) {
      await tx.delete(serviceSlos).where(eq(serviceSlos.serviceId, service.id));
    } else {
      const values = {
        targetPercent: input.targetPercent,
        updatedBy: actorLabel(ctx.actor),
        updatedAt: new Date(),
      };
      await tx
        .insert(serviceSlos)
        .values({ serviceId: service.id, ...values })
        .onConflictDoUpdate({ target: serviceSlos.serviceId, set: values });
    }
    await recordEvent(tx, {
      serviceId: service.id,
      kind: 'slo.changed',
      message:
        input.targetPercent === null
          ? `Availability objective of ${service.name} removed`
          : `Availability objective of ${service.name} set to ${input.targetPercent} %`,
    });
    return { serviceId: service.id, targetPercent: input.targetPercent };
  });
}
