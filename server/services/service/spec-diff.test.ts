import crypto from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredSpec } from '@/db/schema';
import { sampleSpec } from '@/server/testing/harness';
import { SecretBox } from '../secrets/box';
import { serviceSpecSchema } from './schema';
import { publicSpec, summarizeChange, toStoredSpec } from './spec';
import {
  changeLines,
  describeChanges,
  diffSpecs,
  onlyLiveChanges,
  type DiffableSpec,
  type SpecChange,
} from './spec-diff';

const box = new SecretBox(crypto.randomBytes(32));

/**
 * A stored spec as deploy writes it: every field set, secrets sealed (kept from `previous` when there is
 * one, as the deploy form sends them), labels with keys of several lengths.
 */
const stored = (over: Record<string, unknown> = {}, previous: StoredSpec | null = null): StoredSpec =>
  toStoredSpec(
    serviceSpecSchema.parse(
      sampleSpec({
        env: [
          { name: 'MODE', value: 'fast' },
          previous
            ? { name: 'API_TOKEN', secret: true }
            : { name: 'API_TOKEN', value: 's3cret', secret: true },
        ],
        resources: {
          cpus: 2,
          memoryMb: 2048,
          cpuReservation: 1,
          memoryReservationMb: 1024,
          pidsLimit: 256,
        },
        labels: { team: 'payments', app: 'web', environment: 'prod', a: 'x' },
        endpointPort: 20001,
        ...over,
      }),
    ),
    box,
    previous,
  );

const base = stored();
const token = base.env.find((e) => e.name === 'API_TOKEN')!;
const mode = base.env.find((e) => e.name === 'MODE')!;

describe('diffSpecs on a spec read back from jsonb', () => {
  let pg: PGlite;
  beforeAll(async () => {
    pg = new PGlite();
    await pg.waitReady;
  });
  afterAll(async () => {
    await pg.close();
  });

  it('finds no change in an identical spec whose keys jsonb reordered', async () => {
    const { rows } = await pg.query<{ spec: StoredSpec }>('select $1::jsonb as spec', [JSON.stringify(base)]);
    const back = rows[0]!.spec;
    // The round trip does reorder keys (jsonb sorts them by length), so a JSON-text comparison would differ.
    expect(JSON.stringify(back.healthCheck)).not.toBe(JSON.stringify(base.healthCheck));
    expect(JSON.stringify(back.labels)).not.toBe(JSON.stringify(base.labels));
    expect(back).toEqual(base);

    expect(diffSpecs(base, back)).toEqual([]);
    expect(diffSpecs(back, base)).toEqual([]);
    expect(summarizeChange(base, back)).toBe('no change');
    expect(summarizeChange(back, base)).toBe('no change');
    expect(diffSpecs(publicSpec(back), publicSpec(base))).toEqual([]);
  });

  it('still sees a real change next to the reordered keys', async () => {
    const { rows } = await pg.query<{ spec: StoredSpec }>('select $1::jsonb as spec', [JSON.stringify(base)]);
    const next = stored({ healthCheck: { ...base.healthCheck, path: '/ready' } }, base);
    expect(summarizeChange(rows[0]!.spec, next)).toBe('health check path /healthz → /ready');
  });
});

type Case = {
  name: string;
  from: DiffableSpec | null;
  to: DiffableSpec;
  changes: SpecChange[];
  text: string;
};

const cases: Case[] = [
  {
    name: 'a new service',
    from: null,
    to: base,
    changes: [{ field: 'created', image: 'capstan-sample:v1' }],
    text: 'created with capstan-sample:v1',
  },
  {
    name: 'the same spec again (a kept secret is the same sealed value)',
    from: base,
    to: stored(
      {
        env: [
          { name: 'MODE', value: 'fast' },
          { name: 'API_TOKEN', secret: true },
        ],
      },
      base,
    ),
    changes: [],
    text: 'no change',
  },
  {
    name: 'a legacy revision with a replica count',
    from: { ...base, replicas: 2 },
    to: { ...base, replicas: 5 },
    changes: [],
    text: 'no change',
  },
  {
    name: 'image tag and port',
    from: base,
    to: { ...base, tag: 'v2', port: 9090 },
    changes: [
      { field: 'image', from: 'capstan-sample:v1', to: 'capstan-sample:v2' },
      { field: 'port', from: 8080, to: 9090 },
    ],
    text: 'image capstan-sample:v1 → capstan-sample:v2; port 8080 → 9090',
  },
  {
    name: 'env added, removed and changed, by name whatever the order',
    from: base,
    to: {
      ...base,
      env: [
        { name: 'LEVEL', value: 'debug', secret: false },
        { name: 'API_TOKEN', value: box.seal('s3cret'), secret: true },
        { name: 'DB_PASSWORD', value: box.seal('pw'), secret: true },
      ],
    },
    changes: [
      { field: 'env', name: 'API_TOKEN', change: 'changed', secret: true },
      { field: 'env', name: 'DB_PASSWORD', change: 'added', secret: true },
      { field: 'env', name: 'LEVEL', change: 'added', secret: false },
      { field: 'env', name: 'MODE', change: 'removed', secret: false },
    ],
    text: 'env API_TOKEN changed (secret); env DB_PASSWORD added (secret); env LEVEL added; env MODE removed',
  },
  {
    name: 'a plain value changed, and env order alone',
    from: base,
    to: { ...base, env: [token, { ...mode, value: 'slow' }] },
    changes: [{ field: 'env', name: 'MODE', change: 'changed', secret: false, from: 'fast', to: 'slow' }],
    text: 'env MODE "fast" → "slow"',
  },
  {
    name: 'a variable made secret, another made plain',
    from: base,
    to: {
      ...base,
      env: [
        { name: 'MODE', value: box.seal('fast'), secret: true },
        { name: 'API_TOKEN', value: 'visible', secret: false },
      ],
    },
    changes: [
      { field: 'env', name: 'API_TOKEN', change: 'made plain', secret: false },
      { field: 'env', name: 'MODE', change: 'made secret', secret: true },
    ],
    text: 'env API_TOKEN made plain; env MODE made secret',
  },
  {
    name: 'in the browser, a kept secret (null) is no change',
    from: publicSpec(base),
    to: publicSpec(base),
    changes: [],
    text: 'no change',
  },
  {
    name: 'in the browser, a newly typed secret',
    from: publicSpec(base),
    to: { ...publicSpec(base), env: [mode, { name: 'API_TOKEN', value: 'typed', secret: true }] },
    changes: [{ field: 'env', name: 'API_TOKEN', change: 'changed', secret: true }],
    text: 'env API_TOKEN changed (secret)',
  },
  {
    name: 'each health check field',
    from: base,
    to: {
      ...base,
      healthCheck: {
        type: 'tcp',
        path: '/ready',
        intervalSeconds: 5,
        timeoutSeconds: 2,
        healthyThreshold: 2,
        unhealthyThreshold: 4,
        startPeriodSeconds: 30,
      },
    },
    changes: [
      { field: 'healthCheck', key: 'type', from: 'http', to: 'tcp' },
      { field: 'healthCheck', key: 'path', from: '/healthz', to: '/ready' },
      { field: 'healthCheck', key: 'intervalSeconds', from: 0.5, to: 5 },
      { field: 'healthCheck', key: 'timeoutSeconds', from: 1, to: 2 },
      { field: 'healthCheck', key: 'healthyThreshold', from: 1, to: 2 },
      { field: 'healthCheck', key: 'unhealthyThreshold', from: 2, to: 4 },
      { field: 'healthCheck', key: 'startPeriodSeconds', from: 2, to: 30 },
    ],
    text:
      'health check type http → tcp; health check path /healthz → /ready; health check interval 0.5 s → 5 s; ' +
      'health check timeout 1 s → 2 s; health check healthy threshold 1 → 2; ' +
      'health check unhealthy threshold 2 → 4; health check start period 2 s → 30 s',
  },
  {
    name: 'a revision stored before reservations existed, against the same limits with null reservations',
    from: { ...base, resources: { cpus: 2, memoryMb: 512 } },
    to: {
      ...base,
      resources: { cpus: 2, memoryMb: 512, cpuReservation: null, memoryReservationMb: null, pidsLimit: null },
    },
    changes: [],
    text: 'no change',
  },
  {
    name: 'each resources field, null shown as none',
    from: base,
    to: {
      ...base,
      resources: {
        cpus: 0.5,
        memoryMb: null,
        cpuReservation: 0.25,
        memoryReservationMb: 256,
        pidsLimit: null,
      },
    },
    changes: [
      { field: 'resources', key: 'cpus', from: 2, to: 0.5 },
      { field: 'resources', key: 'memoryMb', from: 2048, to: null },
      { field: 'resources', key: 'cpuReservation', from: 1, to: 0.25 },
      { field: 'resources', key: 'memoryReservationMb', from: 1024, to: 256 },
      { field: 'resources', key: 'pidsLimit', from: 256, to: null },
    ],
    text:
      'CPU limit 2 CPU → 0.5 CPU; memory limit 2048 MiB → none; CPU reservation 1 CPU → 0.25 CPU; ' +
      'memory reservation 1024 MiB → 256 MiB; PIDs limit 256 → none',
  },
  {
    name: 'strategy fields, with seconds where the field is a duration',
    from: base,
    to: {
      ...base,
      strategy: { maxSurge: 2, maxUnavailable: 1, minReadySeconds: 1.5, progressDeadlineSeconds: 600 },
    },
    changes: [
      { field: 'strategy', key: 'maxSurge', from: 1, to: 2 },
      { field: 'strategy', key: 'maxUnavailable', from: 0, to: 1 },
      { field: 'strategy', key: 'minReadySeconds', from: 0, to: 1.5 },
      { field: 'strategy', key: 'progressDeadlineSeconds', from: 120, to: 600 },
    ],
    text: 'max surge 1 → 2; max unavailable 0 → 1; min ready 0 s → 1.5 s; progress deadline 120 s → 600 s',
  },
  {
    name: 'a revision stored before strategies existed reads as the defaults',
    from: { ...base, strategy: undefined },
    to: {
      ...base,
      strategy: { maxSurge: 1, maxUnavailable: 0, minReadySeconds: 5, progressDeadlineSeconds: 300 },
    },
    changes: [{ field: 'strategy', key: 'minReadySeconds', from: 0, to: 5 }],
    text: 'min ready 0 s → 5 s',
  },
  {
    name: 'label maps with keys of different lengths in another order',
    from: { ...base, labels: { team: 'payments', app: 'web', environment: 'prod', a: 'x' } },
    to: { ...base, labels: { a: 'x', environment: 'prod', app: 'web', team: 'payments' } },
    changes: [],
    text: 'no change',
  },
  {
    name: 'labels added, removed and changed',
    from: base,
    to: { ...base, labels: { team: 'checkout', app: 'web', tier: 'front', a: 'x' } },
    changes: [
      { field: 'label', key: 'environment', from: 'prod', to: null },
      { field: 'label', key: 'team', from: 'payments', to: 'checkout' },
      { field: 'label', key: 'tier', from: null, to: 'front' },
    ],
    text: 'label environment removed; label team "payments" → "checkout"; label tier added ("front")',
  },
  {
    name: 'legacy labels and endpoint port absent read as empty and auto',
    from: { ...base, labels: undefined, endpointPort: undefined },
    to: { ...base, labels: {}, endpointPort: null },
    changes: [],
    text: 'no change',
  },
  {
    name: 'endpoint port',
    from: base,
    to: { ...base, endpointPort: 20002 },
    changes: [{ field: 'endpointPort', from: 20001, to: 20002 }],
    text: 'endpoint port 20001 → 20002',
  },
];

describe('diffSpecs and describeChanges', () => {
  it.each(cases)('$name', ({ from, to, changes, text }) => {
    expect(diffSpecs(from, to)).toEqual(changes);
    expect(describeChanges(diffSpecs(from, to))).toBe(text);
    expect(changeLines(diffSpecs(from, to))).toEqual(changes.length ? text.split('; ') : []);
  });

  it('never carries a secret, sealed or plain, in a change', () => {
    const next = stored({ env: [{ name: 'API_TOKEN', value: 'n3w-secret', secret: true }] }, base);
    const changes = diffSpecs(base, next);
    expect(changes).toEqual([
      { field: 'env', name: 'API_TOKEN', change: 'changed', secret: true },
      { field: 'env', name: 'MODE', change: 'removed', secret: false },
    ]);
    const text = JSON.stringify(changes) + describeChanges(changes);
    for (const secret of ['s3cret', 'n3w-secret', token.value, next.env[0]!.value])
      expect(text).not.toContain(secret);
  });

  it('shows the start of a long plain value', () => {
    const long = 'x'.repeat(100);
    expect(describeChanges(diffSpecs(base, { ...base, env: [token, { ...mode, value: long }] }))).toBe(
      `env MODE "fast" → "${'x'.repeat(39)}…"`,
    );
  });

  it('summarizes a new service and a deploy for the revision history', () => {
    expect(summarizeChange(null, base)).toBe('created with capstan-sample:v1');
    expect(summarizeChange(base, stored({ tag: 'v2' }, base))).toBe(
      'image capstan-sample:v1 → capstan-sample:v2',
    );
  });
});

describe('onlyLiveChanges', () => {
  const limits = (r: Partial<StoredSpec['resources']>): StoredSpec => ({
    ...base,
    resources: { ...base.resources, ...r },
  });
  const live: [string, DiffableSpec | null, DiffableSpec, boolean][] = [
    ['nothing changed', base, base, false],
    ['a new service', null, base, false],
    ['the CPU limit', base, limits({ cpus: 1 }), true],
    ['the memory limit and the PIDs limit', base, limits({ memoryMb: 4096, pidsLimit: 512 }), true],
    ['the reservations', base, limits({ cpuReservation: 0.5, memoryReservationMb: null }), true],
    ['a limit lifted', base, limits({ cpus: null }), true],
    ['a limit and the tag', base, { ...limits({ cpus: 1 }), tag: 'v2' }, false],
    ['a limit and an env var', base, { ...limits({ cpus: 1 }), env: [mode] }, false],
    ['a label', base, { ...base, labels: {} }, false],
    ['the health check', base, { ...base, healthCheck: { ...base.healthCheck, path: '/ready' } }, false],
    ['the strategy', base, { ...base, strategy: { ...base.strategy!, maxSurge: 3 } }, false],
    ['a legacy replica count only', { ...base, replicas: 1 }, { ...base, replicas: 3 }, false],
  ];
  it.each(live)('%s', (_name, from, to, expected) => {
    expect(onlyLiveChanges(diffSpecs(from, to))).toBe(expected);
  });
});
