import { getRuntime } from '@/server/runtime';
import { prometheusExposition } from '@/server/services/metrics/prometheus';
import { bearerMatches } from '@/server/services/metrics/scrape-token';

export const dynamic = 'force-dynamic';

/** Prometheus scrape target: Capstan's process metrics and per-service gauges from the latest tick. */
export async function GET(req: Request) {
  try {
    const rt = await getRuntime();
    if (rt.metricsToken !== null && !bearerMatches(req.headers.get('authorization'), rt.metricsToken)) {
      return new Response(
        'Unauthorized: send Authorization: Bearer <token>. An admin finds the token under Settings.\n',
        { status: 401, headers: { 'www-authenticate': 'Bearer' } },
      );
    }
    const { contentType, body } = await prometheusExposition(rt);
    return new Response(body, { headers: { 'content-type': contentType, 'cache-control': 'no-store' } });
  } catch (err) {
    console.error('capstan: /api/metrics failed', err);
    return new Response('Metrics are unavailable; see the server log.\n', { status: 503 });
  }
}
