import { initTRPC, TRPCError } from '@trpc/server';
import superjson from 'superjson';
import { z, ZodError } from 'zod';
import type { Role } from '@/db/schema';
import { trustedProxies } from '@/server/env';
import { clientAddress } from '@/server/http/client-address';
import { recordAudit } from '@/server/services/audit/record';
import { roleAtLeast } from '@/server/services/auth/policy';
import { resolveSession, SESSION_COOKIE, type Origin } from '@/server/services/auth/sessions';
import type { Deps, ServiceContext, UserActor } from '@/server/services/context';
import { toTRPCError } from './errors';

export type TrpcContext = {
  deps: Deps;
  actor: UserActor | null;
  origin: Origin;
  sessionToken: string | undefined;
  /** Response headers of the HTTP request, for Set-Cookie; null for in-process callers. */
  resHeaders: Headers | null;
};

export function readCookie(header: string | null, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

/** Who is asking from where: X-Forwarded-For counts only when a trusted proxy passed it on. */
export function originOf(headers: Headers, trusted = trustedProxies()): Origin {
  return { ip: clientAddress(headers, trusted), userAgent: headers.get('user-agent') };
}

export async function createContext(
  deps: Deps,
  headers: Headers,
  resHeaders: Headers | null,
): Promise<TrpcContext> {
  const origin = originOf(headers);
  const sessionToken = readCookie(headers.get('cookie'), SESSION_COOKIE);
  const actor = await resolveSession(deps.db, sessionToken, origin);
  return { deps, actor, origin, sessionToken, resHeaders };
}

const t = initTRPC.context<TrpcContext>().create({
  transformer: superjson,
  sse: { ping: { enabled: true, intervalMs: 10_000 }, client: { reconnectAfterInactivityMs: 20_000 } },
  errorFormatter({ shape, error }) {
    const zod = error.cause instanceof ZodError ? z.flattenError(error.cause) : null;
    const message = zod
      ? [...zod.formErrors, ...Object.values(zod.fieldErrors).flat()].join('; ') || shape.message
      : shape.message;
    return {
      ...shape,
      message,
      data: {
        code: shape.data.code,
        httpStatus: shape.data.httpStatus,
        path: shape.data.path,
        zodError: zod,
        /** Every issue with its full input path, so a form can show it beside the field it is about. */
        zodIssues:
          error.cause instanceof ZodError
            ? error.cause.issues.map((i) => ({ path: i.path.map(String), message: i.message }))
            : null,
      },
    };
  },
});

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;

const mapErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && !(result.error.cause instanceof ZodError)) throw toTRPCError(result.error);
  return result;
});

/** Every mutation leaves an audit entry, refused ones included. */
const audit = t.middleware(async ({ ctx, type, path, next, getRawInput }) => {
  const result = await next();
  if (type !== 'mutation') return result;
  const input = await getRawInput().catch(() => undefined);
  const target =
    (input as { serviceId?: string; userId?: string; name?: string; email?: string } | undefined) ?? {};
  await recordAudit(ctx.deps.db, ctx.actor, {
    action: path,
    target: target.serviceId ?? target.userId ?? target.email ?? target.name ?? '',
    input,
    outcome: result.ok ? 'ok' : 'error',
    error: result.ok ? null : result.error.message,
    origin: ctx.origin,
  }).catch((err) => console.error('capstan: audit write failed', err));
  return result;
});

export const publicProcedure = t.procedure.use(audit).use(mapErrors);

function withRole(min: Role) {
  return publicProcedure.use(({ ctx, next }) => {
    if (!ctx.actor) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in first.' });
    if (!roleAtLeast(ctx.actor.role, min)) {
      throw new TRPCError({
        code: 'FORBIDDEN',
        message: `This needs the ${min} role; you are ${ctx.actor.role}.`,
      });
    }
    const svc: ServiceContext = { ...ctx.deps, actor: ctx.actor };
    return next({ ctx: { actor: ctx.actor, svc } });
  });
}

export const viewerProcedure = withRole('viewer');
export const developerProcedure = withRole('developer');
export const operatorProcedure = withRole('operator');
export const adminProcedure = withRole('admin');
