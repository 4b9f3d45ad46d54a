import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GET as health } from '@/app/api/health/route';
import { GET as metrics } from '@/app/api/metrics/route';
import { createCaller } from '@/server/api/root';
import { createSession, SESSION_COOKIE } from '@/server/services/auth/sessions';
import { loadMetricsToken } from '@/server/services/metrics/scrape-token';
import { makeHarness, type Harness } from '@/server/testing/harness';
import { serveHarness } from '@/server/testing/serve-harness';

let h: Harness;
let undo: () => void;
beforeAll(async () => {
  h = await makeHarness();
  undo = serveHarness(h);
});
afterAll(async () => {
  undo?.();
  await h?.close();
});

const get = (url: string, headers: Record<string, string> = {}) =>
  new Request(`http://capstan.test${url}`, { headers });
const bearer = () => ({ authorization: `Bearer ${h.metricsToken}` });
const asCookie = async (role: 'viewer' | 'admin') => {
  const { actor } = await h.as(role);
  const { token } = await createSession(h.db, actor.id, { ip: null, userAgent: null });
  return { cookie: `${SESSION_COOKIE}=${token}` };
};

describe('GET /api/metrics', () => {
  it('wants the token by default', async () => {
    expect((await metrics(get('/api/metrics'))).status).toBe(401);
    expect((await metrics(get('/api/metrics', { authorization: 'Bearer wrong' }))).status).toBe(401);
    const res = await metrics(get('/api/metrics', bearer()));
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/^# HELP capstan_/m);
  });

  it('is open to anyone when metrics are public by choice (CAPSTAN_METRICS_PUBLIC=true)', async () => {
    const back = serveHarness({ ...h, metricsToken: null });
    try {
      expect((await metrics(get('/api/metrics'))).status).toBe(200);
    } finally {
      back();
    }
  });
});

describe('GET /api/health', () => {
  it('tells anyone the status and nothing else', async () => {
    const res = await health(get('/api/health'));
    const body = await res.json();
    expect(Object.keys(body)).toEqual(['status']);
    expect(JSON.stringify(body)).not.toMatch(/version|pid/i);
  });

  it('adds the details for an admin or the metrics token, not for a viewer', async () => {
    for (const headers of [bearer(), await asCookie('admin')]) {
      const body = await (await health(get('/api/health', headers))).json();
      expect(body, JSON.stringify(headers)).toMatchObject({
        database: { ok: true },
        docker: expect.any(Object),
      });
    }
    const viewer = await (await health(get('/api/health', await asCookie('viewer')))).json();
    expect(Object.keys(viewer)).toEqual(['status']);
  });
});

describe('the metrics token', () => {
  it('is generated once into the data dir, kept private, and replaced by the configured one', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'capstan-metrics-token-'));
    const first = loadMetricsToken({ public: false, dataDir: dir });
    expect(first).toMatch(/^[\w-]{40,}$/);
    expect(loadMetricsToken({ public: false, dataDir: dir })).toBe(first);
    expect(fs.statSync(path.join(dir, 'metrics.token')).mode & 0o777).toBe(0o600);
    expect(loadMetricsToken({ token: 'my-own-token-1234', public: false, dataDir: dir })).toBe(
      'my-own-token-1234',
    );
    expect(loadMetricsToken({ public: true, dataDir: dir })).toBeNull();
  });

  it('is shown to admins only', async () => {
    const caller = async (role: 'viewer' | 'admin') =>
      createCaller({
        deps: h,
        actor: (await h.as(role)).actor,
        origin: { ip: null, userAgent: null },
        sessionToken: undefined,
        resHeaders: null,
      });
    expect(await (await caller('admin')).metrics.scrapeAccess()).toEqual({
      public: false,
      token: h.metricsToken,
    });
    await expect((await caller('viewer')).metrics.scrapeAccess()).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
  });
});
