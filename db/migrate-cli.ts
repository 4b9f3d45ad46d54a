import { openDb } from './client';
import { migrate } from './migrate';
import { dbOptionsFromEnv } from '@/server/db';

const handle = await openDb(dbOptionsFromEnv());
await migrate(handle);
await handle.close();
console.log(`capstan: database migrated (${handle.kind})`);
