import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sampleSpec } from '@/server/testing/harness';
import { SecretBox } from '../secrets/box';
import { createServiceSchema, serviceSpecSchema } from './schema';
import { publicSpec, summarizeChange, toStoredSpec } from './spec';

describe('service spec', () => {
  it('explains bad input in words a person understands', () => {
    const r = createServiceSchema.safeParse({
      name: 'Bad Name',
      spec: sampleSpec({ port: 0, tag: 'v 1' }),
      replicas: 99,
    });
    expect(r.success).toBe(false);
    const messages = r.error!.issues.map((i) => i.message).join('\n');
    expect(messages).toMatch(/lowercase letters, digits and dashes/);
    expect(messages).toMatch(/Port must be 1–65535/);
    expect(messages).toMatch(/Tag must be/);
    expect(messages).toMatch(/Replicas must be a whole number 0–50/);
  });

  it('names each rollout strategy field and its range, and refuses a rollout that cannot progress', () => {
    const issues = (strategy: unknown) =>
      serviceSpecSchema
        .safeParse(sampleSpec({ strategy }))
        .error?.issues.map((i) => [i.path.join('.'), i.message]);
    expect(
      issues({ maxSurge: Number.NaN, maxUnavailable: 51, minReadySeconds: -1, progressDeadlineSeconds: 9.5 }),
    ).toEqual([
      ['strategy.maxSurge', 'Max surge must be a whole number 0–50'],
      ['strategy.maxUnavailable', 'Max unavailable must be a whole number 0–50'],
      ['strategy.minReadySeconds', 'Min ready must be 0–600 seconds'],
      ['strategy.progressDeadlineSeconds', 'Progress deadline must be a whole number of seconds, 10–3600'],
    ]);
    expect(issues({ maxSurge: 0, maxUnavailable: 0 })).toEqual([
      ['strategy', 'Max surge and max unavailable cannot both be 0'],
    ]);
    expect(serviceSpecSchema.parse(sampleSpec({ strategy: undefined })).strategy).toEqual({
      maxSurge: 1,
      maxUnavailable: 0,
      minReadySeconds: 0,
      progressDeadlineSeconds: 300,
    });
  });

  it('rejects duplicate env names and reserved labels', () => {
    const dup = serviceSpecSchema.safeParse(
      sampleSpec({
        env: [
          { name: 'A', value: '1' },
          { name: 'A', value: '2' },
        ],
      }),
    );
    expect(dup.error?.issues[0]?.message).toMatch(/once/);
    const label = serviceSpecSchema.safeParse(sampleSpec({ labels: { 'capstan.service': 'x' } }));
    expect(label.error?.issues[0]?.message).toMatch(/reserved/);
  });

  it('keeps a secret that is sent without a value, and needs a value for a new one', () => {
    const box = new SecretBox(crypto.randomBytes(32));
    const first = toStoredSpec(
      serviceSpecSchema.parse(sampleSpec({ env: [{ name: 'TOKEN', value: 't0p', secret: true }] })),
      box,
      null,
    );
    const kept = toStoredSpec(
      serviceSpecSchema.parse(sampleSpec({ env: [{ name: 'TOKEN', secret: true }] })),
      box,
      first,
    );
    expect(box.open(kept.env[0]!.value)).toBe('t0p');
    expect(publicSpec(kept).env[0]!.value).toBeNull();
    expect(() =>
      toStoredSpec(serviceSpecSchema.parse(sampleSpec({ env: [{ name: 'NEW', secret: true }] })), box, first),
    ).toThrow(/Secret NEW needs a value/);
    expect(summarizeChange(first, kept)).toBe('no change');
  });

  it('says in the revision history which strategy fields changed, and from what', () => {
    const box = new SecretBox(crypto.randomBytes(32));
    const stored = (strategy?: { maxSurge: number; maxUnavailable: number }) =>
      toStoredSpec(serviceSpecSchema.parse(sampleSpec({ strategy })), box, null);
    const before = stored();
    // A revision stored before strategies existed reads as the defaults.
    const legacy = { ...before, strategy: undefined };
    expect(summarizeChange(before, stored({ maxSurge: 2, maxUnavailable: 1 }))).toBe(
      'max surge 1 → 2; max unavailable 0 → 1',
    );
    expect(summarizeChange(legacy, stored({ maxSurge: 3, maxUnavailable: 0 }))).toBe('max surge 1 → 3');
    expect(summarizeChange(legacy, before)).toBe('no change');
  });
});

describe('messages the forms show beside a field', () => {
  it('name the health check field, the port and the label, blank numbers included', () => {
    const issues = (spec: Record<string, unknown>) =>
      serviceSpecSchema.safeParse(sampleSpec(spec)).error?.issues.map((i) => [i.path.join('.'), i.message]);
    expect(
      issues({
        healthCheck: {
          intervalSeconds: Number.NaN,
          timeoutSeconds: 61,
          healthyThreshold: 0.5,
          unhealthyThreshold: Number.NaN,
          startPeriodSeconds: -1,
        },
      }),
    ).toEqual([
      ['healthCheck.intervalSeconds', 'Health check interval must be 0.2–300 seconds'],
      ['healthCheck.timeoutSeconds', 'Health check timeout must be 0.1–60 seconds'],
      ['healthCheck.healthyThreshold', 'Healthy after must be a whole number 1–10'],
      ['healthCheck.unhealthyThreshold', 'Unhealthy after must be a whole number 1–10'],
      ['healthCheck.startPeriodSeconds', 'Start period must be 0–600 seconds'],
    ]);
    expect(issues({ port: Number.NaN })).toEqual([['port', 'Port must be 1–65535']]);
    expect(issues({ labels: { 'Bad Key': 'x', team: 'y'.repeat(257) } })).toEqual([
      ['labels.Bad Key', 'Label keys use lowercase letters, digits, . _ -'],
      ['labels.team', 'Label values can have at most 256 characters'],
    ]);
  });
});

describe('size limits of a spec', () => {
  const issues = (over: Record<string, unknown>) =>
    serviceSpecSchema.safeParse(sampleSpec(over)).error?.issues.map((i) => [i.path.join('.'), i.message]);
  const labels = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`l${i}`, 'v']));
  const env = (n: number, size = 1) =>
    Array.from({ length: n }, (_, i) => ({ name: `V${i}`, value: 'x'.repeat(size) }));

  it('takes 64 labels with keys of 128 characters, and no more', () => {
    expect(issues({ labels: labels(64) })).toBeUndefined();
    expect(issues({ labels: { ['k'.repeat(128)]: 'v' } })).toBeUndefined();
    expect(issues({ labels: labels(5000) })).toEqual([['labels', 'A service can have at most 64 labels']]);
    expect(issues({ labels: { ['k'.repeat(129)]: 'v' } })).toEqual([
      [`labels.${'k'.repeat(129)}`, 'Label keys can have at most 128 characters'],
    ]);
  });

  it('takes 200 environment variables of at most 128 KiB together, and no more', () => {
    expect(issues({ env: env(200) })).toBeUndefined();
    expect(issues({ env: env(4, 32_768) })).toBeUndefined();
    expect(issues({ env: env(201) })).toEqual([
      ['env', 'A service can have at most 200 environment variables'],
    ]);
    expect(issues({ env: env(5, 32_768) })).toEqual([
      ['env', 'Environment values can have at most 128 KiB together'],
    ]);
  });
});
