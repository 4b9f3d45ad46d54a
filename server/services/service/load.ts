import { and, desc, eq } from 'drizzle-orm';
import { revisions, services } from '@/db/schema';
import type { Db, Tx } from '@/db/client';
import { NotFound } from '../errors';

export async function loadService(db: Db | Tx, serviceId: string, opts: { forUpdate?: boolean } = {}) {
  const q = db.select().from(services).where(eq(services.id, serviceId)).limit(1);
  const [service] = opts.forUpdate ? await q.for('update') : await q;
  if (!service) throw new NotFound('No such service.');
  return service;
}

export async function loadRevision(db: Db | Tx, serviceId: string, number: number) {
  const [rev] = await db
    .select()
    .from(revisions)
    .where(and(eq(revisions.serviceId, serviceId), eq(revisions.number, number)))
    .limit(1);
  if (!rev) throw new NotFound(`Revision ${number} does not exist.`);
  return rev;
}

export async function latestRevision(db: Db | Tx, serviceId: string) {
  const [rev] = await db
    .select()
    .from(revisions)
    .where(eq(revisions.serviceId, serviceId))
    .orderBy(desc(revisions.number))
    .limit(1);
  return rev ?? null;
}
