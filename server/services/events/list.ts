import { and, desc, eq, lt } from 'drizzle-orm';
import { z } from 'zod';
import { events } from '@/db/schema';
import type { ServiceContext } from '../context';

export const listEventsInput = z.object({
  serviceId: z.string().uuid().optional(),
  before: z.number().int().positive().optional(),
  limit: z.number().int().min(1).max(200).default(50),
});

export async function listEvents(ctx: ServiceContext, input: z.infer<typeof listEventsInput>) {
  const where = and(
    input.serviceId ? eq(events.serviceId, input.serviceId) : undefined,
    input.before ? lt(events.id, input.before) : undefined,
  );
  return ctx.db.select().from(events).where(where).orderBy(desc(events.id)).limit(input.limit);
}
