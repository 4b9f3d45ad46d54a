import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDb, type DbHandle } from '@/db/client';
import { migrate } from '@/db/migrate';
import { eq } from 'drizzle-orm';
import { deployments, users, type Role } from '@/db/schema';
import { DockerEngine } from '@/server/docker/engine';
import { ControlLoop } from '@/server/engine/control-loop';
import type { Deps, ServiceContext, UserActor } from '@/server/services/context';
import { openSignInThrottle } from '@/server/services/auth/sign-in-throttle';
import { EventBus } from '@/server/services/events/bus';
import { TrafficRouter } from '@/server/proxy/traffic-router';
import { ProbeStore } from '@/server/services/health/probe-store';
import { installationId } from '@/server/services/installation/identity';
import { SecretBox } from '@/server/services/secrets/box';

export type Harness = Deps & {
  handle: DbHandle;
  /** The PostgreSQL database's URL, for a second process to share; null on in-memory PGlite. */
  url: string | null;
  as: (role: Role) => Promise<ServiceContext & { actor: UserActor }>;
  loop: (opts?: {
    probeIntervalMs?: number;
    reconcileIntervalMs?: number;
    log?: (msg: string) => void;
  }) => ControlLoop;
  /** Waits until a deployment has ended (succeeded, failed or cancelled) and returns it. */
  finished: (deploymentId: string, timeoutMs?: number) => Promise<typeof deployments.$inferSelect>;
  close: () => Promise<void>;
};

/**
 * A real database (in-memory PGlite, or a fresh PostgreSQL database when TEST_DATABASE_URL is set) with
 * the committed migrations, and the real Docker engine, as an installation of its own: its containers
 * are removed on close, and nobody else's are touched.
 */
export async function makeHarness(opts: { secretKeyHex?: string; proxy?: boolean } = {}): Promise<Harness> {
  const adminUrl = process.env.TEST_DATABASE_URL;
  let dropDb: (() => Promise<void>) | null = null;
  let handle: DbHandle;
  let url: string | null = null;
  if (adminUrl) {
    const name = `capstan_test_${crypto.randomBytes(4).toString('hex')}`;
    const { Client } = await import('pg');
    const admin = new Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const dbUrl = new URL(adminUrl);
    dbUrl.pathname = `/${name}`;
    url = dbUrl.toString();
    handle = await openDb({ kind: 'postgres', url });
    dropDb = async () => {
      const c = new Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    };
  } else {
    handle = await openDb({ kind: 'pglite', dir: null });
  }
  await migrate(handle);
  const deps: Deps = {
    db: handle.db,
    docker: new DockerEngine(await installationId(handle.db)),
    bus: new EventBus(),
    box: new SecretBox(opts.secretKeyHex ? Buffer.from(opts.secretKeyHex, 'hex') : crypto.randomBytes(32)),
    probes: new ProbeStore(),
    proxy: opts.proxy
      ? new TrafficRouter({ dir: fs.mkdtempSync(path.join(os.tmpdir(), 'capstan-proxy-')) })
      : null,
    signInThrottle: await openSignInThrottle(handle.pool),
    metricsToken: `test-metrics-${crypto.randomBytes(8).toString('hex')}`,
  };
  await deps.proxy?.start();
  const loops: ControlLoop[] = [];

  return {
    ...deps,
    handle,
    url,
    async as(role) {
      const email = `${role}-${crypto.randomBytes(3).toString('hex')}@test.local`;
      const [u] = await deps.db
        .insert(users)
        .values({ email, name: role, role, passwordHash: 'x' })
        .returning();
      return {
        ...deps,
        actor: { kind: 'user', id: u!.id, email, role, ip: '127.0.0.1', userAgent: 'vitest' },
      };
    },
    loop(opts = {}) {
      const loop = new ControlLoop(deps, {
        probeIntervalMs: opts.probeIntervalMs ?? 250,
        reconcileIntervalMs: opts.reconcileIntervalMs ?? 500,
        log: opts.log,
      });
      loops.push(loop);
      return loop;
    },
    finished(deploymentId, timeoutMs = 90_000) {
      return waitFor(
        `deployment ${deploymentId} to finish`,
        async () => {
          const [d] = await deps.db.select().from(deployments).where(eq(deployments.id, deploymentId));
          return d && ['succeeded', 'failed', 'cancelled'].includes(d.status) ? d : undefined;
        },
        timeoutMs,
      );
    },
    async close() {
      await Promise.all(loops.map((l) => l.stop()));
      // Every container of this installation goes, including those of services deleted meanwhile.
      const replicas = await deps.docker.listReplicas().catch(() => []);
      await Promise.all(replicas.map((r) => deps.docker.removeReplica(r.id, 1)));
      await deps.proxy?.stop();
      await handle.close();
      await dropDb?.();
    },
  };
}

/** Polls until `check` returns a value (not undefined/false), or fails with the last observed state. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false | null>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v !== undefined && v !== false && v !== null) return v;
      last = v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(
    `timed out waiting for ${what}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`,
  );
}

/**
 * The sample service's spec. A `replicas` given here (tests written when the count was part of a spec) is
 * dropped: the count is the service's, given to createService or scaleService.
 */
export const sampleSpec = ({ replicas: _replicas, ...over }: Record<string, unknown> = {}) => ({
  image: 'capstan-sample',
  tag: 'v1',
  port: 8080,
  env: [],
  healthCheck: {
    type: 'http' as const,
    path: '/healthz',
    intervalSeconds: 0.5,
    timeoutSeconds: 1,
    healthyThreshold: 1,
    unhealthyThreshold: 2,
    startPeriodSeconds: 2,
  },
  strategy: { maxSurge: 1, maxUnavailable: 0, minReadySeconds: 0, progressDeadlineSeconds: 120 },
  resources: { cpus: null, memoryMb: null, cpuReservation: null, memoryReservationMb: null, pidsLimit: null },
  labels: {},
  endpointPort: null,
  ...over,
});

/** A name no other test run uses. */
export const uniqueName = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 7)}`;
