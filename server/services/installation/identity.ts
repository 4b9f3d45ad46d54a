import { sql } from 'drizzle-orm';
import { installation } from '@/db/schema';
import type { Db } from '@/db/client';

/** This installation's id, created on first start. Concurrent first starts agree on one row. */
export async function installationId(db: Db): Promise<string> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`lock table installation in exclusive mode`);
    const [row] = await tx.select().from(installation).limit(1);
    if (row) return row.id;
    const [created] = await tx.insert(installation).values({}).returning();
    return created!.id;
  });
}
