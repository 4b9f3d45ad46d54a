import { initTRPC, TRPCError } from '@trpc/server';
import superjson from 'superjson';
import { z, ZodError } from 'zod';
import type { Role } from '@/db/schema';
import { trustedProxies } from '@/server/env';
import { clientAddress } from '@/server/http/client-address';
import { beginAudit, finishAudit } from '@/server/services/audit/record';
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

/** The audit row's target: the first id or name the input gives as text. */
function auditTarget(input: unknown): string {
  if (typeof input !== 'object' || input === null) return '';
  const fields = input as Record<string, unknown>;
  const found = ['serviceId', 'deploymentId', 'userId', 'email', 'name', 'host', 'id']
    .map((k) => fields[k])
    .find((v) => typeof v === 'string');
  return (found as string | undefined) ?? '';
}

/**
 * Every mutation leaves an audit entry, refused ones included. The entry is written before the procedure
 * runs: a mutation that cannot be audited does not run, and one that ran always has its entry (whose
 * outcome is recorded after; it stays 'pending' only if that last write fails).
 */
const audit = t.middleware(async ({ ctx, type, path, next, getRawInput }) => {
  if (type !== 'mutation') return next();
  const input = await getRawInput().catch(() => undefined);
  const id = await beginAudit(ctx.deps.db, ctx.actor, {
    action: path,
    target: auditTarget(input),
    input,
    origin: ctx.origin,
  }).catch((err: unknown) => {
    console.error('capstan: audit write failed; the mutation was refused', err);
    throw new TRPCError({
      code: 'SERVICE_UNAVAILABLE',
      message: 'The audit log cannot be written just now, so nothing was changed. Try again shortly.',
      cause: err,
    });
  });
  const result = await next();
  await finishAudit(
    ctx.deps.db,
    id,
    result.ok ? { outcome: 'ok' } : { outcome: 'error', error: result.error.message },
  ).catch((err: unknown) => console.error('capstan: audit outcome not recorded', err));
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
