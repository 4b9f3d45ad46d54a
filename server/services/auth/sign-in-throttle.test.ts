import { TRPCError } from '@trpc/server';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createCaller } from '@/server/api/root';
import { makeHarness, type Harness } from '@/server/testing/harness';
import { TooManyAttempts } from '../errors';
import { createUser } from '../users/manage';
import {
  memoryStore,
  postgresStore,
  SIGN_IN_RULES,
  SignInThrottle,
  type ThrottleRule,
} from './sign-in-throttle';

let h: Harness;
beforeAll(async () => {
  h = await makeHarness();
});
afterAll(async () => h?.close());
afterEach(() => {
  vi.useRealTimers();
});

// The store Capstan would use here: PostgreSQL when the suite runs on it, memory on PGlite.
const store = () => (h.handle.pool ? postgresStore(h.handle.pool) : memoryStore());
let n = 0;
const email = () => `user-${++n}-${Math.random().toString(36).slice(2, 6)}@test.local`;
const LOOSE: ThrottleRule = { free: 1000, minWaitS: 1, maxWaitS: 1, lifetimeS: 3600 };

async function refusal(p: Promise<unknown>): Promise<number | null> {
  try {
    await p;
    return null;
  } catch (err) {
    if (err instanceof TooManyAttempts) return err.retryAfterSeconds;
    throw err;
  }
}

describe('sign-in throttling', () => {
  it('answers a run of wrong passwords with 429 and Retry-After, not a password check each', async () => {
    const admin = await h.as('admin');
    await createUser(admin, {
      email: 'victim@test.local',
      name: 'v',
      password: 'the-right-one!',
      role: 'viewer',
    });
    const resHeaders = new Headers();
    const caller = createCaller({
      deps: h,
      actor: null,
      origin: { ip: '203.0.113.50', userAgent: 'vitest' },
      sessionToken: undefined,
      resHeaders,
    });
    const codes: string[] = [];
    for (let i = 0; i < 30; i++) {
      const err = await caller.auth.signIn({ email: 'victim@test.local', password: `guess-${i}` }).then(
        () => null,
        (e: unknown) => e as TRPCError,
      );
      codes.push(err?.code ?? 'OK');
    }
    const checked = codes.filter((c) => c === 'UNAUTHORIZED').length;
    // Five free guesses, then one per growing wait (1 s, 2 s, …): not one check per guess.
    expect(checked).toBeLessThanOrEqual(SIGN_IN_RULES.accountAndAddress.free + 2);
    expect(codes.at(-1)).toBe('TOO_MANY_REQUESTS');
    expect(Number(resHeaders.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });

  it('makes each wait longer than the last, up to the cap', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const rules = {
      accountAndAddress: { free: 2, minWaitS: 1, maxWaitS: 4, lifetimeS: 3600 },
      account: LOOSE,
      address: LOOSE,
    };
    const throttle = await SignInThrottle.open(store(), rules);
    const who = email();
    expect(await refusal(throttle.admit(who, '198.51.100.1'))).toBeNull();
    expect(await refusal(throttle.admit(who, '198.51.100.1'))).toBeNull();
    const waits: number[] = [];
    for (let i = 0; i < 4; i++) {
      // The first attempt past the free ones goes through and opens the next wait.
      expect(await refusal(throttle.admit(who, '198.51.100.1'))).toBeNull();
      const wait = (await refusal(throttle.admit(who, '198.51.100.1')))!;
      waits.push(wait);
      vi.setSystemTime(Date.now() + wait * 1000);
    }
    expect(waits).toEqual([1, 2, 4, 4]);
    // Another address is not held up by this one's guesses.
    expect(await refusal(throttle.admit(who, '198.51.100.2'))).toBeNull();
  });

  it('lets one of many attempts arriving together through once the free ones are used', async () => {
    const rules = {
      accountAndAddress: { free: 1, minWaitS: 60, maxWaitS: 60, lifetimeS: 3600 },
      account: LOOSE,
      address: LOOSE,
    };
    const throttle = await SignInThrottle.open(store(), rules);
    const who = email();
    const results = await Promise.all(
      Array.from({ length: 12 }, () => refusal(throttle.admit(who, '198.51.100.3'))),
    );
    // One free attempt and the one that opened the first wait.
    expect(results.filter((r) => r === null)).toHaveLength(2);
  });

  it('keeps an account open to the address it signs in from, however many guesses come from elsewhere', async () => {
    const throttle = await SignInThrottle.open(store());
    const who = email();
    const home = '192.0.2.10';
    await (await throttle.admit(who, home)).succeeded();
    await new Promise((r) => setTimeout(r, 20)); // a store's expiry timers get their turn
    // A botnet: each address guesses once, under its own limits, until the account's own run out.
    let refused: number | null = null;
    for (let i = 0; i < 40 && refused === null; i++)
      refused = await refusal(throttle.admit(who, `10.9.0.${i}`));
    expect(refused).not.toBeNull();
    // From somewhere new the real user waits at most the account's cap, not hours...
    expect(refused!).toBeLessThanOrEqual(SIGN_IN_RULES.account.maxWaitS);
    // ...and from where they signed in before, not at all.
    expect(await refusal(throttle.admit(who, home))).toBeNull();
  });

  it('slows one address trying many accounts, and a success does not count against it', async () => {
    const throttle = await SignInThrottle.open(store());
    const ip = '198.51.100.77';
    for (let i = 0; i < 5; i++) await (await throttle.admit(email(), ip)).succeeded();
    let refusedAt: number | null = null;
    for (let i = 0; i < 40 && refusedAt === null; i++) {
      if ((await refusal(throttle.admit(email(), ip))) !== null) refusedAt = i;
    }
    // The free attempts and the one that opened the first wait, whatever succeeded before.
    expect(refusedAt).toBe(SIGN_IN_RULES.address.free + 1);
  });

  it('clears the count of an account and address when the password was right', async () => {
    const throttle = await SignInThrottle.open(store());
    const who = email();
    for (let i = 0; i < SIGN_IN_RULES.accountAndAddress.free; i++) await throttle.admit(who, '192.0.2.20');
    await (await throttle.admit(who, '192.0.2.20')).succeeded();
    for (let i = 0; i < SIGN_IN_RULES.accountAndAddress.free; i++)
      expect(await refusal(throttle.admit(who, '192.0.2.20'))).toBeNull();
    // On PostgreSQL the counts are in the database, shared by every Capstan process.
    if (h.handle.pool) {
      const { rows } = await h.handle.pool.query<{ n: number }>(
        'select count(*)::int as n from sign_in_throttle',
      );
      expect(rows[0]!.n).toBeGreaterThan(0);
    }
  });
});
