import { sql } from 'drizzle-orm';
import type { Deps } from '../context';

/** Capstan's own health: can it reach its database and the Docker engine? */
export async function appHealth(deps: Deps, dbKind: string) {
  const started = performance.now();
  const database = await deps.db
    .execute(sql`select 1`)
    .then(() => ({ ok: true as const, kind: dbKind }))
    .catch((err: Error) => ({ ok: false as const, kind: dbKind, error: err.message }));
  const ping = await deps.docker.ping();
  const docker = ping.ok
    ? { ok: true as const, version: ping.version }
    : { ok: false as const, error: ping.error };
  const proxy = deps.proxy
    ? await deps.proxy.health().catch((err: Error) => ({ ok: false, error: err.message }))
    : null;
  return {
    // The proxy's trouble degrades traffic, not Capstan's own health: it is reported beside it.
    ok: database.ok && docker.ok,
    database,
    docker,
    proxy,
    checkedInMs: Math.round(performance.now() - started),
  };
}
