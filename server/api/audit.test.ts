import { TRPCError } from '@trpc/server';
import { count, desc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, users, type Role } from '@/db/schema';
import { makeHarness, type Harness } from '@/server/testing/harness';
import { createCaller } from './root';
import type { TrpcContext } from './trpc';

let h: Harness;
const actors: Partial<Record<Role, TrpcContext['actor']>> = {};

beforeAll(async () => {
  h = await makeHarness();
  actors.admin = (await h.as('admin')).actor;
});
afterAll(async () => h?.close());

const caller = () =>
  createCaller({
    deps: h,
    actor: actors.admin!,
    origin: { ip: '203.0.113.9', userAgent: 'vitest' },
    sessionToken: undefined,
    resHeaders: new Headers(),
  });

const auditCount = async () => (await h.db.select({ n: count() }).from(auditLog))[0]!.n;
const lastAudit = async () => (await h.db.select().from(auditLog).orderBy(desc(auditLog.id)).limit(1))[0]!;

function cyclic() {
  const o: Record<string, unknown> = { a: 1 };
  o.self = o;
  return o;
}
function deep(levels: number) {
  let o: unknown = 'bottom';
  for (let i = 0; i < levels; i++) o = { d: o };
  return o;
}

/** Values that broke the audit write; each rides along a valid input as a field the schema strips. */
const awkward: [string, unknown][] = [
  ['a NUL byte', 'a\u0000b'],
  ['a lone surrogate', 'a\ud800b'],
  ['a NUL byte in a key', { 'k\u0000': 1 }],
  ['a cyclic reference', cyclic()],
  ['deep nesting', deep(5000)],
  ['an invalid Date', new Date('nope')],
  ['a BigInt', 10n ** 30n],
  ['a Map and a Set', { m: new Map([[1, 2]]), s: new Set([1]) }],
  ['NaN and Infinity', [Number.NaN, Number.POSITIVE_INFINITY]],
];

describe('the audit of every mutation', () => {
  let n = 0;
  for (const [what, value] of awkward) {
    it(`records a successful mutation whose input holds ${what}`, async () => {
      const email = `awkward-${++n}@test.local`;
      const before = await auditCount();
      const input = { email, name: 'a', password: 'long-enough-pw', role: 'viewer', extra: value };
      await expect(caller().users.create(input as never)).resolves.toMatchObject({ email });
      expect(await auditCount()).toBe(before + 1);
      const row = await lastAudit();
      expect(row).toMatchObject({ action: 'users.create', target: email, outcome: 'ok' });
      expect(JSON.stringify(row.input)).not.toContain('long-enough-pw');
      expect(JSON.stringify(row.input).length).toBeLessThan(8192);
    });
  }

  it('stores a refused input truncated, with its secrets redacted', async () => {
    const huge = 'x'.repeat(5_000_000);
    await expect(
      caller().users.create({
        email: 'huge@test.local',
        name: huge,
        password: { nested: 'hunter2-but-longer' },
        role: 'viewer',
      } as never),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    const row = await lastAudit();
    expect(row).toMatchObject({ action: 'users.create', outcome: 'error' });
    const stored = JSON.stringify(row.input);
    expect(stored.length).toBeLessThan(8192);
    expect(stored).not.toContain('hunter2');
  });

  it('refuses a mutation it cannot audit, and changes nothing', async () => {
    await h.db.execute(sql`alter table audit_log rename to audit_log_away`);
    try {
      const err = await caller()
        .users.create({
          email: 'unaudited@test.local',
          name: 'u',
          password: 'long-enough-pw',
          role: 'viewer',
        })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TRPCError);
      expect(err).toMatchObject({ code: 'SERVICE_UNAVAILABLE', message: expect.stringMatching(/audit/i) });
    } finally {
      await h.db.execute(sql`alter table audit_log_away rename to audit_log`);
    }
    expect(await h.db.select().from(users).where(eq(users.email, 'unaudited@test.local'))).toEqual([]);
  });
});
