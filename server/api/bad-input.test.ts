import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '@/db/schema';
import { makeHarness, sampleSpec, type Harness } from '@/server/testing/harness';
import { createCaller } from './root';
import type { TrpcContext } from './trpc';

let h: Harness;
const actors: Partial<Record<Role, TrpcContext['actor']>> = {};
let serviceId = '';
let deploymentId = '';

const caller = (role: Role | null = 'admin') =>
  createCaller({
    deps: h,
    actor: role ? actors[role]! : null,
    origin: { ip: '203.0.113.9', userAgent: 'vitest' },
    sessionToken: undefined,
    resHeaders: new Headers(),
  });
type Caller = ReturnType<typeof caller>;

beforeAll(async () => {
  h = await makeHarness();
  actors.admin = (await h.as('admin')).actor;
  const created = await caller().services.create({ name: 'bad-input', spec: sampleSpec(), deploy: true });
  serviceId = created.service.id;
  deploymentId = created.deployment!.id;
});
afterAll(async () => h?.close());

async function refusal(p: Promise<unknown>) {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, 'the call was accepted').toBeInstanceOf(TRPCError);
  return err as TRPCError;
}

const bad = { nul: 'a\u0000b', lone: 'a\ud800b' };

/** Every free-text field, how to send a value in it, and the name its refusal must give. */
const fields: [string, RegExp, (c: Caller, text: string) => Promise<unknown>][] = [
  [
    'service description',
    /Description/,
    (c, text) => c.services.create({ name: 'd-svc', description: text, spec: sampleSpec(), deploy: false }),
  ],
  [
    'env value',
    /Variable value/,
    (c, text) =>
      c.services.create({
        name: 'e-svc',
        spec: sampleSpec({ env: [{ name: 'A', value: text }] }),
        deploy: false,
      }),
  ],
  [
    'label value',
    /Label value/,
    (c, text) =>
      c.services.create({ name: 'l-svc', spec: sampleSpec({ labels: { team: text } }), deploy: false }),
  ],
  [
    'deploy reason',
    /Reason/,
    (c, text) => c.services.deploy({ serviceId, spec: sampleSpec(), reason: text }),
  ],
  ['redeploy reason', /Reason/, (c, text) => c.services.redeploy({ serviceId, revision: 1, reason: text })],
  ['scale reason', /Reason/, (c, text) => c.services.scale({ serviceId, replicas: 3, reason: text })],
  ['restart reason', /Reason/, (c, text) => c.services.restart({ serviceId, reason: text })],
  ['cancel reason', /Reason/, (c, text) => c.services.cancel({ deploymentId, reason: text })],
  ['log search', /Search/, (c, text) => c.services.logs({ serviceId, search: text })],
  [
    'user name',
    /Name/,
    (c, text) =>
      c.users.create({ email: 'n@test.local', name: text, password: 'long-enough-pw', role: 'viewer' }),
  ],
  [
    'user password',
    /Password/,
    (c, text) =>
      c.users.create({ email: 'p@test.local', name: 'p', password: `long-enough-${text}`, role: 'viewer' }),
  ],
  [
    'setup name',
    /Name/,
    (c, text) => c.auth.setup({ email: 's@test.local', name: text, password: 'long-enough-pw' }),
  ],
  ['sign-in password', /Password/, (c, text) => c.auth.signIn({ email: 'x@test.local', password: text })],
  [
    'registry username',
    /Username/,
    (c, text) => c.registries.save({ host: 'r.example.com', username: text, password: 'p' }),
  ],
  [
    'registry password',
    /Password/,
    (c, text) => c.registries.save({ host: 'r.example.com', username: 'u', password: text }),
  ],
];

describe('bad text', () => {
  for (const [field, name, call] of fields)
    for (const [kind, text] of Object.entries(bad))
      it(`refuses a ${kind === 'nul' ? 'NUL byte' : 'lone surrogate'} in the ${field}, naming it`, async () => {
        const err = await refusal(call(caller(), text));
        expect(err.code).toBe('BAD_REQUEST');
        expect(err.message).toMatch(name);
        expect(err.message).toMatch(kind === 'nul' ? /NUL/ : /unpaired surrogate/);
      });
});

describe('bad numbers, sizes and ids', () => {
  it('refuses a revision beyond the database integer', async () => {
    const err = await refusal(caller().services.redeploy({ serviceId, revision: 2 ** 31 }));
    expect(err).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/Revision/) });
  });

  it('refuses a registry host of a megabyte', async () => {
    const err = await refusal(
      caller().registries.save({
        host: `${'a'.repeat(1_000_000)}.example.com`,
        username: 'u',
        password: 'p',
      }),
    );
    expect(err).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/Registry host/) });
  });

  it('answers live logs of an unknown service with NOT_FOUND', async () => {
    const err = await refusal(
      (async () => {
        const stream = await caller().services.logsLive({
          serviceId: '00000000-0000-4000-8000-000000000000',
        });
        return stream[Symbol.asyncIterator]().next();
      })(),
    );
    expect(err.code).toBe('NOT_FOUND');
  });
});
