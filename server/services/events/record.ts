import { events } from '@/db/schema';
import type { Db, Tx } from '@/db/client';

export type EventInput = {
  serviceId: string | null;
  deploymentId?: string | null;
  kind: string;
  message: string;
  data?: Record<string, unknown>;
};

export async function recordEvent(db: Db | Tx, input: EventInput): Promise<void> {
  await db.insert(events).values({
    serviceId: input.serviceId,
    deploymentId: input.deploymentId ?? null,
    kind: input.kind,
    message: input.message,
    data: input.data ?? null,
  });
}
