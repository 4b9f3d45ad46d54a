import { and, eq, ne } from 'drizzle-orm';
import { revisions, services } from '@/db/schema';
import type { Db, Tx } from '@/db/client';
import type { HostCapacity } from '@/server/docker/engine';
import type { ServiceContext } from '../context';
import { Invalid, Precondition } from '../errors';
import { resourcesOrDefault, type Resources } from './schema';

const fmt = (n: number) => String(Math.round(n * 100) / 100);
const mib = (bytes: number) => Math.floor(bytes / 1024 / 1024);

/** A limit no replica on this host could ever use is refused as bad input, naming the field. */
export function assertLimitsFit(resources: Resources, host: HostCapacity): void {
  if (resources.cpus !== null && resources.cpus > host.cpus)
    throw new Invalid(
      `CPU limit ${fmt(resources.cpus)} is more than this host's ${host.cpus} CPUs: pick at most ${host.cpus}.`,
    );
  if (resources.cpuReservation !== null && resources.cpuReservation > host.cpus)
    throw new Invalid(
      `CPU reservation ${fmt(resources.cpuReservation)} is more than this host's ${host.cpus} CPUs.`,
    );
  if (resources.memoryReservationMb !== null && resources.memoryReservationMb > mib(host.memoryBytes))
    throw new Invalid(
      `Memory reservation ${resources.memoryReservationMb} MiB is more than this host's ${mib(host.memoryBytes)} MiB.`,
    );
}

/** What every other service reserves now: its replica count × its running revision's reservations. */
async function reservedByOthers(db: Db | Tx, serviceId: string | null) {
  const rows = await db
    .select({ replicas: services.desiredReplicas, spec: revisions.spec })
    .from(services)
    .innerJoin(
      revisions,
      and(eq(revisions.serviceId, services.id), eq(revisions.number, services.desiredRevision)),
    )
    .where(serviceId ? ne(services.id, serviceId) : undefined);
  let cpus = 0;
  let memoryMb = 0;
  for (const r of rows) {
    const res = resourcesOrDefault(r.spec.resources);
    cpus += r.replicas * (res.cpuReservation ?? 0);
    memoryMb += r.replicas * (res.memoryReservationMb ?? 0);
  }
  return { cpus, memoryMb };
}

/**
 * Refuses a scale or deploy that would reserve more CPU or memory than the host has, with the numbers.
 * Reservations are what replicas are promised; limits may overcommit, as in Kubernetes.
 */
export async function assertCapacity(
  ctx: ServiceContext,
  db: Db | Tx,
  want: { serviceId: string | null; name: string; replicas: number; resources: Resources },
): Promise<void> {
  const { cpuReservation, memoryReservationMb } = want.resources;
  if (!cpuReservation && !memoryReservationMb) return;
  const host = await ctx.docker.hostCapacity();
  const others = await reservedByOthers(db, want.serviceId);
  const n = want.replicas;
  if (cpuReservation) {
    const needed = n * cpuReservation;
    const free = Math.max(0, host.cpus - others.cpus);
    if (needed > free + 1e-9)
      throw new Precondition(
        `Not enough CPU on this host for ${n} replica(s) of ${want.name}: ${fmt(free)} CPU free of ${host.cpus} (${fmt(others.cpus)} reserved by other services), ${fmt(needed)} needed (${n} × ${fmt(cpuReservation)} reserved).`,
      );
  }
  if (memoryReservationMb) {
    const needed = n * memoryReservationMb;
    const free = Math.max(0, mib(host.memoryBytes) - others.memoryMb);
    if (needed > free)
      throw new Precondition(
        `Not enough memory on this host for ${n} replica(s) of ${want.name}: ${free} MiB free of ${mib(host.memoryBytes)} (${others.memoryMb} MiB reserved by other services), ${needed} MiB needed (${n} × ${memoryReservationMb} MiB reserved).`,
      );
  }
}
