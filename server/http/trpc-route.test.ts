import { desc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST } from '@/app/api/trpc/[trpc]/route';
import { auditLog } from '@/db/schema';
import { createSession, resolveSession, SESSION_COOKIE } from '@/server/services/auth/sessions';
import { createUser } from '@/server/services/users/manage';
import { makeHarness, type Harness } from '@/server/testing/harness';
import { serveHarness } from '@/server/testing/serve-harness';
import { PEER_HEADER, TrustedProxies } from './client-address';
import { refuseUnsafeMutation } from './mutation-guard';

let h: Harness;
let undo: () => void;
let userId = '';
beforeAll(async () => {
  h = await makeHarness();
  undo = serveHarness(h);
  const admin = await h.as('admin');
  ({ id: userId } = await createUser(admin, {
    email: 'route@test.local',
    name: 'r',
    password: 'route-password-1',
    role: 'viewer',
  }));
});
afterAll(async () => {
  undo?.();
  await h?.close();
});

const HOST = 'capstan.test:3000';
const origin = { ip: '192.0.2.1', userAgent: 'vitest' };

/** A request as Next.js hands it to the route: Host, and the socket's address stamped. */
function request(path: string, init: { body?: BodyInit; headers?: Record<string, string> } = {}) {
  return new Request(`http://${HOST}/api/trpc/${path}`, {
    method: 'POST',
    body: init.body,
    headers: { host: HOST, [PEER_HEADER]: '192.0.2.1', ...init.headers },
  });
}

async function session() {
  const { token } = await createSession(h.db, userId, origin);
  return { token, cookie: `${SESSION_COOKIE}=${token}` };
}
const signedIn = async (token: string) => (await resolveSession(h.db, token, origin)) !== null;

describe('cross-site requests to the tRPC route', () => {
  it('refuses a cross-site multipart POST to auth.signOut, and the session lives on', async () => {
    const { token, cookie } = await session();
    const form = new FormData();
    form.set('x', 'y');
    const res = await POST(
      request('auth.signOut', {
        body: form,
        headers: { cookie, origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' },
      }),
    );
    expect(res.status).toBe(415);
    expect(await signedIn(token)).toBe(true);
  });

  it('refuses a form-encoded or text body even without Origin', async () => {
    const { token, cookie } = await session();
    for (const type of ['application/x-www-form-urlencoded', 'text/plain']) {
      const res = await POST(
        request('auth.signOut', { body: '{}', headers: { cookie, 'content-type': type } }),
      );
      expect(res.status, type).toBe(415);
    }
    expect(await signedIn(token)).toBe(true);
  });

  it('refuses JSON from another origin or another site of the same host', async () => {
    const { token, cookie } = await session();
    const json = { 'content-type': 'application/json', cookie };
    const tries: Record<string, string>[] = [
      { origin: 'http://evil.example' },
      { origin: 'null' },
      // Another port of the same host is the same site (SameSite cookies go along), not the same origin.
      { origin: 'http://capstan.test:8080' },
      { 'sec-fetch-site': 'same-site' },
      { 'sec-fetch-site': 'cross-site', origin: `http://${HOST}` },
    ];
    for (const headers of tries) {
      const res = await POST(request('auth.signOut', { headers: { ...json, ...headers } }));
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(((await res.json()) as { error: { json: { message: string } } }).error.json.message).toMatch(
        /Cross-site/,
      );
    }
    expect(await signedIn(token)).toBe(true);
  });

  it("accepts the console's own requests and programs that send no Origin", async () => {
    const json = { 'content-type': 'application/json' };
    const browser = await session();
    const res = await POST(
      request('auth.signOut', {
        headers: {
          ...json,
          cookie: browser.cookie,
          origin: `http://${HOST}`,
          'sec-fetch-site': 'same-origin',
        },
      }),
    );
    expect(res.status).toBe(200);
    expect(await signedIn(browser.token)).toBe(false);
    const cli = await session();
    expect((await POST(request('auth.signOut', { headers: { ...json, cookie: cli.cookie } }))).status).toBe(
      200,
    );
    expect(await signedIn(cli.token)).toBe(false);
  });

  it('believes X-Forwarded-Host for the origin only from a trusted proxy', () => {
    const behindProxy = (trusted: string) =>
      refuseUnsafeMutation(
        new Request('http://127.0.0.1:3000/api/trpc/auth.signOut', {
          method: 'POST',
          headers: {
            host: '127.0.0.1:3000',
            [PEER_HEADER]: '10.0.0.2',
            'x-forwarded-host': 'capstan.example.com',
            'x-forwarded-proto': 'https',
            origin: 'https://capstan.example.com',
            'content-type': 'application/json',
          },
        }),
        TrustedProxies.parse(trusted),
      );
    expect(behindProxy('')?.status).toBe(403);
    expect(behindProxy('10.0.0.0/24')).toBeNull();
  });
});

describe('sign-in over HTTP', () => {
  const body = (password: string) => JSON.stringify({ json: { email: 'route@test.local', password } });
  const json = { 'content-type': 'application/json' };

  it('refuses sign-ins in a batch, before any password is checked', async () => {
    const batch = Object.fromEntries(
      Array.from({ length: 3 }, (_, i) => [
        i,
        { json: { email: 'route@test.local', password: `guess-${i}` } },
      ]),
    );
    const res = await POST(
      request('auth.signIn,auth.signIn,auth.signIn?batch=1', { body: JSON.stringify(batch), headers: json }),
    );
    expect(res.status).toBe(400);
    const answers = (await res.json()) as { error: { json: { message: string } } }[];
    expect(answers).toHaveLength(3);
    expect(answers[0]!.error.json.message).toMatch(/cannot be batched/);
    const audited = await h.db.select().from(auditLog).where(eq(auditLog.action, 'auth.signIn'));
    expect(audited).toHaveLength(0);
  });

  it('answers 429 with Retry-After once the guesses run out', async () => {
    const headers = { ...json, [PEER_HEADER]: '198.51.100.200' };
    let last: Response | undefined;
    for (let i = 0; i < 12 && last?.status !== 429; i++)
      last = await POST(request('auth.signIn', { body: body(`wrong-${i}`), headers }));
    expect(last?.status).toBe(429);
    expect(Number(last?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });

  it('records the socket address, not a forged X-Forwarded-For', async () => {
    const res = await POST(
      request('auth.signIn', {
        body: body('route-password-1'),
        headers: { ...json, [PEER_HEADER]: '::ffff:198.51.100.9', 'x-forwarded-for': '6.6.6.6' },
      }),
    );
    expect(res.status).toBe(200);
    const [row] = await h.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.action, 'auth.signIn'))
      .orderBy(desc(auditLog.at))
      .limit(1);
    expect(row?.ip).toBe('198.51.100.9');
  });
});
