import { eq } from 'drizzle-orm';
import { services } from '@/db/schema';
import { assertCanChange } from '../auth/policy';
import type { ServiceContext } from '../context';
import { loadService } from './load';

/** Removes a service and, gracefully, all of its replicas. */
export async function deleteService(ctx: ServiceContext, serviceId: string) {
  const service = await loadService(ctx.db, serviceId);
  assertCanChange(ctx.actor, service);
  await ctx.db.delete(services).where(eq(services.id, serviceId));
  const replicas = await ctx.docker.listReplicas({ serviceId });
  await Promise.all(replicas.map((r) => ctx.docker.removeReplica(r.id)));
  ctx.bus.publish({ type: 'service', serviceId, reason: 'deleted' });
  return { name: service.name, removedReplicas: replicas.length };
}
