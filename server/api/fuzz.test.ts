/**
 * Every procedure of the router × a corpus of bad inputs × every role. A procedure added to the router is
 * fuzzed by itself (its seed input derived from its schema when it has none below). For each call: no
 * 5xx and no error that is not a readable tRPC error; a refused call changes nothing; and every mutation
 * call leaves exactly one audit row.
 */
import { TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import { count, sql } from 'drizzle-orm';
import superjson from 'superjson';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { z } from 'zod';
import { auditLog, type Role } from '@/db/schema';
import { createSession } from '@/server/services/auth/sessions';
import { makeHarness, sampleSpec, type Harness } from '@/server/testing/harness';
import { appRouter, createCaller } from './root';
import type { TrpcContext } from './trpc';

let h: Harness;
vi.mock('@/server/runtime', () => ({ getRuntime: async () => h }));

const ROLES = [null, 'viewer', 'developer', 'operator', 'admin'] as const;
const actors: Partial<Record<Role, NonNullable<TrpcContext['actor']>>> = {};
const fixture = { serviceId: '', deploymentId: '', userId: '' };
const NO_SUCH_ID = '00000000-0000-4000-8000-000000000000';

type Procedure = {
  _def: { type: 'query' | 'mutation' | 'subscription'; inputs: z.ZodType[] };
};
const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, Procedure>);

// ---------------------------------------------------------------------------------------------- corpus

function cyclic(): Record<string, unknown> {
  const o: Record<string, unknown> = { serviceId: NO_SUCH_ID };
  o.self = o;
  return o;
}
function deep(levels: number): unknown {
  let o: unknown = 'bottom';
  for (let i = 0; i < levels; i++) o = { d: o, serviceId: NO_SUCH_ID };
  return o;
}
const HUGE = 'x'.repeat(1024 * 1024);

/** Whole inputs that are wrong for every procedure. */
const WHOLE: [string, () => unknown][] = [
  ['undefined', () => undefined],
  ['null', () => null],
  ['a string', () => 'x'],
  ['a NUL byte', () => '\u0000'],
  ['a lone surrogate', () => '\ud800'],
  ['a huge string', () => HUGE],
  ['an int32 overflow', () => 2 ** 31],
  ['NaN', () => Number.NaN],
  ['a BigInt', () => 10n ** 20n],
  ['an invalid Date', () => new Date('x')],
  ['an array', () => [1, 2]],
  ['a Map', () => new Map([['serviceId', NO_SUCH_ID]])],
  ['a cyclic object', cyclic],
  ['deep nesting', () => deep(10_000)],
  ['only extra fields', () => ({ extra: true, another: 1 })],
];

/** Values put in place of one leaf of a valid input. */
const STRING_VARIANTS: [string, (s: string) => unknown][] = [
  ['NUL', (s) => `${s}\u0000`],
  ['lone surrogate', (s) => `${s}\ud800`],
  ['lone low surrogate', (s) => `\udc00${s}`],
  ['huge', () => HUGE],
  ['number', () => 1],
  ['null', () => null],
  ['object', () => ({ s: 'x' })],
];
const NUMBER_VARIANTS: [string, () => unknown][] = [
  ['int32 overflow', () => 2 ** 31],
  ['int32 underflow', () => -(2 ** 31) - 1],
  ['1e308', () => 1e308],
  ['NaN', () => Number.NaN],
  ['Infinity', () => Number.POSITIVE_INFINITY],
  ['negative', () => -1],
  ['fraction', () => 1.5],
  ['string', () => '1'],
  ['BigInt', () => 10n],
];
const OTHER_VARIANTS: [string, () => unknown][] = [
  ['string', () => 'true'],
  ['undefined', () => undefined],
  ['cyclic', cyclic],
  ['invalid Date', () => new Date('x')],
];
const NODE_VARIANTS: [string, (v: object) => unknown][] = [
  ['extra field', (v) => (Array.isArray(v) ? v : { ...v, extraField: 'x' })],
  ['deep nesting', () => deep(2000)],
  ['huge array', () => Array.from({ length: 10_000 }, () => ({ name: 'A', value: 'x' }))],
  ['cyclic', (v) => (Array.isArray(v) ? cyclic() : { ...v, self: cyclic() })],
];

type Mutant = { name: string; input: () => unknown };
type Pick = <T>(items: T[], n: number) => T[];

function setAt(root: unknown, path: (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  const copy = (Array.isArray(root) ? [...root] : { ...(root as object) }) as Record<
    string | number,
    unknown
  >;
  copy[head!] = setAt(copy[head!], rest, value);
  return copy;
}

/**
 * Every leaf and node of a valid input, replaced by bad values of its kind: every text by a NUL and by a lone
 * surrogate, every number by an int32 overflow, and each by one more bad value picked by `pick`.
 */
function mutants(seed: unknown, pick: Pick): Mutant[] {
  const out: Mutant[] = [];
  const walk = (v: unknown, path: (string | number)[]) => {
    const at = path.join('.') || '(input)';
    const put = <T>(variants: [string, T][], always: number, apply: (f: T) => unknown) => {
      for (const [name, f] of [...variants.slice(0, always), ...pick(variants.slice(always), 1)])
        out.push({ name: `${at}: ${name}`, input: () => setAt(seed, path, apply(f)) });
    };
    if (typeof v === 'string') put(STRING_VARIANTS, 2, (f) => f(v));
    else if (typeof v === 'number') put(NUMBER_VARIANTS, 1, (f) => f());
    else if (v !== null && typeof v === 'object') {
      put(NODE_VARIANTS, 0, (f) => f(v));
      for (const [k, child] of Object.entries(v)) walk(child, [...path, Array.isArray(v) ? Number(k) : k]);
    } else put(OTHER_VARIANTS, 0, (f) => f());
  };
  walk(seed, []);
  return out;
}

// ------------------------------------------------------------------------------------------------ seeds

const SEEDS: Record<string, () => unknown> = {
  'auth.setup': () => ({ email: 'fuzz-setup@test.local', name: 'f', password: 'long-enough-pw' }),
  'auth.signIn': () => ({ email: 'fuzz-target@test.local', password: 'a-wrong-password' }),
  'services.create': () => ({
    name: 'fuzz-created',
    description: 'd',
    spec: sampleSpec({ env: [{ name: 'A', value: 'v' }], labels: { team: 'x' } }),
    replicas: 1,
    deploy: false,
  }),
  'services.deploy': () => ({ serviceId: fixture.serviceId, spec: sampleSpec(), reason: 'r' }),
  'services.redeploy': () => ({ serviceId: fixture.serviceId, revision: 1, reason: 'r' }),
  'services.delete': () => ({ serviceId: NO_SUCH_ID }),
  'services.restartReplica': () => ({
    serviceId: fixture.serviceId,
    containerId: 'a'.repeat(64),
    reason: 'r',
  }),
  'services.logs': () => ({ serviceId: fixture.serviceId, lines: 10, search: 's' }),
  'users.create': () => ({
    email: 'fuzz-user@test.local',
    name: 'n',
    password: 'long-enough-pw',
    role: 'viewer',
  }),
  'users.setRole': () => ({ userId: fixture.userId, role: 'viewer' }),
  'registries.save': () => ({ host: 'fuzz.example.com', username: 'u', password: 'p' }),
  'registries.delete': () => ({ id: NO_SUCH_ID }),
};

/** A plausible input from a zod schema, for a procedure without a seed of its own. */
function exampleOf(schema: z.ZodType | undefined, key = ''): unknown {
  if (!schema) return undefined;
  const zod = (schema as unknown as { _zod: { def: Record<string, unknown>; bag: Record<string, unknown> } })
    ._zod;
  const def = zod.def;
  const inner = (k: string) => exampleOf(def[k] as z.ZodType, key);
  switch (def.type) {
    case 'object':
      return Object.fromEntries(
        Object.entries(def.shape as Record<string, z.ZodType>).map(([k, s]) => [k, exampleOf(s, k)]),
      );
    case 'string': {
      if (zod.bag.format === 'uuid')
        return (fixture as Record<string, string>)[key] ?? (key === 'id' ? NO_SUCH_ID : fixture.serviceId);
      if (zod.bag.format === 'email') return 'fuzz-example@test.local';
      return 'x'.repeat(Math.max(1, Number(zod.bag.minimum ?? 1)));
    }
    case 'number':
      return Number.isFinite(zod.bag.minimum) ? Number(zod.bag.minimum) : 1;
    case 'boolean':
      return false;
    case 'enum':
      return Object.values(def.entries as Record<string, unknown>)[0];
    case 'literal':
      return (def.values as unknown[])[0];
    case 'array':
      return [];
    case 'record':
      return {};
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
      return inner('innerType');
    case 'pipe':
      return inner('in');
    case 'union':
      return exampleOf((def.options as z.ZodType[])[0], key);
    default:
      return undefined;
  }
}

const seedOf = (path: string, proc: Procedure) => (SEEDS[path] ?? (() => exampleOf(proc._def.inputs[0])))();

// ------------------------------------------------------------------------------------------ the calls

/** A fixed pseudo-random sequence (mulberry32), so every run fuzzes the same inputs. */
function sampler(seed: number) {
  let a = seed;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return <T>(items: T[], n: number): T[] => {
    const pool = [...items];
    for (let i = pool.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [pool[i], pool[j]] = [pool[j]!, pool[i]!];
    }
    return pool.slice(0, n);
  };
}

function caller(role: Role | null) {
  return createCaller({
    deps: h,
    actor: role ? actors[role]! : null,
    origin: { ip: '203.0.113.7', userAgent: 'fuzz' },
    sessionToken: undefined,
    resHeaders: new Headers(),
  });
}

async function call(role: Role | null, path: string, type: Procedure['_def']['type'], input: unknown) {
  let fn: unknown = caller(role);
  for (const part of path.split('.')) fn = (fn as Record<string, unknown>)[part];
  const result = await (fn as (i: unknown) => Promise<unknown>)(input);
  if (type === 'subscription') {
    const iterator = (result as AsyncIterable<unknown>)[Symbol.asyncIterator]();
    try {
      await iterator.next();
    } finally {
      await iterator.return?.();
    }
  }
}

/** Why an error is not an acceptable refusal, or null when it is one. */
function unacceptable(err: unknown): string | null {
  if (!(err instanceof TRPCError)) return `threw ${String(err)}`;
  const status = getHTTPStatusCodeFromError(err);
  if (status >= 500) return `${status} ${err.code}: ${err.message.slice(0, 200)}`;
  if (!err.message.trim()) return `${err.code} without a message`;
  return null;
}

/** Rows of a raw query, from PGlite or node-postgres alike. */
const rowsOf = <T>(result: unknown) => (result as { rows: T[] }).rows;

let stateQuery = sql``;
/**
 * A digest of everything but the audit log and the sign-in limiter's counters (on PostgreSQL a table of
 * its own, which a refused sign-in is meant to change): what a refused call must leave as it was.
 */
const state = async () => rowsOf<{ digest: string }>(await h.db.execute(stateQuery))[0]!.digest;
const auditRows = async () => (await h.db.select({ n: count() }).from(auditLog))[0]!.n;

beforeAll(async () => {
  h = await makeHarness();
  for (const role of ROLES) if (role) actors[role] = (await h.as(role)).actor;
  const admin = caller('admin');
  fixture.serviceId = (
    await admin.services.create({ name: 'fuzz-target', spec: sampleSpec(), deploy: false })
  ).service.id;
  const other = await admin.services.create({ name: 'fuzz-deploying', spec: sampleSpec(), deploy: true });
  fixture.deploymentId = other.deployment!.id;
  fixture.userId = (
    await admin.users.create({
      email: 'fuzz-target@test.local',
      name: 't',
      password: 'long-enough-pw',
      role: 'viewer',
    })
  ).id;
  const tables = rowsOf<{ table_name: string }>(
    await h.db.execute(
      sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' and table_name not in ('audit_log', 'sign_in_throttle') order by table_name`,
    ),
  ).map((r) => r.table_name);
  stateQuery = sql.raw(
    `select md5(concat_ws(',', ${tables
      .map((t) => `(select md5(coalesce(string_agg(t::text, '|' order by t::text), '')) from "${t}" t)`)
      .join(', ')})) as digest`,
  );
});
afterAll(async () => h?.close());

describe('fuzz: every procedure × bad inputs × every role', () => {
  it('reads the procedures from the router', () => {
    expect(procedures.length).toBeGreaterThan(30);
    for (const [path, proc] of procedures)
      if (SEEDS[path]) expect(proc._def.inputs[0]!.safeParse(SEEDS[path]()).success, path).toBe(true);
  });

  const sample = sampler(14);
  for (const [path, proc] of procedures) {
    it(path, async () => {
      const type = proc._def.type;
      const seed = seedOf(path, proc);
      const inputs: Mutant[] = [
        ...WHOLE.map(([name, input]) => ({ name, input })),
        ...(seed === undefined ? [] : mutants(seed, sample)),
      ];
      const problems: string[] = [];
      let mutationCalls = 0;
      const auditBefore = await auditRows();
      // Queries change nothing by construction; after each mutation call the state is read again.
      let current = type === 'mutation' ? await state() : '';
      for (const role of ROLES)
        for (const { name, input } of inputs) {
          const err = await call(role, path, type, input()).then(
            () => null,
            (e: unknown) => e,
          );
          const why = err && unacceptable(err);
          if (why) problems.push(`${role ?? 'anonymous'} × ${name}: ${why}`);
          if (type !== 'mutation') continue;
          mutationCalls++;
          const now = await state();
          if (err && now !== current)
            problems.push(`${role ?? 'anonymous'} × ${name}: refused, but changed the database`);
          current = now;
        }
      expect(problems.slice(0, 15), `${problems.length} problem(s)`).toEqual([]);
      expect(await auditRows(), 'audit rows: one per mutation call').toBe(auditBefore + mutationCalls);
    });
  }
});

describe('fuzz over HTTP: what only the superjson transport carries', () => {
  let route: typeof import('@/app/api/trpc/[trpc]/route');
  let cookie = '';
  beforeAll(async () => {
    route = await import('@/app/api/trpc/[trpc]/route');
    const { token } = await createSession(h.db, actors.admin!.id, { ip: null, userAgent: 'fuzz' });
    cookie = `capstan_session=${token}`;
  });

  const bodies: [string, () => string][] = [
    ['cyclic references', () => JSON.stringify(superjson.serialize(cyclic()))],
    ['a BigInt', () => JSON.stringify(superjson.serialize({ serviceId: NO_SUCH_ID, n: 10n ** 30n }))],
    [
      'an invalid Date',
      () => JSON.stringify(superjson.serialize({ serviceId: NO_SUCH_ID, at: new Date('x') })),
    ],
    ['a Map and a Set', () => JSON.stringify(superjson.serialize({ m: new Map([[1, 2]]), s: new Set([1]) }))],
    ['deep nesting', () => `{"json":${'{"d":'.repeat(5000)}1${'}'.repeat(5000)}}`],
    [
      'a broken superjson reference',
      () => '{"json":{"a":{}},"meta":{"referentialEqualities":{"a":["b.c.d"]}}}',
    ],
    ['a NUL byte', () => JSON.stringify({ json: { serviceId: NO_SUCH_ID, reason: 'a\u0000' } })],
    ['not JSON', () => '{"json":'],
  ];
  const mutations = procedures.filter(([, p]) => p._def.type === 'mutation').map(([path]) => path);

  for (const [name, body] of bodies)
    it(`answers ${name} with a 4xx at most, and audits every call`, async () => {
      const statuses: string[] = [];
      const auditBefore = await auditRows();
      let reached = 0;
      for (const path of mutations)
        for (const headers of [{ cookie }, {}] as Record<string, string>[]) {
          const before = await state();
          const res = await route.POST(
            new Request(`http://localhost/api/trpc/${path}`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', ...headers },
              body: body(),
            }),
          );
          const error = ((await res.json()) as { error?: { json?: { data?: { code?: string } } } }).error;
          if (res.status >= 500) statuses.push(`${path}: ${res.status} ${error?.json?.data?.code}`);
          if (res.status >= 400 && (await state()) !== before) statuses.push(`${path}: refused but changed`);
          reached++;
        }
      expect(statuses).toEqual([]);
      expect(await auditRows()).toBe(auditBefore + reached);
    });
});
