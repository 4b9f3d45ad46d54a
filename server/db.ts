import path from 'node:path';
import type { DbOptions } from '@/db/client';
import { dataDir, env } from './env';

export function dbOptionsFromEnv(): DbOptions {
  const url = env().DATABASE_URL;
  return url ? { kind: 'postgres', url } : { kind: 'pglite', dir: path.join(dataDir(), 'pglite') };
}
