import { asc, count, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { sessions, users } from '@/db/schema';
import type { Db } from '@/db/client';
import { hashPassword } from '../auth/password';
import { assertRole } from '../auth/policy';
import type { createUserSchema, setDisabledSchema, setRoleSchema, setupSchema } from '../auth/schema';
import type { ServiceContext } from '../context';
import { Conflict, NotFound, Precondition, isUniqueViolation } from '../errors';

const publicUser = {
  id: users.id,
  email: users.email,
  name: users.name,
  role: users.role,
  disabled: users.disabled,
  createdAt: users.createdAt,
};

export async function needsSetup(db: Db): Promise<boolean> {
  const [row] = await db.select({ n: count() }).from(users);
  return (row?.n ?? 0) === 0;
}

/** First run: creates the first admin, only while there is no user at all. */
export async function setupFirstAdmin(db: Db, input: z.infer<typeof setupSchema>) {
  const passwordHash = await hashPassword(input.password);
  return db.transaction(async (tx) => {
    // Serialises concurrent first-run requests, so exactly one of them creates the admin.
    await tx.execute(sql`lock table users in share row exclusive mode`);
    const [row] = await tx.select({ n: count() }).from(users);
    if ((row?.n ?? 0) > 0) throw new Conflict('Capstan is already set up. Sign in instead.');
    const [user] = await tx
      .insert(users)
      .values({ email: input.email, name: input.name, passwordHash, role: 'admin' })
      .returning(publicUser);
    return user!;
  });
}

export async function createUser(ctx: ServiceContext, input: z.infer<typeof createUserSchema>) {
  assertRole(ctx.actor, 'admin');
  const passwordHash = await hashPassword(input.password);
  try {
    const [user] = await ctx.db
      .insert(users)
      .values({ email: input.email, name: input.name, passwordHash, role: input.role })
      .returning(publicUser);
    return user!;
  } catch (err) {
    if (isUniqueViolation(err))
      throw new Conflict(`A user with email ${input.email} exists already.`, { cause: err });
    throw err;
  }
}

export async function listUsers(ctx: ServiceContext) {
  assertRole(ctx.actor, 'admin');
  return ctx.db.select(publicUser).from(users).orderBy(asc(users.createdAt));
}

async function assertNotLastAdmin(ctx: ServiceContext, userId: string) {
  const admins = await ctx.db
    .select({ id: users.id, disabled: users.disabled })
    .from(users)
    .where(eq(users.role, 'admin'));
  const active = admins.filter((a) => !a.disabled);
  if (active.length === 1 && active[0]!.id === userId) {
    throw new Precondition('This is the last active admin: make another admin first.');
  }
}

export async function setRole(ctx: ServiceContext, input: z.infer<typeof setRoleSchema>) {
  assertRole(ctx.actor, 'admin');
  if (input.role !== 'admin') await assertNotLastAdmin(ctx, input.userId);
  const [user] = await ctx.db
    .update(users)
    .set({ role: input.role })
    .where(eq(users.id, input.userId))
    .returning(publicUser);
  if (!user) throw new NotFound('No such user.');
  return user;
}

export async function setDisabled(ctx: ServiceContext, input: z.infer<typeof setDisabledSchema>) {
  assertRole(ctx.actor, 'admin');
  if (input.disabled) await assertNotLastAdmin(ctx, input.userId);
  const user = await ctx.db.transaction(async (tx) => {
    const [u] = await tx
      .update(users)
      .set({ disabled: input.disabled })
      .where(eq(users.id, input.userId))
      .returning(publicUser);
    if (u && input.disabled) await tx.delete(sessions).where(eq(sessions.userId, u.id));
    return u;
  });
  if (!user) throw new NotFound('No such user.');
  return user;
}
