import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeHarness, type Harness } from '@/server/testing/harness';
import { Conflict, Unauthorized } from '../errors';
import { needsSetup, setDisabled, setupFirstAdmin } from '../users/manage';
import { resolveSession, signIn, signOut } from './sessions';

let h: Harness;
beforeAll(async () => {
  h = await makeHarness();
});
afterAll(async () => h?.close());

const origin = { ip: '127.0.0.1', userAgent: 'vitest' };
let adminEmail = '';

describe('first run and sessions', () => {
  it('creates exactly one first admin, even when asked twice at once', async () => {
    expect(await needsSetup(h.db)).toBe(true);
    const input = { email: 'root@test.local', name: 'Root', password: 'correct horse battery' };
    const results = await Promise.allSettled([
      setupFirstAdmin(h.db, input),
      setupFirstAdmin(h.db, { ...input, email: 'other@test.local' }),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    adminEmail = (won[0] as PromiseFulfilledResult<{ email: string }>).value.email;
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason).toBeInstanceOf(Conflict);
    expect(await needsSetup(h.db)).toBe(false);
  });

  it('signs in with the right password only, and signs out', async () => {
    await expect(
      signIn(h, { email: adminEmail, password: 'wrong password!' }, origin),
    ).rejects.toBeInstanceOf(Unauthorized);
    await expect(signIn(h, { email: 'nobody@test.local', password: 'whatever' }, origin)).rejects.toThrow(
      'Email or password is wrong.',
    );
    const { token, user } = await signIn(h, { email: adminEmail, password: 'correct horse battery' }, origin);
    expect(user.role).toBe('admin');
    expect(await resolveSession(h.db, token, origin)).toMatchObject({ email: adminEmail, role: 'admin' });
    expect(await resolveSession(h.db, token + 'x', origin)).toBeNull();
    await signOut(h.db, token);
    expect(await resolveSession(h.db, token, origin)).toBeNull();
  });

  it('ends the sessions of a disabled user and refuses to disable the last admin', async () => {
    const admin = await h.as('admin');
    const { token, user } = await signIn(h, { email: adminEmail, password: 'correct horse battery' }, origin);
    await setDisabled(admin, { userId: user.id, disabled: true });
    expect(await resolveSession(h.db, token, origin)).toBeNull();
    await expect(setDisabled(admin, { userId: admin.actor.id, disabled: true })).rejects.toThrow(
      /last active admin/,
    );
  });
});
