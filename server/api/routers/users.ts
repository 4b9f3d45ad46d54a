import { z } from 'zod';
import { createUserSchema, setDisabledSchema, setRoleSchema } from '@/server/services/auth/schema';
import {
  deleteRegistry,
  listRegistries,
  saveRegistry,
  saveRegistrySchema,
} from '@/server/services/registries/credentials';
import { createUser, listUsers, setDisabled, setRole } from '@/server/services/users/manage';
import { adminProcedure, createTRPCRouter } from '../trpc';

export const usersRouter = createTRPCRouter({
  list: adminProcedure.query(({ ctx }) => listUsers(ctx.svc)),
  create: adminProcedure.input(createUserSchema).mutation(({ ctx, input }) => createUser(ctx.svc, input)),
  setRole: adminProcedure.input(setRoleSchema).mutation(({ ctx, input }) => setRole(ctx.svc, input)),
  setDisabled: adminProcedure
    .input(setDisabledSchema)
    .mutation(({ ctx, input }) => setDisabled(ctx.svc, input)),
});

export const registriesRouter = createTRPCRouter({
  list: adminProcedure.query(({ ctx }) => listRegistries(ctx.svc)),
  save: adminProcedure.input(saveRegistrySchema).mutation(({ ctx, input }) => saveRegistry(ctx.svc, input)),
  delete: adminProcedure
    .input(z.object({ id: z.string().uuid() }))
    .mutation(({ ctx, input }) => deleteRegistry(ctx.svc, input.id)),
});
