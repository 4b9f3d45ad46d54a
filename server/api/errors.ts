import { TRPCError } from '@trpc/server';
import { DockerError } from '@/server/docker/engine';
import {
  Conflict,
  DomainError,
  Forbidden,
  Invalid,
  NotFound,
  Precondition,
  TooManyAttempts,
  Unauthorized,
  Unavailable,
} from '@/server/services/errors';

type Code = TRPCError['code'];

const CODES: [new (...a: never[]) => DomainError, Code][] = [
  [NotFound, 'NOT_FOUND'],
  [Conflict, 'CONFLICT'],
  [Precondition, 'PRECONDITION_FAILED'],
  [Forbidden, 'FORBIDDEN'],
  [Unauthorized, 'UNAUTHORIZED'],
  [Invalid, 'BAD_REQUEST'],
  [TooManyAttempts, 'TOO_MANY_REQUESTS'],
  [Unavailable, 'SERVICE_UNAVAILABLE'],
];

/** The one translation of domain errors to transport errors. Internals never reach the client. */
export function toTRPCError(err: unknown): TRPCError {
  if (err instanceof TRPCError) {
    if (err.code !== 'INTERNAL_SERVER_ERROR' || !err.cause) return err;
    return toTRPCError(err.cause);
  }
  for (const [cls, code] of CODES)
    if (err instanceof cls) return new TRPCError({ code, message: err.message, cause: err });
  if (err instanceof DockerError)
    return new TRPCError({ code: 'SERVICE_UNAVAILABLE', message: err.message, cause: err });
  console.error('capstan: unexpected error', err);
  return new TRPCError({
    code: 'INTERNAL_SERVER_ERROR',
    message: 'Something went wrong on the server. It has been logged.',
    cause: err,
  });
}
