import { and, eq } from 'drizzle-orm';
import { auditLog } from '@/db/schema';
import type { Db } from '@/db/client';
import { actorLabel, type Actor } from '../context';
import { auditable, storableText } from './auditable';

export type AuditEntry = {
  action: string;
  target?: string;
  input?: unknown;
  outcome: 'ok' | 'error';
  error?: string | null;
  /** Where the request came from (also when there is no signed-in actor yet: sign-in, first run). */
  origin?: { ip: string | null; userAgent: string | null };
};

const short = (s: string | null | undefined, max = 500) => (s == null ? null : storableText(s, max));

function row(
  actor: Actor | null,
  entry: Omit<AuditEntry, 'outcome'> & { outcome: 'ok' | 'error' | 'pending' },
) {
  return {
    actorId: actor?.kind === 'user' ? actor.id : null,
    actor: actor ? actorLabel(actor) : 'anonymous',
    action: storableText(entry.action, 200),
    target: storableText(entry.target ?? '', 500),
    input: entry.input === undefined ? null : auditable(entry.input),
    outcome: entry.outcome,
    error: short(entry.error, 2000),
    ip: short(entry.origin?.ip ?? (actor?.kind === 'user' ? actor.ip : null)),
    userAgent: short(entry.origin?.userAgent ?? (actor?.kind === 'user' ? actor.userAgent : null)),
  };
}

/** One finished action, recorded at once (the system's own decisions). */
export async function recordAudit(db: Db, actor: Actor | null, entry: AuditEntry): Promise<void> {
  await db.insert(auditLog).values(row(actor, entry));
}

/**
 * Records that an action is asked for, before it runs: its row exists whatever happens next, so no change
 * is ever made without one. Its outcome stays 'pending' until `finishAudit` records it.
 */
export async function beginAudit(
  db: Db,
  actor: Actor | null,
  entry: Omit<AuditEntry, 'outcome' | 'error'>,
): Promise<number> {
  const [created] = await db
    .insert(auditLog)
    .values(row(actor, { ...entry, outcome: 'pending' }))
    .returning({ id: auditLog.id });
  return created!.id;
}

export async function finishAudit(
  db: Db,
  id: number,
  result: { outcome: 'ok' | 'error'; error?: string | null },
): Promise<void> {
  await db
    .update(auditLog)
    .set({ outcome: result.outcome, error: short(result.error, 2000) })
    .where(and(eq(auditLog.id, id), eq(auditLog.outcome, 'pending')));
}
