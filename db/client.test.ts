import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { openDb } from './client';

const url = process.env.TEST_DATABASE_URL;

describe.runIf(Boolean(url))('the PostgreSQL client', () => {
  it('survives PostgreSQL closing its idle connections, and the next query reconnects', async () => {
    const handle = await openDb({ kind: 'postgres', url: url! });
    const admin = await openDb({ kind: 'postgres', url: url! });
    try {
      type Pid = { rows: { pid: number }[] };
      const { rows } = (await handle.db.execute(sql`select pg_backend_pid() as pid`)) as unknown as Pid;
      // The connection is idle in the pool now; an administrator ends it, as a restart would.
      await admin.db.execute(sql`select pg_terminate_backend(${rows[0]!.pid})`);
      await new Promise((r) => setTimeout(r, 200));
      const again = (await handle.db.execute(sql`select pg_backend_pid() as pid`)) as unknown as Pid;
      expect(again.rows[0]!.pid).not.toBe(rows[0]!.pid);
    } finally {
      await handle.close();
      await admin.close();
    }
  });
});
