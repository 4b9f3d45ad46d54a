import { activityRouter } from './routers/activity';
import { authRouter } from './routers/auth';
import { metricsRouter } from './routers/metrics';
import { servicesRouter } from './routers/services';
import { registriesRouter, usersRouter } from './routers/users';
import { createCallerFactory, createTRPCRouter } from './trpc';

export const appRouter = createTRPCRouter({
  auth: authRouter,
  services: servicesRouter,
  activity: activityRouter,
  users: usersRouter,
  registries: registriesRouter,
  metrics: metricsRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
