import fs from 'node:fs';
import path from 'node:path';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type { Pool } from 'pg';
import * as schema from './schema';

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

export type DbHandle = {
  db: Db;
  kind: 'pglite' | 'postgres';
  /** node-postgres' pool on PostgreSQL (for stores that take one, like the sign-in throttle); else null. */
  pool: Pool | null;
  close: () => Promise<void>;
};

export type DbOptions =
  { kind: 'postgres'; url: string } | { kind: 'pglite'; dir: string | null /* null: in memory */ };

export async function openDb(opts: DbOptions): Promise<DbHandle> {
  if (opts.kind === 'postgres') {
    const { Pool } = await import('pg');
    const { drizzle } = await import('drizzle-orm/node-postgres');
    const pool = new Pool({ connectionString: opts.url, max: 10 });
    // An idle connection that PostgreSQL closes (a restart, an administrator) is dropped from the pool and
    // the next query opens a new one; without a listener node-postgres would crash the process instead.
    pool.on('error', (err) => console.error(`capstan: database connection lost: ${err.message}`));
    const db = drizzle(pool, { schema }) as unknown as Db;
    return { db, kind: 'postgres', pool, close: () => pool.end() };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  if (opts.dir) fs.mkdirSync(opts.dir, { recursive: true });
  const client = opts.dir ? new PGlite(opts.dir) : new PGlite();
  await client.waitReady;
  const db = drizzle(client, { schema }) as unknown as Db;
  return { db, kind: 'pglite', pool: null, close: () => client.close() };
}

export function migrationsDir(): string {
  return process.env.CAPSTAN_MIGRATIONS_DIR ?? path.join(process.cwd(), 'db', 'migrations');
}
