import crypto from 'node:crypto';
import { and, eq, gt, lt } from 'drizzle-orm';
import { z } from 'zod';
import { sessions, users } from '@/db/schema';
import type { Db } from '@/db/client';
import type { UserActor } from '../context';
import { Unauthorized } from '../errors';
import { verifyPassword } from './password';
import type { signInSchema } from './schema';
import type { SignInThrottle } from './sign-in-throttle';

export const SESSION_COOKIE = 'capstan_session';
export const SESSION_TTL_MS = 7 * 24 * 3600 * 1000;

const digest = (token: string) => crypto.createHash('sha256').update(token).digest('hex');

export type Origin = { ip: string | null; userAgent: string | null };

export async function createSession(db: Db, userId: string, origin: Origin) {
  const token = crypto.randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + SESSION_TTL_MS);
  await db
    .insert(sessions)
    .values({ id: digest(token), userId, expiresAt, ip: origin.ip, userAgent: origin.userAgent });
  return { token, expiresAt };
}

// A fixed hash to verify against when the email is unknown, so timing does not tell which emails exist.
const DUMMY_HASH =
  '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$1Q3JvR2n8hJb0Vb4kQ0v2b8b8J0S3s1iQ8l3o2s0b1c';

/** Checks the password, throttled per account and address (TooManyAttempts), and opens a session. */
export async function signIn(
  { db, signInThrottle }: { db: Db; signInThrottle: SignInThrottle },
  input: z.infer<typeof signInSchema>,
  origin: Origin,
) {
  const attempt = await signInThrottle.admit(input.email, origin.ip);
  const [user] = await db.select().from(users).where(eq(users.email, input.email)).limit(1);
  const ok = await verifyPassword(user?.passwordHash ?? DUMMY_HASH, input.password);
  if (!user || !ok || user.disabled) throw new Unauthorized('Email or password is wrong.');
  await attempt.succeeded();
  const session = await createSession(db, user.id, origin);
  return { ...session, user: { id: user.id, email: user.email, name: user.name, role: user.role } };
}

export async function signOut(db: Db, token: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.id, digest(token)));
}

export async function resolveSession(
  db: Db,
  token: string | undefined,
  origin: Origin,
): Promise<UserActor | null> {
  if (!token) return null;
  const [row] = await db
    .select({ id: users.id, email: users.email, role: users.role, disabled: users.disabled })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.id, digest(token)), gt(sessions.expiresAt, new Date())))
    .limit(1);
  if (!row || row.disabled) return null;
  return { kind: 'user', id: row.id, email: row.email, role: row.role, ...origin };
}

export async function purgeExpiredSessions(db: Db): Promise<void> {
  await db.delete(sessions).where(lt(sessions.expiresAt, new Date()));
}
