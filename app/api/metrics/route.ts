import crypto from 'node:crypto';
import { env } from '@/server/env';
import { getRuntime } from '@/server/runtime';
import { prometheusExposition } from '@/server/services/metrics/prometheus';

export const dynamic = 'force-dynamic';

function authorized(header: string | null, token: string): boolean {
  const given = Buffer.from(header ?? '');
  const wanted = Buffer.from(`Bearer ${token}`);
  return given.length === wanted.length && crypto.timingSafeEqual(given, wanted);
}

/** Prometheus scrape target: Capstan's process metrics and per-service gauges from the latest tick. */
export async function GET(req: Request) {
  const token = env().CAPSTAN_METRICS_TOKEN;
  if (token && !authorized(req.headers.get('authorization'), token)) {
    return new Response('Unauthorized: send Authorization: Bearer <CAPSTAN_METRICS_TOKEN>.\n', {
      status: 401,
      headers: { 'www-authenticate': 'Bearer' },
    });
  }
  try {
    const rt = await getRuntime();
    const { contentType, body } = await prometheusExposition(rt);
    return new Response(body, { headers: { 'content-type': contentType, 'cache-control': 'no-store' } });
  } catch (err) {
    console.error('capstan: /api/metrics failed', err);
    return new Response('Metrics are unavailable; see the server log.\n', { status: 503 });
  }
}
