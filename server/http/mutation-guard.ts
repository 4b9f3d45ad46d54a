import { requestedHost, type TrustedProxies } from './client-address';

/** Procedures that must come alone: batching them would multiply guesses per request. */
const UNBATCHED = new Set(['auth.signIn', 'auth.setup']);

/** The procedures a tRPC request calls: `/api/trpc/a.b,c.d?batch=1` → ['a.b', 'c.d']. */
function procedures(req: Request): string[] {
  const last = new URL(req.url).pathname.split('/').pop() ?? '';
  try {
    return decodeURIComponent(last).split(',');
  } catch {
    return [last];
  }
}

/** A tRPC-shaped error (superjson envelope), one per call when the request was a batch. */
function refuse(req: Request, status: number, code: string, message: string): Response {
  const url = new URL(req.url);
  const paths = procedures(req);
  const error = { json: { message, code: -32600, data: { code, httpStatus: status } } };
  const body = url.searchParams.get('batch') === '1' ? paths.map(() => ({ error })) : { error };
  return Response.json(body, { status });
}

function sameOrigin(origin: string, expected: { host: string | null; proto: string | null }): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  if (!expected.host || url.host !== expected.host) return false;
  return !expected.proto || url.protocol === `${expected.proto}:`;
}

/**
 * Refuses a tRPC POST (every mutation) that a browser sent from another site, or that is not JSON, or that
 * batches a sign-in; null when it may go on.
 *
 * - The body must be `application/json`: an HTML form cannot send it, and a cross-site fetch that does
 *   needs a CORS preflight, which Capstan never grants.
 * - A browser says where a request comes from: `Sec-Fetch-Site` must be `same-origin` and `Origin` must
 *   name this host (as the Host header, or a trusted proxy's X-Forwarded-Host, gives it). A request with
 *   neither comes from a program (curl, a CLI, Node's fetch, Playwright's API client), which holds its
 *   own cookies: nothing a site could make a visitor's browser send.
 */
export function refuseUnsafeMutation(req: Request, trusted: TrustedProxies): Response | null {
  if (req.method !== 'POST') return null;
  const type = req.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') {
    return refuse(req, 415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the request body as application/json.');
  }
  const site = req.headers.get('sec-fetch-site');
  if (site !== null && site !== 'same-origin') {
    return refuse(req, 403, 'FORBIDDEN', 'Cross-site requests are refused.');
  }
  const origin = req.headers.get('origin');
  if (origin !== null && !sameOrigin(origin, requestedHost(req.headers, trusted))) {
    return refuse(req, 403, 'FORBIDDEN', 'Cross-site requests are refused.');
  }
  const paths = procedures(req);
  if (paths.length > 1 && paths.some((p) => UNBATCHED.has(p))) {
    return refuse(req, 400, 'BAD_REQUEST', `${paths.find((p) => UNBATCHED.has(p))} cannot be batched.`);
  }
  return null;
}
