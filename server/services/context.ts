import type { Db } from '@/db/client';
import type { Role } from '@/db/schema';
import type { DockerEngine } from '@/server/docker/engine';
import type { TrafficRouter } from '@/server/proxy/traffic-router';
import type { SignInThrottle } from './auth/sign-in-throttle';
import type { EventBus } from './events/bus';
import type { ProbeStore } from './health/probe-store';
import type { SecretBox } from './secrets/box';

export type UserActor = {
  kind: 'user';
  id: string;
  email: string;
  role: Role;
  ip: string | null;
  userAgent: string | null;
};
export type SystemActor = { kind: 'system'; component: string };
export type Actor = UserActor | SystemActor;

/** What every service verb needs. Knows nothing of HTTP or tRPC, so loops and tests can call verbs. */
export type Deps = {
  db: Db;
  docker: DockerEngine;
  bus: EventBus;
  box: SecretBox;
  probes: ProbeStore;
  /** The reverse proxy in front of replicas; null where traffic is not routed (some tests). */
  proxy: TrafficRouter | null;
  signInThrottle: SignInThrottle;
  /** The bearer token GET /api/metrics wants; null when metrics are public (CAPSTAN_METRICS_PUBLIC). */
  metricsToken: string | null;
};

export type ServiceContext = Deps & { actor: Actor };

export function actorLabel(actor: Actor): string {
  return actor.kind === 'user' ? actor.email : `system:${actor.component}`;
}

export function asSystem(deps: Deps, component: string): ServiceContext {
  return { ...deps, actor: { kind: 'system', component } };
}
