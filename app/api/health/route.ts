import { createContext } from '@/server/api/trpc';
import { getRuntime, type Runtime } from '@/server/runtime';
import { appHealth } from '@/server/services/health/app-health';
import { bearerMatches } from '@/server/services/metrics/scrape-token';

export const dynamic = 'force-dynamic';

/** Versions, process ids and errors are for admins and the metrics scraper; anyone else sees the status. */
async function mayReadDetails(rt: Runtime, req: Request): Promise<boolean> {
  if (rt.metricsToken !== null && bearerMatches(req.headers.get('authorization'), rt.metricsToken))
    return true;
  const { actor } = await createContext(rt, req.headers, null);
  return actor?.role === 'admin';
}

export async function GET(req: Request) {
  let rt: Runtime;
  try {
    rt = await getRuntime();
  } catch (err) {
    console.error('capstan: /api/health: Capstan did not start', err);
    return Response.json({ status: 'down' }, { status: 503 });
  }
  try {
    const health = await appHealth(rt, rt.handle.kind);
    const status = health.ok ? 'ok' : 'degraded';
    const details = await mayReadDetails(rt, req).catch(() => false);
    return Response.json(details ? { status, ...health } : { status }, { status: health.ok ? 200 : 503 });
  } catch (err) {
    console.error('capstan: /api/health failed', err);
    const message = err instanceof Error ? err.message : String(err);
    const details = await mayReadDetails(rt, req).catch(() => false);
    return Response.json(details ? { status: 'down', error: message } : { status: 'down' }, { status: 503 });
  }
}
