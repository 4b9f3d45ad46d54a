import { expect, type APIRequestContext, type Page } from '@playwright/test';

export const ADMIN = { name: 'Ada Admin', email: 'admin@capstan.test', password: 'correct-horse-battery' };
export const VIEWER = { name: 'Vic Viewer', email: 'viewer@capstan.test', password: 'viewer-password-42' };

/** The service the deploy spec creates through the browser and later specs look at. */
export const WEB = 'web';

type TrpcResult<T> = {
  status: number;
  data: T | undefined;
  error: { message: string; data?: { code?: string } } | undefined;
};

/** A tRPC mutation over HTTP, as the browser sends it (superjson envelope). */
export async function mutate<T = unknown>(
  api: APIRequestContext,
  path: string,
  input: unknown,
): Promise<TrpcResult<T>> {
  const res = await api.post(`/api/trpc/${path}`, { data: { json: input } });
  const body = (await res.json()) as {
    result?: { data?: { json?: T } };
    error?: { json?: TrpcResult<T>['error'] };
  };
  return { status: res.status(), data: body.result?.data?.json, error: body.error?.json };
}

export async function query<T = unknown>(
  api: APIRequestContext,
  path: string,
  input?: unknown,
): Promise<TrpcResult<T>> {
  const qs = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify({ json: input }))}`;
  const res = await api.get(`/api/trpc/${path}${qs}`);
  const body = (await res.json()) as {
    result?: { data?: { json?: T } };
    error?: { json?: TrpcResult<T>['error'] };
  };
  return { status: res.status(), data: body.result?.data?.json, error: body.error?.json };
}

/** Signs in through the API; with `page.request` the browser context gets the session cookie too. */
export async function signInApi(api: APIRequestContext, user: { email: string; password: string }) {
  const res = await mutate(api, 'auth.signIn', { email: user.email, password: user.password });
  expect(res.status, res.error?.message).toBe(200);
}

export async function signIn(page: Page, user: { email: string; password: string }) {
  await signInApi(page.request, user);
}

type ServiceRow = { id: string; name: string; health: string };

export async function findService(api: APIRequestContext, name: string): Promise<ServiceRow | undefined> {
  const res = await query<{ services: ServiceRow[] }>(api, 'services.list');
  expect(res.status, res.error?.message).toBe(200);
  return res.data?.services.find((s) => s.name === name);
}

/** A small, fast spec of the sample image, for services seeded through the API. */
export function sampleSpec(overrides: Record<string, unknown> = {}) {
  return {
    image: 'capstan-sample',
    tag: 'v1',
    port: 8080,
    env: [],
    healthCheck: { type: 'http', path: '/healthz', intervalSeconds: 0.5, timeoutSeconds: 1 },
    ...overrides,
  };
}

/**
 * The named service, created through the API (and deployed) when an earlier spec did not make it.
 * `replicas` is the initial count: it belongs to the service, not to its spec.
 */
export async function ensureService(
  api: APIRequestContext,
  name: string,
  spec = sampleSpec(),
  replicas = 1,
): Promise<ServiceRow> {
  const existing = await findService(api, name);
  if (existing) return existing;
  const res = await mutate<{ service: ServiceRow }>(api, 'services.create', {
    name,
    spec,
    replicas,
    deploy: true,
  });
  expect(res.status, res.error?.message).toBe(200);
  return res.data!.service;
}

/** Creates the viewer account if it is missing (needs an admin session on `api`). */
export async function ensureViewer(api: APIRequestContext) {
  const users = await query<{ email: string }[]>(api, 'users.list');
  if (users.data?.some((u) => u.email === VIEWER.email)) return;
  const res = await mutate(api, 'users.create', { ...VIEWER, role: 'viewer' });
  expect(res.status, res.error?.message).toBe(200);
}
