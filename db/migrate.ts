import type { DbHandle } from './client';
import { migrationsDir } from './client';

/** Applies the committed migrations; safe to run on every start. */
export async function migrate(handle: DbHandle): Promise<void> {
  const migrationsFolder = migrationsDir();
  if (handle.kind === 'postgres') {
    const { migrate: run } = await import('drizzle-orm/node-postgres/migrator');
    await run(handle.db as never, { migrationsFolder });
  } else {
    const { migrate: run } = await import('drizzle-orm/pglite/migrator');
    await run(handle.db as never, { migrationsFolder });
  }
}
