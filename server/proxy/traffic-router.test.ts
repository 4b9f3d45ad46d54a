import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { serverName } from './config';
import { HaproxyProcess } from './haproxy';
import { TrafficRouter } from './traffic-router';
import { ProxyError, type Backend, type BackendServer } from './types';

const run = promisify(execFile);
const LABEL = 'capstan.test=proxy';

type Replica = { id: string; host: string; port: number; version: string };

async function docker(...args: string[]): Promise<string> {
  return (await run('docker', args)).stdout.trim();
}

async function waitFor<T>(what: string, check: () => Promise<T | null | undefined | false>, ms = 20_000) {
  const deadline = Date.now() + ms;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v !== null && v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

/** A sample container on an ephemeral 127.0.0.1 port, once its /healthz passes (what Capstan's prober decides). */
async function replica(version: 'v1' | 'v2' | 'v3', env: Record<string, string> = {}): Promise<Replica> {
  const envArgs = Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  const id = await docker(
    'run',
    '-d',
    '--label',
    LABEL,
    '-p',
    '127.0.0.1::8080',
    ...envArgs,
    `capstan-sample:${version}`,
  );
  const mapped = await docker('port', id, '8080/tcp');
  const port = Number(/127\.0\.0\.1:(\d+)/.exec(mapped)?.[1]);
  await waitFor(`replica ${id.slice(0, 12)} healthy`, async () => {
    const res = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null);
    return res?.status === 200;
  });
  return { id, host: '127.0.0.1', port, version };
}

const server = (r: Replica, state: BackendServer['state'] = 'ready'): BackendServer => ({
  id: r.id,
  host: r.host,
  port: r.port,
  state,
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

type Sample = { at: number; version: string };

/** Four concurrent request loops against one endpoint until stopped (bounded at 60 s). */
function load(port: number, concurrency = 4) {
  const samples: Sample[] = [];
  const failures: string[] = [];
  let stopped = false;
  const deadline = Date.now() + 60_000;
  const loops = [...Array(concurrency).keys()].map(async () => {
    while (!stopped && Date.now() < deadline) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(5_000) });
        const body = await res.text();
        if (res.status !== 200) failures.push(`HTTP ${res.status}: ${body.slice(0, 80)}`);
        else samples.push({ at: Date.now(), version: (JSON.parse(body) as { version: string }).version });
      } catch (err) {
        const e = err as Error & { cause?: { code?: string } };
        failures.push(e.cause?.code ?? e.message);
      }
    }
  });
  return {
    samples,
    failures,
    /** Resolves once `n` more requests have succeeded. */
    async more(n: number) {
      const target = samples.length + n;
      await waitFor(`${n} more responses`, async () => samples.length >= target || failures.length > 20);
    },
    async stop() {
      stopped = true;
      await Promise.all(loops);
      return { ok: samples.length, failed: failures.length };
    },
  };
}

async function get(port: number, p = '/'): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${p}`);
  return { status: res.status, body: await res.text() };
}

/** A new connection is refused (an idle keep-alive one may still be served by a worker on its way out). */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
  });
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'capstan-proxy-'));
const router = new TrafficRouter({ dir });
const routers: TrafficRouter[] = [router];
const dirs = [dir];

beforeAll(async () => {
  await router.start();
});

afterAll(async () => {
  for (const r of routers) await r.stop().catch(() => undefined);
  const ids = await docker('ps', '-aq', '--filter', `label=${LABEL}`);
  if (ids) await docker('rm', '-f', ...ids.split('\n'));
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('the traffic router on a real HAProxy', () => {
  let web: Backend;
  let v1: Replica[];

  it('serves one endpoint across two healthy replicas and counts requests per replica', async () => {
    v1 = await Promise.all([replica('v1'), replica('v1')]);
    web = {
      serviceId: 'svc-web',
      name: 'web',
      listenPort: await freePort(),
      servers: v1.map((r) => server(r)),
    };
    const first = await router.sync([web]);
    expect(first.reloaded).toBe(true);

    const hosts = new Map<string, number>();
    for (let i = 0; i < 40; i++) {
      const res = await get(web.listenPort);
      expect(res.status).toBe(200);
      const body = JSON.parse(res.body) as { version: string; hostname: string };
      expect(body.version).toBe('v1');
      hosts.set(body.hostname, (hosts.get(body.hostname) ?? 0) + 1);
    }
    expect([...hosts.values()].sort()).toEqual([20, 20]);

    const stats = await router.stats();
    expect(stats.up).toBe(true);
    const svc = stats.services.find((s) => s.serviceId === 'svc-web')!;
    expect(svc.requests).toBe(40);
    expect(svc.errors5xx).toBe(0);
    expect(svc.servers.map((s) => [s.id, s.requests, s.state]).sort()).toEqual(
      v1.map((r) => [r.id, 20, 'ready']).sort(),
    );

    const health = await router.health();
    expect(health).toMatchObject({ ok: true, version: expect.stringMatching(/^2\.\d+/) });

    // The same desired state again changes nothing.
    expect(await router.sync([web])).toEqual({
      reloaded: false,
      actions: [],
      pendingRemoval: [],
      refused: [],
    });
  });

  it('swaps v1 for v2 under load through the runtime API: no reload, no failed request', async () => {
    const before = await router.health();
    const v2 = await replica('v2');
    const traffic = load(web.listenPort);
    await traffic.more(300);

    // A config that differs only in server lines is not checked again (`haproxy -c` costs ~50 ms a step).
    const validate = vi.spyOn(HaproxyProcess.prototype, 'validate');
    // One step, as a rollout takes it: the new replica joins and the old ones drain. v2 is ready first.
    const swapped = await router.sync([
      { ...web, servers: [...v1.map((r) => server(r, 'drain')), server(v2)] },
    ]);
    expect(swapped.actions).toEqual([
      `add server be_svc-web/${serverName(v2.id)} 127.0.0.1:${v2.port} weight 100`,
      `set server be_svc-web/${serverName(v2.id)} state ready`,
      ...v1.map((r) => `set server be_svc-web/${serverName(r.id)} state drain`),
    ]);
    const drained = Date.now();
    for (const r of v1)
      await waitFor('v1 drained', async () => (await router.activeSessions(web.serviceId, r.id)) === 0);
    web = { ...web, servers: [server(v2)] };
    const removed = await router.sync([web]);
    expect(removed.pendingRemoval).toEqual([]);
    expect(removed.actions.filter((a) => a.startsWith('del server'))).toHaveLength(2);
    expect(validate).not.toHaveBeenCalled();
    validate.mockRestore();
    // …yet the file a restart would start from says what the runtime API was told.
    const onDisk = fs.readFileSync(path.join(dir, 'haproxy.cfg'), 'utf8');
    expect(onDisk).toContain(`server ${serverName(v2.id)} 127.0.0.1:${v2.port}`);
    for (const r of v1) expect(onDisk).not.toContain(serverName(r.id));
    await Promise.all(v1.map((r) => docker('stop', '-t', '5', r.id)));
    await traffic.more(1000);
    const { ok, failed } = await traffic.stop();

    console.log(`v1→v2 swap under load: ${ok} requests, ${failed} failed`, traffic.failures.slice(0, 5));
    expect(failed).toBe(0);
    expect(traffic.samples[0]!.version).toBe('v1');
    // A response that started after the drain and finished after it can come only from v2.
    const late = traffic.samples.filter((s) => s.at > drained + 200);
    expect(late.length).toBeGreaterThan(100);
    expect(late.every((s) => s.version === 'v2')).toBe(true);
    expect((await router.health()).reloads).toBe(before.reloads);
    const svc = (await router.stats()).services.find((s) => s.serviceId === 'svc-web')!;
    expect(svc.servers.map((s) => s.id)).toEqual([v2.id]);
    expect(svc.errors5xx).toBe(0);
    v1 = [];
  });

  it('adds and removes whole services with seamless reloads while another one serves, dropping nothing', async () => {
    const extra = await replica('v3');
    const other: Backend = {
      serviceId: 'svc-other',
      name: 'other',
      listenPort: await freePort(),
      servers: [server(extra)],
    };
    const before = await router.health();
    const traffic = load(web.listenPort);
    await traffic.more(50);
    const validate = vi.spyOn(HaproxyProcess.prototype, 'validate');
    for (let i = 0; i < 3; i++) {
      const up = await router.sync([web, other]);
      expect(up.reloaded).toBe(true);
      expect(up.actions[0]).toBe('reload (+svc-other)');
      expect(JSON.parse((await get(other.listenPort)).body)).toMatchObject({ version: 'v3' });
      await traffic.more(50);
      const down = await router.sync([web]);
      expect(down.actions).toEqual(['reload (-svc-other)']);
      expect(await refused(other.listenPort)).toBe(true);
      await traffic.more(50);
    }
    // Each new shape is checked before HAProxy reloads into it.
    expect(validate).toHaveBeenCalledTimes(6);
    validate.mockRestore();
    const { ok, failed } = await traffic.stop();
    const after = await router.health();
    console.log(`6 reloads under load: ${ok} requests, ${failed} failed`, traffic.failures.slice(0, 5));
    expect(failed).toBe(0);
    expect(after.reloads! - before.reloads!).toBe(6);
    expect(after.masterPid).toBe(before.masterPid);
  });

  it('leaves out a service whose port another process holds and serves the others as asked', async () => {
    const holder = net.createServer().listen(0, '127.0.0.1');
    await new Promise((r) => holder.once('listening', r));
    const taken = (holder.address() as net.AddressInfo).port;
    const before = await router.health();
    try {
      const clash: Backend = { serviceId: 'svc-clash', name: 'clash', listenPort: taken, servers: [] };
      const result = await router.sync([web, clash]);
      expect(result.reloaded).toBe(false);
      expect(result.refused).toEqual([
        {
          serviceId: 'svc-clash',
          error: `its endpoint 127.0.0.1:${taken} cannot be served: another process listens on that port`,
        },
      ]);
    } finally {
      holder.close();
    }
    const after = await router.health();
    expect(after).toMatchObject({ ok: true, reloads: before.reloads, failedReloads: before.failedReloads });
    expect(fs.readFileSync(path.join(dir, 'haproxy.cfg'), 'utf8')).not.toContain('svc-clash');
    expect((await get(web.listenPort)).status).toBe(200);
    expect(await router.sync([web])).toEqual({
      reloaded: false,
      actions: [],
      pendingRemoval: [],
      refused: [],
    });
  });

  it('rejects bad input and changes nothing', async () => {
    const err = await router
      .sync([web, { ...web, serviceId: 'svc-dup', servers: [] }])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProxyError);
    expect((err as ProxyError).kind).toBe('invalid');
    expect(await router.sync([web])).toEqual({
      reloaded: false,
      actions: [],
      pendingRemoval: [],
      refused: [],
    });
  });

  it('drains a replica: in-flight requests finish, new ones go elsewhere, sessions reach 0', async () => {
    const slow = await replica('v3', { LATENCY_MS: '1500' });
    const fast = web.servers[0]!;
    web = { ...web, servers: [fast, server(slow)] };
    await router.sync([web]);
    // Round robin: of two requests, one lands on the slow replica and stays in flight.
    const inflight = [get(web.listenPort), get(web.listenPort)];
    await waitFor(
      'a request in flight on the slow replica',
      async () => (await router.activeSessions(web.serviceId, slow.id)) >= 1,
    );

    await router.drain(web.serviceId, slow.id);
    const during = await Promise.all([...Array(10).keys()].map(() => get(web.listenPort)));
    expect(during.map((r) => (JSON.parse(r.body) as { version: string }).version)).toEqual(
      Array(10).fill('v2'),
    );
    expect(
      (await router.stats()).services.find((s) => s.serviceId === web.serviceId)!.servers,
    ).toContainEqual(expect.objectContaining({ id: slow.id, state: 'drain', sessions: 1 }));

    const done = await Promise.all(inflight);
    expect(done.map((r) => r.status)).toEqual([200, 200]);
    expect(done.map((r) => (JSON.parse(r.body) as { version: string }).version).sort()).toEqual(['v2', 'v3']);
    expect(await router.activeSessions(web.serviceId, slow.id)).toBe(0);

    // drain() also wrote the config: a reload now (another service appearing) keeps it out of rotation.
    const more: Backend = { serviceId: 'svc-more', name: 'more', listenPort: await freePort(), servers: [] };
    const stored = JSON.parse(fs.readFileSync(path.join(dir, 'backends.json'), 'utf8')) as Backend[];
    expect((await router.sync([...stored, more])).actions).toEqual([
      'reload (+svc-more)',
      `set server be_svc-web/${serverName(slow.id)} state drain`,
    ]);
    const after = await Promise.all([...Array(6).keys()].map(() => get(web.listenPort)));
    expect(after.every((r) => r.body.includes('"v2"'))).toBe(true);
    web = { ...web, servers: [fast] };
    expect((await router.sync([web, more])).actions).toEqual([
      `set server be_svc-web/${serverName(slow.id)} state maint`,
      `del server be_svc-web/${serverName(slow.id)}`,
    ]);
    expect((await router.sync([web])).actions).toEqual(['reload (-svc-more)']);
  });

  it('takes a replica removed mid-request out at once, and deletes it once its request ends', async () => {
    const slow = await replica('v3', { LATENCY_MS: '1500' });
    await router.sync([{ ...web, servers: [...web.servers, server(slow)] }]);
    const inflight = [get(web.listenPort), get(web.listenPort)];
    await waitFor(
      'a request in flight on the slow replica',
      async () => (await router.activeSessions(web.serviceId, slow.id)) >= 1,
    );
    const target = `be_svc-web/${serverName(slow.id)}`;
    const first = await router.sync([web]);
    expect(first.actions).toEqual([`set server ${target} state maint`]);
    expect(first.pendingRemoval).toEqual([
      { serviceId: web.serviceId, server: serverName(slow.id), sessions: 1 },
    ]);
    expect((await Promise.all(inflight)).map((r) => r.status)).toEqual([200, 200]);
    const second = await router.sync([web]);
    expect(second).toEqual({
      reloaded: false,
      actions: [`del server ${target}`],
      pendingRemoval: [],
      refused: [],
    });
  });

  it('is adopted, not restarted, by a Capstan that was killed and started again', async () => {
    const adoptDir = fs.mkdtempSync(path.join(os.tmpdir(), 'capstan-adopt-'));
    dirs.push(adoptDir);
    const r = await replica('v2');
    const svc: Backend = {
      serviceId: 'svc-adopt',
      name: 'adopt',
      listenPort: await freePort(),
      servers: [server(r)],
    };
    // A separate Capstan process starts HAProxy, syncs, and is SIGKILLed.
    const script = path.join(adoptDir, 'capstan.mts');
    fs.writeFileSync(
      script,
      [
        `import { TrafficRouter } from ${JSON.stringify(path.resolve('server/proxy/traffic-router.ts'))};`,
        `const router = new TrafficRouter({ dir: ${JSON.stringify(adoptDir)} });`,
        'await router.start();',
        `await router.sync(${JSON.stringify([svc])});`,
        'console.log(`ready ${router.pid}`);',
        'setInterval(() => {}, 60_000);',
      ].join('\n'),
    );
    const capstan = spawn(process.execPath, ['--import', 'tsx', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const pid = await new Promise<number>((resolve, reject) => {
      let out = '';
      capstan.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /ready (\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      capstan.once('exit', (code) => reject(new Error(`capstan child exited with ${code}: ${out}`)));
    });
    capstan.kill('SIGKILL');
    await new Promise((r) => capstan.once('exit', r));

    expect(JSON.parse((await get(svc.listenPort)).body)).toMatchObject({ version: 'v2' });
    const restarted = new TrafficRouter({ dir: adoptDir });
    routers.push(restarted);
    const traffic = load(svc.listenPort);
    await traffic.more(20);
    await restarted.start();
    expect(restarted.pid).toBe(pid);
    expect(await restarted.sync([svc])).toEqual({
      reloaded: false,
      actions: [],
      pendingRemoval: [],
      refused: [],
    });
    expect((await restarted.health()).masterPid).toBe(pid);
    const stats = await restarted.stats();
    expect(stats.services[0]!.servers[0]!.id).toBe(r.id);
    await traffic.more(20);
    const { ok, failed } = await traffic.stop();
    console.log(`adoption under load: ${ok} requests, ${failed} failed`);
    expect(failed).toBe(0);

    await restarted.stop();
    expect((await restarted.health()).ok).toBe(false);
    // Stopped for good, a later start launches a new master, empty until the next sync.
    await restarted.start();
    expect(restarted.pid).not.toBe(pid);
    expect(await refused(svc.listenPort)).toBe(true);
    expect((await restarted.sync([svc])).reloaded).toBe(true);
    expect((await get(svc.listenPort)).status).toBe(200);
  });
});
