import type { z } from 'zod';
import { revisions, services } from '@/db/schema';
import { assertRole, roleAtLeast } from '../auth/policy';
import type { ServiceContext } from '../context';
import { startDeployment } from '../deployments/start';
import { Conflict, Forbidden, isUniqueViolation } from '../errors';
import { recordEvent } from '../events/record';
import { resourcesOrDefault, type createServiceSchema } from './schema';
import { assertCapacity, assertLimitsFit } from './capacity';
import { endpointPortFor } from './endpoint';
import { summarizeChange, toStoredSpec } from './spec';

export async function createService(
  ctx: ServiceContext,
  // The count defaults to 1 for callers that do not say (the schema's default, for callers that skip it).
  input: Omit<z.infer<typeof createServiceSchema>, 'replicas'> & { replicas?: number },
) {
  const replicas = input.replicas ?? 1;
  assertRole(ctx.actor, 'developer');
  if (input.protected && ctx.actor.kind === 'user' && !roleAtLeast(ctx.actor.role, 'operator')) {
    throw new Forbidden('Only operators and admins can mark a service protected.');
  }
  const actor = ctx.actor;
  const host = await ctx.docker.hostCapacity();
  assertLimitsFit(input.spec.resources, host);
  try {
    const result = await ctx.db.transaction(async (tx) => {
      const [service] = await tx
        .insert(services)
        .values({
          name: input.name,
          description: input.description,
          protected: input.protected,
          ownerId: actor.kind === 'user' ? actor.id : null,
          desiredReplicas: replicas,
        })
        .returning();
      const spec = toStoredSpec(input.spec, ctx.box, null);
      spec.endpointPort = await endpointPortFor(tx, null, spec.endpointPort ?? null);
      await assertCapacity(ctx, tx, {
        serviceId: service!.id,
        name: service!.name,
        replicas,
        resources: resourcesOrDefault(spec.resources),
      });
      await tx.insert(revisions).values({
        serviceId: service!.id,
        number: 1,
        spec,
        summary: `${summarizeChange(null, spec)}, ${replicas} replica(s)`,
        createdBy: actor.kind === 'user' ? actor.id : null,
      });
      await recordEvent(tx, {
        serviceId: service!.id,
        kind: 'service.created',
        message: `Service ${input.name} created`,
      });
      const deployment = input.deploy
        ? await startDeployment(tx, actor, {
            serviceId: service!.id,
            serviceName: service!.name,
            fromRevision: null,
            toRevision: 1,
            reason: 'first deploy',
          })
        : null;
      return { service: service!, deployment };
    });
    ctx.bus.publish({ type: 'service', serviceId: result.service.id, reason: 'created' });
    return result;
  } catch (err) {
    if (isUniqueViolation(err))
      throw new Conflict(`A service named ${input.name} exists already.`, { cause: err });
    throw err;
  }
}
