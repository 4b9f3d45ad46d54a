import { auditLog } from '@/db/schema';
import type { Db } from '@/db/client';
import { actorLabel, type Actor } from '../context';

const SECRET_KEYS = /pass(word)?|secret|token|^value$/i;

/** Drops anything that looks like a secret before an input is stored in the audit log. */
export function redact(input: unknown, depth = 0): unknown {
  if (depth > 6 || input === null || typeof input !== 'object') return input;
  if (Array.isArray(input)) return input.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input as Record<string, unknown>)) {
    out[k] = SECRET_KEYS.test(k) && typeof v === 'string' ? '[redacted]' : redact(v, depth + 1);
  }
  return out;
}

export type AuditEntry = {
  action: string;
  target?: string;
  input?: unknown;
  outcome: 'ok' | 'error';
  error?: string | null;
  /** Where the request came from (also when there is no signed-in actor yet: sign-in, first run). */
  origin?: { ip: string | null; userAgent: string | null };
};

export async function recordAudit(db: Db, actor: Actor | null, entry: AuditEntry): Promise<void> {
  await db.insert(auditLog).values({
    actorId: actor?.kind === 'user' ? actor.id : null,
    actor: actor ? actorLabel(actor) : 'anonymous',
    action: entry.action,
    target: entry.target ?? '',
    input: entry.input === undefined ? null : redact(entry.input),
    outcome: entry.outcome,
    error: entry.error ?? null,
    ip: entry.origin?.ip ?? (actor?.kind === 'user' ? actor.ip : null),
    userAgent: entry.origin?.userAgent ?? (actor?.kind === 'user' ? actor.userAgent : null),
  });
}
