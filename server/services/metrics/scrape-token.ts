import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { assertRole } from '../auth/policy';
import type { ServiceContext } from '../context';

/**
 * The bearer token GET /api/metrics wants: CAPSTAN_METRICS_TOKEN, else one generated once into the data
 * dir (`metrics.token`, mode 0600, like the secret key); null when metrics are public by choice.
 */
export function loadMetricsToken(opts: { token?: string; public: boolean; dataDir: string }): string | null {
  if (opts.public) return null;
  if (opts.token) return opts.token;
  const file = path.join(opts.dataDir, 'metrics.token');
  fs.mkdirSync(opts.dataDir, { recursive: true });
  try {
    fs.writeFileSync(file, crypto.randomBytes(32).toString('base64url'), { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return fs.readFileSync(file, 'utf8').trim();
}

/** Whether an Authorization header carries the token (compared in constant time). */
export function bearerMatches(header: string | null, token: string): boolean {
  const given = crypto
    .createHash('sha256')
    .update(header ?? '')
    .digest();
  const wanted = crypto.createHash('sha256').update(`Bearer ${token}`).digest();
  return crypto.timingSafeEqual(given, wanted);
}

/** What an admin needs to point Prometheus at Capstan. */
export function metricsScrapeAccess(ctx: ServiceContext): { public: boolean; token: string | null } {
  assertRole(ctx.actor, 'admin');
  return { public: ctx.metricsToken === null, token: ctx.metricsToken };
}
