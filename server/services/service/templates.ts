import { and, eq, inArray, notInArray, or } from 'drizzle-orm';
import { replicaMarks, revisions, type StoredSpec } from '@/db/schema';
import type { Db } from '@/db/client';

/** Revision specs by `serviceId:number`. Revisions never change, so a reader may keep what it got. */
export async function loadTemplates(
  db: Db,
  keys: { serviceId: string; revision: number }[],
): Promise<Map<string, StoredSpec>> {
  const out = new Map<string, StoredSpec>();
  if (keys.length === 0) return out;
  const rows = await db
    .select({ serviceId: revisions.serviceId, number: revisions.number, spec: revisions.spec })
    .from(revisions)
    .where(
      or(...keys.map((k) => and(eq(revisions.serviceId, k.serviceId), eq(revisions.number, k.revision)))),
    );
  for (const r of rows) out.set(templateKey(r.serviceId, r.number), r.spec);
  return out;
}

export const templateKey = (serviceId: string, revision: number) => `${serviceId}:${revision}`;

export type ReplicaMark = typeof replicaMarks.$inferSelect;

export async function listReplicaMarks(db: Db): Promise<Map<string, ReplicaMark>> {
  const rows = await db.select().from(replicaMarks);
  return new Map(rows.map((r) => [r.containerId, r]));
}

/** A container whose limits were updated in place now embodies `revision` (its label cannot change). */
export async function markReplicaRevision(
  db: Db,
  mark: { containerId: string; serviceId: string; revision: number },
): Promise<void> {
  await db
    .insert(replicaMarks)
    .values(mark)
    .onConflictDoUpdate({
      target: replicaMarks.containerId,
      set: { revision: mark.revision, updatedAt: new Date() },
    });
}

/** Marks of containers that no longer exist are done with. */
export async function forgetReplicaMarks(db: Db, alive: string[]): Promise<void> {
  await db.delete(replicaMarks).where(alive.length ? notInArray(replicaMarks.containerId, alive) : undefined);
}

export async function clearRestartRequests(db: Db, containerIds: string[]): Promise<void> {
  if (containerIds.length === 0) return;
  await db
    .update(replicaMarks)
    .set({ restartRequestedAt: null, restartRequestedBy: null, updatedAt: new Date() })
    .where(inArray(replicaMarks.containerId, containerIds));
}
