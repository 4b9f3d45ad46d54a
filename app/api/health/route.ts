import { getRuntime } from '@/server/runtime';
import { appHealth } from '@/server/services/health/app-health';

export const dynamic = 'force-dynamic';

export async function GET() {
  try {
    const rt = await getRuntime();
    const health = await appHealth(rt, rt.handle.kind);
    return Response.json(
      { status: health.ok ? 'ok' : 'degraded', ...health },
      { status: health.ok ? 200 : 503 },
    );
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return Response.json({ status: 'down', ok: false, error: message }, { status: 503 });
  }
}
