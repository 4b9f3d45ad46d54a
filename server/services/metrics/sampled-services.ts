import { sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { services } from '@/db/schema';

/** A service as a collector tick stores it: the replicas it wants now, and whether it had gone live. */
export type SampledService = { serviceId: string; desired: number; live: boolean };

/**
 * Every service of the installation, read on each collector tick: one query of a few columns, as the
 * tick needs neither the whole spec nor the open deployments.
 */
export async function listSampledServices(db: Db): Promise<SampledService[]> {
  const rows = await db
    .select({
      serviceId: services.id,
      deployed: sql<boolean>`${services.desiredRevision} is not null`,
      live: sql<boolean>`${services.stableRevision} is not null`,
      replicas: services.desiredReplicas,
    })
    .from(services);
  return rows.map((r) => ({
    serviceId: r.serviceId,
    desired: r.deployed ? r.replicas : 0,
    live: r.live,
  }));
}
