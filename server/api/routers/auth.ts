import { env } from '@/server/env';
import { setupSchema, signInSchema } from '@/server/services/auth/schema';
import { createSession, SESSION_COOKIE, signIn, signOut } from '@/server/services/auth/sessions';
import { TooManyAttempts } from '@/server/services/errors';
import { needsSetup, setupFirstAdmin } from '@/server/services/users/manage';
import { createTRPCRouter, publicProcedure, type TrpcContext } from '../trpc';

function setSessionCookie(ctx: TrpcContext, token: string, expires: Date | null) {
  const secure = env().CAPSTAN_SECURE_COOKIES === 'true' ? '; Secure' : '';
  const expiry = expires ? `; Expires=${expires.toUTCString()}` : '; Max-Age=0';
  ctx.resHeaders?.append(
    'set-cookie',
    `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax${secure}${expiry}`,
  );
}

export const authRouter = createTRPCRouter({
  status: publicProcedure.query(async ({ ctx }) => ({
    needsSetup: await needsSetup(ctx.deps.db),
    user: ctx.actor && { id: ctx.actor.id, email: ctx.actor.email, role: ctx.actor.role },
  })),

  setup: publicProcedure.input(setupSchema).mutation(async ({ ctx, input }) => {
    const user = await setupFirstAdmin(ctx.deps.db, input);
    const session = await createSession(ctx.deps.db, user.id, ctx.origin);
    setSessionCookie(ctx, session.token, session.expiresAt);
    return user;
  }),

  signIn: publicProcedure.input(signInSchema).mutation(async ({ ctx, input }) => {
    const { token, expiresAt, user } = await signIn(ctx.deps, input, ctx.origin).catch((err: unknown) => {
      if (err instanceof TooManyAttempts) ctx.resHeaders?.set('retry-after', String(err.retryAfterSeconds));
      throw err;
    });
    setSessionCookie(ctx, token, expiresAt);
    return user;
  }),

  signOut: publicProcedure.mutation(async ({ ctx }) => {
    if (ctx.sessionToken) await signOut(ctx.deps.db, ctx.sessionToken);
    setSessionCookie(ctx, '', null);
    return { ok: true };
  }),
});
