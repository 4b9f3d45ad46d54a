import { dora } from '@/server/services/metrics/dora';
import {
  doraInput,
  metricSeriesInput,
  setSloTargetInput,
  sloInput,
  uptimeInput,
} from '@/server/services/metrics/schema';
import { metricsScrapeAccess } from '@/server/services/metrics/scrape-token';
import { metricSeries } from '@/server/services/metrics/series';
import { setSloTarget } from '@/server/services/metrics/set-slo-target';
import { sloStatus } from '@/server/services/metrics/slo';
import { sparklines } from '@/server/services/metrics/sparklines';
import { uptime } from '@/server/services/metrics/uptime';
import { adminProcedure, createTRPCRouter, operatorProcedure, viewerProcedure } from '../trpc';

export const metricsRouter = createTRPCRouter({
  series: viewerProcedure.input(metricSeriesInput).query(({ ctx, input }) => metricSeries(ctx.svc, input)),
  sparklines: viewerProcedure.query(({ ctx }) => sparklines(ctx.svc)),
  uptime: viewerProcedure.input(uptimeInput).query(({ ctx, input }) => uptime(ctx.svc, input)),
  slo: viewerProcedure.input(sloInput).query(({ ctx, input }) => sloStatus(ctx.svc, input)),
  setSloTarget: operatorProcedure
    .input(setSloTargetInput)
    .mutation(({ ctx, input }) => setSloTarget(ctx.svc, input)),
  dora: viewerProcedure.input(doraInput).query(({ ctx, input }) => dora(ctx.svc, input)),
  /** The token Prometheus sends to GET /api/metrics (admins only). */
  scrapeAccess: adminProcedure.query(({ ctx }) => metricsScrapeAccess(ctx.svc)),
});
