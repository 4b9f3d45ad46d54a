import { count } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { auditLog, users } from '@/db/schema';
import { makeHarness, type Harness } from '@/server/testing/harness';

// Limits of this test's own, read from the environment like an operator would set them.
vi.hoisted(() => {
  process.env.CAPSTAN_MAX_BODY_BYTES = String(64 * 1024);
  process.env.CAPSTAN_MAX_BATCH_CALLS = '12';
});

let h: Harness;
vi.mock('@/server/runtime', () => ({ getRuntime: async () => h }));

let route: typeof import('@/app/api/trpc/[trpc]/route');
beforeAll(async () => {
  h = await makeHarness();
  route = await import('@/app/api/trpc/[trpc]/route');
});
afterAll(async () => h?.close());

const url = (path: string, query = '') => `http://localhost/api/trpc/${path}${query}`;

/** A body of `size` bytes of JSON text, produced as it is read; counts what was read. */
function streamed(size: number) {
  const pulled = { bytes: 0 };
  const chunk = 16 * 1024;
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(new TextEncoder().encode('{"json":{"email":"a@b.cd","password":"'));
    },
    pull(c) {
      if (pulled.bytes >= size) {
        c.enqueue(new TextEncoder().encode('"}}'));
        c.close();
        return;
      }
      pulled.bytes += chunk;
      c.enqueue(new Uint8Array(chunk).fill(0x78));
    },
  });
  return { body, pulled };
}

const post = (
  path: string,
  body: ReadableStream<Uint8Array> | string,
  headers: Record<string, string> = {},
) =>
  route.POST(
    new Request(url(path), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
      duplex: 'half',
    } as RequestInit),
  );

const rows = async () => ({
  audit: (await h.db.select({ n: count() }).from(auditLog))[0]!.n,
  users: (await h.db.select({ n: count() }).from(users))[0]!.n,
});

async function errorOf(res: Response) {
  const json = (await res.json()) as
    | { error: { json: { message: string; data: { code: string } } } }
    | { error: { json: { message: string } } }[];
  return (Array.isArray(json) ? json[0]! : json).error.json;
}

describe('the request body limit', () => {
  it('refuses a body that declares more than the limit, without reading it', async () => {
    const before = await rows();
    const { body, pulled } = streamed(10 * 1024 * 1024);
    const res = await post('auth.signIn', body, { 'content-length': String(10 * 1024 * 1024) });
    expect(res.status).toBe(413);
    expect((await errorOf(res)).message).toMatch(/at most 64 KiB/);
    expect(pulled.bytes).toBeLessThanOrEqual(64 * 1024);
    expect(await rows()).toEqual(before);
  });

  it('stops reading a body of undeclared length at the limit', async () => {
    const before = await rows();
    const { body, pulled } = streamed(10 * 1024 * 1024);
    const res = await post('auth.signIn', body);
    expect(res.status).toBe(413);
    expect((await errorOf(res)).message).toMatch(/at most 64 KiB/);
    expect(pulled.bytes).toBeLessThanOrEqual(64 * 1024 + 32 * 1024);
    expect((await rows()).users).toBe(before.users);
  });

  it('takes a body within the limit', async () => {
    const res = await post(
      'auth.signIn',
      JSON.stringify({ json: { email: 'nobody@test.local', password: 'x'.repeat(100) } }),
    );
    expect(res.status).toBe(401);
  });
});

describe('the batch limit', () => {
  const batch = (n: number) => post(`${Array(n).fill('auth.signOut').join(',')}?batch=1`, JSON.stringify({}));

  it('answers a batch of up to the limit', async () => {
    const before = await rows();
    const res = await batch(12);
    expect(res.status).toBe(200);
    expect(await res.json()).toHaveLength(12);
    expect((await rows()).audit).toBe(before.audit + 12);
  });

  it('refuses a larger batch as a whole, running none of its calls', async () => {
    const before = await rows();
    const res = await batch(1000);
    expect(res.status).toBe(413);
    expect((await errorOf(res)).message).toMatch(/at most 12 calls/);
    expect(await rows()).toEqual(before);
  });
});

describe('the limits by default', () => {
  it('are 1 MiB and 20 calls', async () => {
    vi.resetModules();
    delete process.env.CAPSTAN_MAX_BODY_BYTES;
    delete process.env.CAPSTAN_MAX_BATCH_CALLS;
    const { requestLimits } = await import('./request-limits');
    expect(requestLimits()).toEqual({ maxBodyBytes: 1024 * 1024, maxBatchCalls: 20 });
  });
});
