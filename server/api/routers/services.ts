import { z } from 'zod';
import { cancelDeployment } from '@/server/services/deployments/cancel';
import { createService } from '@/server/services/service/create';
import { followLogs, logsInputSchema, tailLogs } from '@/server/services/service/logs';
import { deleteService } from '@/server/services/service/delete';
import { deployService, redeployRevision } from '@/server/services/service/deploy';
import { getDeployment, getService, listServices } from '@/server/services/service/read';
import {
  cancelDeploymentSchema,
  createServiceSchema,
  deployServiceSchema,
  redeployRevisionSchema,
  restartReplicaSchema,
  restartServiceSchema,
  scaleServiceSchema,
  serviceIdSchema,
} from '@/server/services/service/schema';
import { restartReplica, restartService } from '@/server/services/service/restart';
import { scaleService } from '@/server/services/service/scale';
import { createTRPCRouter, developerProcedure, viewerProcedure } from '../trpc';

export const servicesRouter = createTRPCRouter({
  list: viewerProcedure.query(({ ctx }) => listServices(ctx.svc)),
  get: viewerProcedure.input(serviceIdSchema).query(({ ctx, input }) => getService(ctx.svc, input.serviceId)),
  deployment: viewerProcedure
    .input(z.object({ deploymentId: z.string().uuid() }))
    .query(({ ctx, input }) => getDeployment(ctx.svc, input.deploymentId)),
  logs: viewerProcedure.input(logsInputSchema).query(({ ctx, input }) => tailLogs(ctx.svc, input)),
  /** Live log lines over SSE. */
  logsLive: viewerProcedure
    .input(logsInputSchema.pick({ serviceId: true, containerId: true }))
    .subscription(({ ctx, input, signal }) =>
      followLogs(ctx.svc, input, signal ?? new AbortController().signal),
    ),
  create: developerProcedure
    .input(createServiceSchema)
    .mutation(({ ctx, input }) => createService(ctx.svc, input)),
  deploy: developerProcedure
    .input(deployServiceSchema)
    .mutation(({ ctx, input }) => deployService(ctx.svc, input)),
  redeploy: developerProcedure
    .input(redeployRevisionSchema)
    .mutation(({ ctx, input }) => redeployRevision(ctx.svc, input)),
  /** Replica count without a new revision: running replicas stay, new ones join once healthy. */
  scale: developerProcedure
    .input(scaleServiceSchema)
    .mutation(({ ctx, input }) => scaleService(ctx.svc, input)),
  /** Rolling restart: every replica replaced one at a time, health-gated. */
  restart: developerProcedure
    .input(restartServiceSchema)
    .mutation(({ ctx, input }) => restartService(ctx.svc, input)),
  restartReplica: developerProcedure
    .input(restartReplicaSchema)
    .mutation(({ ctx, input }) => restartReplica(ctx.svc, input)),
  cancel: developerProcedure
    .input(cancelDeploymentSchema)
    .mutation(({ ctx, input }) => cancelDeployment(ctx.svc, input)),
  delete: developerProcedure
    .input(serviceIdSchema)
    .mutation(({ ctx, input }) => deleteService(ctx.svc, input.serviceId)),
});
