import { asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import { registryCredentials } from '@/db/schema';
import { parseImageRef, type RegistryAuth } from '@/server/docker/engine';
import { assertRole } from '../auth/policy';
import type { Deps, ServiceContext } from '../context';
import { Conflict, isUniqueViolation } from '../errors';
import { safeText } from '../safe-text';
import { registryHostSchema } from './schema';

export const saveRegistrySchema = z.object({
  host: registryHostSchema,
  username: safeText('Username')
    .trim()
    .min(1, 'Username is required')
    .max(200, 'Username can have at most 200 characters'),
  password: safeText('Password')
    .min(1, 'Password or token is required')
    .max(4096, 'Password or token can have at most 4096 characters'),
});

export async function saveRegistry(ctx: ServiceContext, input: z.infer<typeof saveRegistrySchema>) {
  assertRole(ctx.actor, 'admin');
  try {
    const [row] = await ctx.db
      .insert(registryCredentials)
      .values({ host: input.host, username: input.username, password: ctx.box.seal(input.password) })
      .returning({
        id: registryCredentials.id,
        host: registryCredentials.host,
        username: registryCredentials.username,
      });
    return row!;
  } catch (err) {
    if (isUniqueViolation(err))
      throw new Conflict(`Credentials for ${input.host} exist already.`, { cause: err });
    throw err;
  }
}

export async function listRegistries(ctx: ServiceContext) {
  assertRole(ctx.actor, 'admin');
  return ctx.db
    .select({
      id: registryCredentials.id,
      host: registryCredentials.host,
      username: registryCredentials.username,
    })
    .from(registryCredentials)
    .orderBy(asc(registryCredentials.host));
}

export async function deleteRegistry(ctx: ServiceContext, id: string) {
  assertRole(ctx.actor, 'admin');
  await ctx.db.delete(registryCredentials).where(eq(registryCredentials.id, id));
}

/** Credentials for the registry an image lives in, if an admin saved some. */
export async function registryAuthFor(deps: Deps, image: string): Promise<RegistryAuth | undefined> {
  const { registry } = parseImageRef(image);
  const [row] = await deps.db
    .select()
    .from(registryCredentials)
    .where(eq(registryCredentials.host, registry))
    .limit(1);
  if (!row) return undefined;
  return { username: row.username, password: deps.box.open(row.password), serveraddress: row.host };
}
