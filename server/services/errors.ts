/** Domain errors: thrown by services, mapped to transport codes once at the edge (server/api/errors.ts). */
export class DomainError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}
export class NotFound extends DomainError {}
export class Conflict extends DomainError {}
export class Precondition extends DomainError {}
export class Forbidden extends DomainError {}
export class Unauthorized extends DomainError {}
export class Invalid extends DomainError {}
/** Too many attempts (sign-in guesses): try again after `retryAfterSeconds`. */
export class TooManyAttempts extends DomainError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}
/** A dependency (Docker, registry) failed; message is safe to show. */
export class Unavailable extends DomainError {}

/** PostgreSQL unique_violation, as thrown by node-postgres or PGlite (possibly wrapped by drizzle). */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; cause?: { code?: string } } | null;
  return e?.code === '23505' || e?.cause?.code === '23505';
}
