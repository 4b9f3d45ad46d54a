import { and, asc, desc, eq, inArray } from 'drizzle-orm';
import { deployments, events, revisions, services, users } from '@/db/schema';
import type { Replica } from '@/server/docker/engine';
import type { ServiceContext } from '../context';
import { ACTIVE } from '../deployments/start';
import { NotFound } from '../errors';
import { loadService } from './load';
import { replicaView, serviceHealth } from './replicas';
import { imageRef, publicSpec } from './spec';

async function readReplicas(
  ctx: ServiceContext,
  serviceId?: string,
): Promise<{ list: Replica[]; dockerError: string | null }> {
  try {
    return { list: await ctx.docker.listReplicas({ serviceId }), dockerError: null };
  } catch (err) {
    return { list: [], dockerError: err instanceof Error ? err.message : String(err) };
  }
}

/** The overview: every service with health, ready/desired replicas, version and last deploy; problems first. */
export async function listServices(ctx: ServiceContext) {
  const rows = await ctx.db.select().from(services).orderBy(services.name);
  if (rows.length === 0) return { services: [], dockerError: null };
  const ids = rows.map((r) => r.id);
  const [revs, deps, replicas] = await Promise.all([
    ctx.db.select().from(revisions).where(inArray(revisions.serviceId, ids)),
    ctx.db
      .select()
      .from(deployments)
      .where(inArray(deployments.serviceId, ids))
      .orderBy(desc(deployments.createdAt)),
    readReplicas(ctx),
  ]);
  const order = { down: 0, degraded: 1, deploying: 2, healthy: 3, idle: 4 } as const;
  const list = rows.map((s) => {
    const rev = revs.find((r) => r.serviceId === s.id && r.number === s.desiredRevision) ?? null;
    const lastDeploy = deps.find((d) => d.serviceId === s.id) ?? null;
    const mine = replicas.list.filter((r) => r.serviceId === s.id).map((r) => replicaView(ctx, r));
    const desired = rev ? s.desiredReplicas : 0;
    const ready = mine.filter((r) => r.revision === s.desiredRevision && r.health === 'healthy').length;
    const deploying = lastDeploy ? ACTIVE.includes(lastDeploy.status as never) : false;
    return {
      id: s.id,
      name: s.name,
      description: s.description,
      protected: s.protected,
      revision: s.desiredRevision,
      image: rev ? imageRef(rev.spec) : null,
      desired,
      ready,
      running: mine.filter((r) => r.state === 'running').length,
      health: replicas.dockerError
        ? ('down' as const)
        : serviceHealth(
            desired,
            ready,
            deploying,
            s.desiredRevision === null && lastDeploy?.status === 'failed',
          ),
      lastDeploy: lastDeploy && {
        id: lastDeploy.id,
        status: lastDeploy.status,
        toRevision: lastDeploy.toRevision,
        actor: lastDeploy.actor,
        createdAt: lastDeploy.createdAt,
        finishedAt: lastDeploy.finishedAt,
      },
    };
  });
  list.sort((a, b) => order[a.health] - order[b.health] || a.name.localeCompare(b.name));
  return { services: list, dockerError: replicas.dockerError };
}

/** The service page: spec (secrets masked), replicas as Docker reports them, revisions and deployments. */
export async function getService(ctx: ServiceContext, serviceId: string) {
  const service = await loadService(ctx.db, serviceId);
  const [revs, deps, replicas, owner] = await Promise.all([
    ctx.db
      .select({
        number: revisions.number,
        spec: revisions.spec,
        summary: revisions.summary,
        createdAt: revisions.createdAt,
        createdBy: users.email,
      })
      .from(revisions)
      .leftJoin(users, eq(users.id, revisions.createdBy))
      .where(eq(revisions.serviceId, serviceId))
      .orderBy(desc(revisions.number)),
    ctx.db
      .select()
      .from(deployments)
      .where(eq(deployments.serviceId, serviceId))
      .orderBy(desc(deployments.createdAt))
      .limit(50),
    readReplicas(ctx, serviceId),
    service.ownerId
      ? ctx.db.select({ email: users.email }).from(users).where(eq(users.id, service.ownerId)).limit(1)
      : Promise.resolve([]),
  ]);
  const traffic = await readTraffic(ctx, serviceId);
  const current = revs.find((r) => r.number === service.desiredRevision) ?? revs[0] ?? null;
  const replicaViews = replicas.list
    .map((r) => replicaView(ctx, r))
    .sort((a, b) => b.revision - a.revision || a.replica - b.replica);
  const active = deps.find((d) => ACTIVE.includes(d.status as never)) ?? null;
  const desired = current ? service.desiredReplicas : 0;
  const ready = replicaViews.filter(
    (r) => r.revision === service.desiredRevision && r.health === 'healthy',
  ).length;
  return {
    service: { ...service, owner: owner[0]?.email ?? null },
    spec: current ? publicSpec(current.spec) : null,
    revisions: revs.map((r) => ({ ...r, spec: publicSpec(r.spec) })),
    deployments: deps,
    activeDeployment: active,
    replicas: replicaViews,
    desired,
    ready,
    health: replicas.dockerError
      ? ('down' as const)
      : serviceHealth(
          desired,
          ready,
          active !== null,
          service.desiredRevision === null && deps[0]?.status === 'failed',
        ),
    dockerError: replicas.dockerError,
    endpoint: current?.spec.endpointPort ? `http://127.0.0.1:${current.spec.endpointPort}` : null,
    traffic,
  };
}

/** What the proxy reports for a service: requests and 5xx answers in all and per replica. */
async function readTraffic(ctx: ServiceContext, serviceId: string) {
  if (!ctx.proxy) return null;
  try {
    const stats = await ctx.proxy.stats();
    const mine = stats.services.find((s) => s.serviceId === serviceId);
    return {
      up: stats.up,
      requests: mine?.requests ?? 0,
      errors5xx: mine?.errors5xx ?? 0,
      replicas: (mine?.servers ?? []).map((s) => ({
        containerId: s.id,
        requests: s.requests,
        errors5xx: s.errors5xx,
        sessions: s.sessions,
        state: s.state,
      })),
    };
  } catch {
    return { up: false, requests: 0, errors5xx: 0, replicas: [] };
  }
}

/** The deployment page: the deployment, its steps as recorded, and the replicas of both revisions now. */
export async function getDeployment(ctx: ServiceContext, deploymentId: string) {
  const [d] = await ctx.db.select().from(deployments).where(eq(deployments.id, deploymentId)).limit(1);
  if (!d) throw new NotFound('No such deployment.');
  const [service, steps, replicas, revs] = await Promise.all([
    loadService(ctx.db, d.serviceId),
    ctx.db.select().from(events).where(eq(events.deploymentId, d.id)).orderBy(asc(events.id)),
    readReplicas(ctx, d.serviceId),
    ctx.db
      .select({ number: revisions.number, spec: revisions.spec, summary: revisions.summary })
      .from(revisions)
      .where(
        and(
          eq(revisions.serviceId, d.serviceId),
          inArray(revisions.number, [d.toRevision, d.fromRevision ?? d.toRevision]),
        ),
      ),
  ]);
  const to = revs.find((r) => r.number === d.toRevision);
  const from = d.fromRevision === null ? null : revs.find((r) => r.number === d.fromRevision);
  const views = replicas.list.map((r) => replicaView(ctx, r));
  const healthyNew = views.filter((r) => r.revision === d.toRevision && r.health === 'healthy').length;
  const healthyAll = views.filter((r) => r.health === 'healthy').length;
  return {
    deployment: d,
    service: {
      id: service.id,
      name: service.name,
      desiredRevision: service.desiredRevision,
      stableRevision: service.stableRevision,
    },
    to: to
      ? {
          number: to.number,
          image: imageRef(to.spec),
          replicas: service.desiredReplicas,
          summary: to.summary,
        }
      : null,
    from: from
      ? { number: from.number, image: imageRef(from.spec), replicas: service.desiredReplicas }
      : null,
    steps,
    replicas: views,
    progress: {
      desired: to ? service.desiredReplicas : 0,
      healthyNew,
      /** Share of healthy replicas that run the new revision: a stand-in for traffic until the proxy reports it. */
      newShare: healthyAll === 0 ? 0 : healthyNew / healthyAll,
    },
  };
}
