import { listAudit, listAuditInput } from '@/server/services/audit/list';
import { listEvents, listEventsInput } from '@/server/services/events/list';
import { adminProcedure, createTRPCRouter, viewerProcedure } from '../trpc';

export const activityRouter = createTRPCRouter({
  events: viewerProcedure.input(listEventsInput).query(({ ctx, input }) => listEvents(ctx.svc, input)),
  audit: adminProcedure.input(listAuditInput).query(({ ctx, input }) => listAudit(ctx.svc, input)),
  /** Live state changes over SSE; clients refetch what each event touches. */
  live: viewerProcedure.subscription(async function* ({ ctx, signal }) {
    yield { type: 'hello' as const };
    for await (const event of ctx.deps.bus.listen(signal)) yield event;
  }),
});
