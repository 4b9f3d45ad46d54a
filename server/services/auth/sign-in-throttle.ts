import crypto from 'node:crypto';
import type { Pool } from 'pg';
import {
  RateLimiterMemory,
  RateLimiterPostgres,
  RateLimiterRes,
  type IRateLimiterOptions,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import { TooManyAttempts } from '../errors';

/**
 * One dimension of sign-in throttling: `free` attempts per `lifetimeS`, then each further attempt must wait
 * out a delay that starts at `minWaitS` and doubles up to `maxWaitS`.
 */
export type ThrottleRule = { free: number; minWaitS: number; maxWaitS: number; lifetimeS: number };

export const SIGN_IN_RULES = {
  /** Guesses at one account from one address: the brute force itself. A success clears it. */
  accountAndAddress: { free: 5, minWaitS: 1, maxWaitS: 15 * 60, lifetimeS: 3600 },
  /**
   * Guesses at one account from anywhere (an attacker with many addresses). Its waits stay short, and it
   * does not apply from an address the account signed in from before, so an attacker cannot keep the real
   * user out.
   */
  account: { free: 10, minWaitS: 1, maxWaitS: 60, lifetimeS: 3600 },
  /** One address trying many accounts. Not applied to an account from an address it signed in from. */
  address: { free: 20, minWaitS: 1, maxWaitS: 5 * 60, lifetimeS: 3600 },
} satisfies Record<string, ThrottleRule>;

/**
 * How long an address that signed in to an account counts as that account's own. The memory store expires
 * keys with setTimeout, which cannot wait longer than 2^31 ms (24.8 days).
 */
const KNOWN_FOR_S = 21 * 24 * 3600;

type Store = (opts: IRateLimiterOptions & { keyPrefix: string }) => Promise<RateLimiterAbstract>;

/** Where the counts live: this process's memory (PGlite, tests) or PostgreSQL (shared by every instance). */
export function memoryStore(): Store {
  return async (opts) => new RateLimiterMemory(opts);
}

export function postgresStore(pool: Pool, tableName = 'sign_in_throttle'): Store {
  let table: Promise<void> | null = null;
  return async (opts) => {
    // While PostgreSQL cannot be reached, counts go on in memory rather than letting every guess through.
    const insuranceLimiter = new RateLimiterMemory(opts);
    // The first limiter creates the table (the library's own statement); the others wait for it.
    let first = false;
    table ??= new Promise<void>((resolve, reject) => {
      first = true;
      new RateLimiterPostgres(
        { ...opts, keyPrefix: 'table', storeClient: pool, tableName, clearExpiredByTimeout: false },
        (err?: Error) => (err ? reject(err) : resolve()),
      );
    });
    await table;
    return new RateLimiterPostgres({
      ...opts,
      storeClient: pool,
      storeType: 'pool',
      tableName,
      tableCreated: true,
      // Expired rows are swept every 5 minutes, by one limiter for the whole table.
      clearExpiredByTimeout: first,
      insuranceLimiter,
    });
  };
}

/** Free attempts, then growing waits: express-brute's scheme on rate-limiter-flexible's counters. */
class Gate {
  private constructor(
    private readonly rule: ThrottleRule,
    private readonly free: RateLimiterAbstract,
    private readonly wait: RateLimiterAbstract,
    private readonly waits: RateLimiterAbstract,
  ) {}

  static async open(store: Store, name: string, rule: ThrottleRule): Promise<Gate> {
    const [free, wait, waits] = await Promise.all([
      store({ keyPrefix: `${name}:free`, points: rule.free, duration: rule.lifetimeS }),
      store({ keyPrefix: `${name}:wait`, points: 1, duration: rule.maxWaitS }),
      store({ keyPrefix: `${name}:waits`, points: 1, duration: rule.lifetimeS }),
    ]);
    return new Gate(rule, free, wait, waits);
  }

  /** 0 when the attempt may go ahead (and is counted); else the milliseconds to wait. */
  async pass(key: string): Promise<number> {
    const free = await this.free.consume(key).then(
      () => true,
      (err: unknown) => {
        if (err instanceof RateLimiterRes) return false;
        throw err;
      },
    );
    if (free) return 0;
    const [waiting, waited] = await Promise.all([this.wait.get(key), this.waits.get(key)]);
    if (waiting && waiting.msBeforeNext > 0) return waiting.msBeforeNext;
    const n = waited?.consumedPoints ?? 0;
    const seconds = Math.min(this.rule.minWaitS * 2 ** n, this.rule.maxWaitS);
    // Atomic in the store: of attempts arriving together, only the first opens the next window.
    const opened = await this.wait.penalty(key, 1, { customDuration: seconds });
    if (opened.consumedPoints > 1) return Math.max(1, opened.msBeforeNext);
    await this.waits.penalty(key, 1);
    return 0;
  }

  /** Takes back the count of an attempt that was refused elsewhere or succeeded. */
  async refund(key: string): Promise<void> {
    await this.free.reward(key, 1);
  }

  async clear(key: string): Promise<void> {
    await Promise.all([this.free.delete(key), this.wait.delete(key), this.waits.delete(key)]);
  }
}

const hash = (...parts: string[]) => crypto.createHash('sha256').update(parts.join('\0')).digest('base64url');

/**
 * Sign-in throttling per account, per address and per (account, address), with growing waits. Refused
 * attempts are not counted: hammering does not lengthen the wait. A success clears its (account, address)
 * count and makes the address the account's own for three weeks (exempt from the account- and address-wide
 * limits).
 */
export class SignInThrottle {
  private constructor(
    private readonly gates: Record<keyof typeof SIGN_IN_RULES, Gate>,
    private readonly known: RateLimiterAbstract,
  ) {}

  static async open(store: Store, rules = SIGN_IN_RULES): Promise<SignInThrottle> {
    const [accountAndAddress, account, address, known] = await Promise.all([
      Gate.open(store, 'signin-account-address', rules.accountAndAddress),
      Gate.open(store, 'signin-account', rules.account),
      Gate.open(store, 'signin-address', rules.address),
      store({ keyPrefix: 'signin-known', points: 1, duration: KNOWN_FOR_S }),
    ]);
    return new SignInThrottle({ accountAndAddress, account, address }, known);
  }

  /**
   * Counts an attempt, or throws TooManyAttempts with the seconds to wait. Resolve the returned attempt
   * with `succeeded()` when the password was right.
   */
  async admit(email: string, ip: string | null): Promise<{ succeeded: () => Promise<void> }> {
    const address = ip ?? 'unknown';
    const keys = {
      accountAndAddress: hash(email, address),
      account: hash(email),
      address: hash(address),
    };
    const known = (await this.known.get(keys.accountAndAddress)) !== null;
    const applied = (
      known ? (['accountAndAddress'] as const) : (['accountAndAddress', 'account', 'address'] as const)
    ).map((name) => ({ gate: this.gates[name], key: keys[name] }));
    const passed: typeof applied = [];
    for (const g of applied) {
      const waitMs = await g.gate.pass(g.key);
      if (waitMs > 0) {
        await Promise.all(passed.map((p) => p.gate.refund(p.key)));
        const seconds = Math.max(1, Math.ceil(waitMs / 1000));
        throw new TooManyAttempts(
          `Too many sign-in attempts. Try again in ${seconds} second${seconds === 1 ? '' : 's'}.`,
          seconds,
        );
      }
      passed.push(g);
    }
    return {
      succeeded: async () => {
        await Promise.all([
          this.gates.accountAndAddress.clear(keys.accountAndAddress),
          ...passed.filter((p) => p.gate !== this.gates.accountAndAddress).map((p) => p.gate.refund(p.key)),
          this.known.set(keys.accountAndAddress, 1, KNOWN_FOR_S),
        ]);
      },
    };
  }
}

/** Counts in PostgreSQL when Capstan runs on it (shared by every instance), else in this process. */
export function openSignInThrottle(pool: Pool | null): Promise<SignInThrottle> {
  return SignInThrottle.open(pool ? postgresStore(pool) : memoryStore());
}
