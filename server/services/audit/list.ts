import { desc, lt } from 'drizzle-orm';
import { z } from 'zod';
import { auditLog } from '@/db/schema';
import type { ServiceContext } from '../context';

export const listAuditInput = z.object({
  before: z.number().int().positive().optional(),
  limit: z.number().int().min(1).max(200).default(100),
});

export async function listAudit(ctx: ServiceContext, input: z.infer<typeof listAuditInput>) {
  return ctx.db
    .select()
    .from(auditLog)
    .where(input.before ? lt(auditLog.id, input.before) : undefined)
    .orderBy(desc(auditLog.id))
    .limit(input.limit);
}
