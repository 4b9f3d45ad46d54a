import { and, asc, desc, eq, inArray } from 'drizzle-orm';
import { deployments, events, revisions, services, users, type StoredSpec } from '@/db/schema';
import type { Replica } from '@/server/docker/engine';
import type { ServiceContext } from '../context';
import { ACTIVE } from '../deployments/start';
import { NotFound } from '../errors';
import { probeStates } from '../health/probe-store';
import { loadService } from './load';
import { replicaView, serviceHealth, type ReplicaView, type ServiceHealth } from './replicas';
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

type RevisionChecks = { serviceId: string; number: number; spec: StoredSpec }[];

/**
 * Replicas as the console shows them: health from the prober's verdicts (shared through the database, so
 * a web process sees what the worker probes), each judged by its own revision's start period.
 */
async function replicaViews(ctx: ServiceContext, list: Replica[], revs: RevisionChecks) {
  const probes = await probeStates(
    ctx,
    list.map((r) => r.id),
  );
  const startPeriod = (r: Replica) =>
    revs.find((v) => v.serviceId === r.serviceId && v.number === r.revision)?.spec.healthCheck
      .startPeriodSeconds ?? 0;
  const now = Date.now();
  return list.map((r) => replicaView({ probes }, r, startPeriod(r), now));
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
  const order: Record<ServiceHealth, number> = {
    down: 0,
    degraded: 1,
    deploying: 2,
    healthy: 3,
    'scaled-to-zero': 4,
    idle: 5,
  };
  const views = await replicaViews(ctx, replicas.list, revs);
  const byService = new Map<string, ReplicaView[]>();
  replicas.list.forEach((r, i) => {
    const mine = byService.get(r.serviceId) ?? [];
    mine.push(views[i]!);
    byService.set(r.serviceId, mine);
  });
  const list = rows.map((s) => {
    const rev = revs.find((r) => r.serviceId === s.id && r.number === s.desiredRevision) ?? null;
    const lastDeploy = deps.find((d) => d.serviceId === s.id) ?? null;
    const mine = byService.get(s.id) ?? [];
    const desired = s.desiredRevision === null ? 0 : s.desiredReplicas;
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
        : serviceHealth({
            undeployed: s.desiredRevision === null,
            desired,
            ready,
            deploying,
            neverServed: s.desiredRevision === null && lastDeploy?.status === 'failed',
          }),
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
  const [traffic, problem] = await Promise.all([readTraffic(ctx, serviceId), readProblem(ctx, serviceId)]);
  const current = revs.find((r) => r.number === service.desiredRevision) ?? revs[0] ?? null;
  const views = (
    await replicaViews(
      ctx,
      replicas.list,
      revs.map((r) => ({ ...r, serviceId })),
    )
  ).sort((a, b) => b.revision - a.revision || a.replica - b.replica);
  const active = deps.find((d) => ACTIVE.includes(d.status as never)) ?? null;
  const desired = service.desiredRevision === null ? 0 : service.desiredReplicas;
  const ready = views.filter((r) => r.revision === service.desiredRevision && r.health === 'healthy').length;
  return {
    service: { ...service, owner: owner[0]?.email ?? null },
    spec: current ? publicSpec(current.spec) : null,
    revisions: revs.map((r) => ({ ...r, spec: publicSpec(r.spec) })),
    deployments: deps,
    activeDeployment: active,
    replicas: views,
    desired,
    ready,
    health: replicas.dockerError
      ? ('down' as const)
      : serviceHealth({
          undeployed: service.desiredRevision === null,
          desired,
          ready,
          deploying: active !== null,
          neverServed: service.desiredRevision === null && deps[0]?.status === 'failed',
        }),
    dockerError: replicas.dockerError,
    /** Why the control loop cannot converge this service now (a port taken, an image gone), if it cannot. */
    problem,
    endpoint: current?.spec.endpointPort ? `http://127.0.0.1:${current.spec.endpointPort}` : null,
    traffic,
  };
}

/** The control loop's last word on a service: a problem it recorded and has not seen cleared since. */
async function readProblem(ctx: ServiceContext, serviceId: string) {
  const [last] = await ctx.db
    .select({ kind: events.kind, message: events.message, at: events.at })
    .from(events)
    .where(and(eq(events.serviceId, serviceId), inArray(events.kind, ['service.error', 'service.recovered'])))
    .orderBy(desc(events.id))
    .limit(1);
  return last?.kind === 'service.error' ? { message: last.message, since: last.at } : null;
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

/** A replica on a deployment's page: its last step in this deployment, and its state now if it still exists. */
export type DeploymentReplica = ReplicaView & {
  /** The last recorded step of this deployment on it (started, healthy, in-traffic, draining, stopped, …). */
  step: string | null;
  stepAt: Date | null;
  exists: boolean;
};

type Recorded = {
  containerId: string;
  revision: number;
  replica: number;
  step: string;
  stepAt: Date;
  firstAt: Date;
  started: boolean;
  healthy: boolean | null;
};

/** The replicas a deployment's recorded steps name (events whose data carries a containerId), in order. */
function recordedReplicas(steps: (typeof events.$inferSelect)[]): Map<string, Recorded> {
  const out = new Map<string, Recorded>();
  for (const e of steps) {
    const data = e.data ?? {};
    const containerId = data.containerId;
    if (typeof containerId !== 'string' || !e.kind.startsWith('replica.')) continue;
    const step = e.kind.slice('replica.'.length);
    const prev = out.get(containerId);
    out.set(containerId, {
      containerId,
      revision: typeof data.revision === 'number' ? data.revision : (prev?.revision ?? 0),
      replica: typeof data.replica === 'number' ? data.replica : (prev?.replica ?? 0),
      step,
      stepAt: e.at,
      firstAt: prev?.firstAt ?? e.at,
      started: (prev?.started ?? false) || step === 'started',
      healthy: step === 'healthy' ? true : step === 'unhealthy' ? false : (prev?.healthy ?? null),
    });
  }
  return out;
}

const RETIRED_STEPS = ['draining', 'stopped', 'removed', 'replaced'];

/**
 * The deployment page: the deployment, its steps as recorded, and the replicas those steps name, with
 * their state now where the container still exists. A finished deployment shows only its own replicas (not
 * today's, which a later change may have started); one still under way shows every replica of the service.
 */
export async function getDeployment(ctx: ServiceContext, deploymentId: string) {
  const [d] = await ctx.db.select().from(deployments).where(eq(deployments.id, deploymentId)).limit(1);
  if (!d) throw new NotFound('No such deployment.');
  const [service, steps, replicas, revs] = await Promise.all([
    loadService(ctx.db, d.serviceId),
    ctx.db.select().from(events).where(eq(events.deploymentId, d.id)).orderBy(asc(events.id)),
    readReplicas(ctx, d.serviceId),
    ctx.db
      .select({
        serviceId: revisions.serviceId,
        number: revisions.number,
        spec: revisions.spec,
        summary: revisions.summary,
      })
      .from(revisions)
      .where(eq(revisions.serviceId, d.serviceId)),
  ]);
  const open = d.status === 'queued' || ACTIVE.includes(d.status as never);
  const to = revs.find((r) => r.number === d.toRevision);
  const from = d.fromRevision === null ? null : revs.find((r) => r.number === d.fromRevision);
  const recorded = recordedReplicas(steps);
  const today = await replicaViews(ctx, replicas.list, revs);
  const views: DeploymentReplica[] = [];
  for (const v of today) {
    const rec = recorded.get(v.id);
    if (rec || open) views.push({ ...v, step: rec?.step ?? null, stepAt: rec?.stepAt ?? null, exists: true });
  }
  for (const rec of recorded.values()) {
    if (today.some((v) => v.id === rec.containerId)) continue;
    views.push({
      id: rec.containerId,
      name: rec.containerId.slice(0, 12),
      revision: rec.revision,
      replica: rec.replica,
      state: 'removed',
      status: 'The container no longer exists',
      hostPort: null,
      health: 'stopped',
      lastError: null,
      createdAt: rec.firstAt,
      step: rec.step,
      stepAt: rec.stepAt,
      exists: false,
    });
  }
  views.sort(
    (a, b) =>
      b.revision - a.revision || a.replica - b.replica || a.createdAt.getTime() - b.createdAt.getTime(),
  );

  let healthyNew: number;
  let healthyAll: number;
  if (open) {
    healthyNew = today.filter((r) => r.revision === d.toRevision && r.health === 'healthy').length;
    healthyAll = today.filter((r) => r.health === 'healthy').length;
  } else {
    // As the deployment left them: replicas it did not drain or stop, healthy when it last saw them.
    const left = [...recorded.values()].filter((r) => !RETIRED_STEPS.includes(r.step) && r.healthy);
    healthyNew = left.filter((r) => r.revision === d.toRevision).length;
    healthyAll = left.length;
  }
  const startedHere = [...recorded.values()].filter((r) => r.started && r.revision === d.toRevision).length;
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
          /** Under way: the count it converges to; finished: how many replicas it started. */
          replicas: open ? service.desiredReplicas : startedHere,
          summary: to.summary,
        }
      : null,
    from: from
      ? {
          number: from.number,
          image: imageRef(from.spec),
          replicas: views.filter((r) => r.revision === from.number).length,
        }
      : null,
    steps,
    replicas: views,
    progress: {
      desired: service.desiredReplicas,
      healthyNew,
      /** Share of healthy replicas that run the new revision: a stand-in for traffic until the proxy reports it. */
      newShare: healthyAll === 0 ? 0 : healthyNew / healthyAll,
    },
  };
}
