import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '@/db/schema';
import { makeHarness, sampleSpec, type Harness } from '@/server/testing/harness';
import { appRouter, createCaller } from './root';
import type { TrpcContext } from './trpc';

let h: Harness;
const actors: Partial<Record<Role, TrpcContext['actor']>> = {};
let serviceId = '';

beforeAll(async () => {
  h = await makeHarness();
  for (const role of ['viewer', 'developer', 'operator', 'admin'] as const)
    actors[role] = (await h.as(role)).actor;
  const svc = await caller('admin').services.create({
    name: 'role-target',
    spec: sampleSpec(),
    deploy: false,
  });
  serviceId = svc.service.id;
  await caller('admin').users.create({
    email: 'signin@test.local',
    name: 's',
    password: 'long-enough-pw',
    role: 'viewer',
  });
});
afterAll(async () => h?.close());

function caller(role: Role | null) {
  return createCaller({
    deps: h,
    actor: role ? actors[role]! : null,
    origin: { ip: '203.0.113.9', userAgent: 'vitest' },
    sessionToken: undefined,
    resHeaders: new Headers(),
  });
}

type Call = (c: ReturnType<typeof caller>) => Promise<unknown>;
const uuid = '00000000-0000-4000-8000-000000000000';
let n = 0;

/** Every procedure, the least role that may call it, and a call that passes validation. */
const table: Record<string, { min: Role | 'public'; call: Call }> = {
  'auth.status': { min: 'public', call: (c) => c.auth.status() },
  'auth.setup': {
    min: 'public',
    call: (c) => c.auth.setup({ email: 'x@y.z', name: 'x', password: 'long-enough-pw' }),
  },
  'auth.signIn': {
    min: 'public',
    call: (c) => c.auth.signIn({ email: 'signin@test.local', password: 'long-enough-pw' }),
  },
  'auth.signOut': { min: 'public', call: (c) => c.auth.signOut() },
  'services.list': { min: 'viewer', call: (c) => c.services.list() },
  'services.get': { min: 'viewer', call: (c) => c.services.get({ serviceId }) },
  'services.deployment': { min: 'viewer', call: (c) => c.services.deployment({ deploymentId: uuid }) },
  'services.logs': { min: 'viewer', call: (c) => c.services.logs({ serviceId }) },
  'services.logsLive': {
    min: 'viewer',
    call: async (c) => {
      const iterator = (await c.services.logsLive({ serviceId }))[Symbol.asyncIterator]();
      // The service has no replicas: the stream ends at once, which is enough to pass the role check.
      return iterator.next();
    },
  },
  'services.create': {
    min: 'developer',
    call: (c) => c.services.create({ name: `svc-${++n}`, spec: sampleSpec(), deploy: false }),
  },
  'services.deploy': {
    min: 'developer',
    call: (c) => c.services.deploy({ serviceId: uuid, spec: sampleSpec() }),
  },
  'services.redeploy': {
    min: 'developer',
    call: (c) => c.services.redeploy({ serviceId: uuid, revision: 1 }),
  },
  'services.scale': {
    min: 'developer',
    call: (c) => c.services.scale({ serviceId: uuid, replicas: 2 }),
  },
  'services.restart': {
    min: 'developer',
    call: (c) => c.services.restart({ serviceId: uuid }),
  },
  'services.restartReplica': {
    min: 'developer',
    call: (c) => c.services.restartReplica({ serviceId: uuid, containerId: 'a'.repeat(64) }),
  },
  'services.cancel': {
    min: 'developer',
    call: (c) => c.services.cancel({ deploymentId: uuid }),
  },
  'services.delete': { min: 'developer', call: (c) => c.services.delete({ serviceId: uuid }) },
  'activity.events': { min: 'viewer', call: (c) => c.activity.events({}) },
  'activity.audit': { min: 'admin', call: (c) => c.activity.audit({}) },
  'activity.live': {
    min: 'viewer',
    call: async (c) => {
      const iterator = (await c.activity.live())[Symbol.asyncIterator]();
      const first = await iterator.next();
      await iterator.return?.();
      return first;
    },
  },
  'users.list': { min: 'admin', call: (c) => c.users.list() },
  'users.create': {
    min: 'admin',
    call: (c) =>
      c.users.create({ email: `u${++n}@test.local`, name: 'u', password: 'long-enough-pw', role: 'viewer' }),
  },
  'users.setRole': { min: 'admin', call: (c) => c.users.setRole({ userId: uuid, role: 'viewer' }) },
  'users.setDisabled': { min: 'admin', call: (c) => c.users.setDisabled({ userId: uuid, disabled: false }) },
  'registries.list': { min: 'admin', call: (c) => c.registries.list() },
  'registries.save': {
    min: 'admin',
    call: (c) => c.registries.save({ host: `r${++n}.example.com`, username: 'u', password: 'p' }),
  },
  'registries.delete': { min: 'admin', call: (c) => c.registries.delete({ id: uuid }) },
  'metrics.series': { min: 'viewer', call: (c) => c.metrics.series({ serviceId, range: '1h' }) },
  'metrics.sparklines': { min: 'viewer', call: (c) => c.metrics.sparklines() },
  'metrics.uptime': { min: 'viewer', call: (c) => c.metrics.uptime({}) },
  'metrics.slo': { min: 'viewer', call: (c) => c.metrics.slo({ serviceId }) },
  'metrics.setSloTarget': {
    min: 'operator',
    call: (c) => c.metrics.setSloTarget({ serviceId, targetPercent: 99.9 }),
  },
  'metrics.dora': { min: 'viewer', call: (c) => c.metrics.dora({ weeks: 4 }) },
  'metrics.scrapeAccess': { min: 'admin', call: (c) => c.metrics.scrapeAccess() },
};

const ORDER: (Role | 'public')[] = ['public', 'viewer', 'developer', 'operator', 'admin'];

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'OK';
  } catch (err) {
    return err instanceof TRPCError ? err.code : `thrown: ${String(err)}`;
  }
}

describe('roles', () => {
  it('covers every procedure of the app router', () => {
    expect(Object.keys(appRouter._def.procedures).sort()).toEqual(Object.keys(table).sort());
  });

  for (const [path, { min, call }] of Object.entries(table)) {
    it(`${path}: needs ${min}`, async () => {
      for (const role of [null, ...(['viewer', 'developer', 'operator', 'admin'] as const)]) {
        const code = await codeOf(call(caller(role)));
        const allowed = min === 'public' || (role !== null && ORDER.indexOf(role) >= ORDER.indexOf(min));
        if (allowed)
          expect([role, code]).not.toEqual(
            expect.arrayContaining([
              expect.stringMatching(/^(FORBIDDEN|UNAUTHORIZED|INTERNAL_SERVER_ERROR|thrown)/),
            ]),
          );
        else expect([role, code]).toEqual([role, role === null ? 'UNAUTHORIZED' : 'FORBIDDEN']);
      }
    });
  }
});

describe('ownership', () => {
  it('lets a developer change unprotected services but not protected ones owned by others', async () => {
    const protectedSvc = await caller('operator').services.create({
      name: 'guarded',
      protected: true,
      spec: sampleSpec(),
      deploy: false,
    });
    const dev = caller('developer');
    await expect(
      dev.services.deploy({ serviceId: protectedSvc.service.id, spec: sampleSpec() }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(dev.services.deploy({ serviceId, spec: sampleSpec({ tag: 'v2' }) })).resolves.toMatchObject({
      revision: { number: 2 },
    });
    await expect(
      caller('operator').services.redeploy({ serviceId: protectedSvc.service.id, revision: 1 }),
    ).resolves.toBeTruthy();
  });

  it('does not let a developer mark a service protected', async () => {
    await expect(
      caller('developer').services.create({
        name: 'sneaky',
        protected: true,
        spec: sampleSpec(),
        deploy: false,
      }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('refuses a second deployment while one is active', async () => {
    const op = caller('operator');
    const { service } = await op.services.create({ name: 'busy', spec: sampleSpec(), deploy: true });
    await expect(
      op.services.deploy({ serviceId: service.id, spec: sampleSpec({ tag: 'v2' }) }),
    ).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(/already deploying revision 1/),
    });
  });
});

describe('bad input and audit', () => {
  it('answers bad input with a readable BAD_REQUEST and writes nothing', async () => {
    const serviceCount = async () => (await caller('admin').services.list()).services.length;
    const before = await serviceCount();
    const err = await caller('admin')
      .services.create({ name: 'Bad Name!', spec: sampleSpec({ port: 70000 }), deploy: true })
      .catch((e: TRPCError) => e);
    expect(err).toBeInstanceOf(TRPCError);
    expect((err as TRPCError).code).toBe('BAD_REQUEST');
    expect(await serviceCount()).toBe(before);
  });

  it('records every mutation with who, what, from where and the outcome, secrets redacted', async () => {
    await caller('admin').users.create({
      email: 'audited@test.local',
      name: 'a',
      password: 'super-secret-pw',
      role: 'viewer',
    });
    await codeOf(caller('viewer').services.delete({ serviceId }));
    const rows = await caller('admin').activity.audit({ limit: 200 });
    const ok = rows.find((r) => r.action === 'users.create' && r.target === 'audited@test.local');
    expect(ok).toMatchObject({
      outcome: 'ok',
      ip: '203.0.113.9',
      userAgent: 'vitest',
      actor: expect.stringMatching(/^admin-/),
    });
    expect(JSON.stringify(ok!.input)).not.toContain('super-secret-pw');
    const refused = rows.find((r) => r.action === 'services.delete' && r.actor.startsWith('viewer-'));
    expect(refused).toMatchObject({
      outcome: 'error',
      error: expect.stringMatching(/needs the developer role/),
    });
    expect(rows.length).toBeGreaterThan(5);
  });
});
