/**
 * How many requests fail while the traffic router reloads HAProxy and swaps replicas, for clients that
 * keep connections alive and for clients that open a new connection per request.
 *
 *   node --import tsx bench/proxy-reload/run.ts [reloads=20] [swaps=10]
 *
 * Needs Docker with capstan-sample:v1/v2 and /usr/sbin/haproxy. Containers carry the label
 * capstan.test=proxy-bench and are removed at the end.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { TrafficRouter } from '../../server/proxy/traffic-router';
import type { Backend, BackendServer } from '../../server/proxy/types';

const run = promisify(execFile);
const LABEL = 'capstan.test=proxy-bench';
const reloads = Number(process.argv[2] ?? 20);
const swaps = Number(process.argv[3] ?? 10);

async function docker(...args: string[]) {
  return (await run('docker', args)).stdout.trim();
}

async function replica(tag: string): Promise<BackendServer> {
  const id = await docker('run', '-d', '--label', LABEL, '-p', '127.0.0.1::8080', `capstan-sample:${tag}`);
  const port = Number(/:(\d+)/.exec(await docker('port', id, '8080/tcp'))?.[1]);
  for (;;) {
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return { id, host: '127.0.0.1', port, state: 'ready' };
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

function fresh(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
  });
}

async function kept(port: number): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}/`);
  await res.arrayBuffer();
  return res.status;
}

function clients(port: number) {
  const tally = {
    keepAlive: { ok: 0, failed: 0 },
    fresh: { ok: 0, failed: 0 },
    errors: new Map<string, number>(),
  };
  let stop = false;
  const loop = async (kind: 'keepAlive' | 'fresh') => {
    while (!stop) {
      try {
        const status = await (kind === 'fresh' ? fresh(port) : kept(port));
        if (status === 200) tally[kind].ok++;
        else throw new Error(`HTTP ${status}`);
      } catch (err) {
        tally[kind].failed++;
        const e = err as Error & { code?: string; cause?: { code?: string } };
        const key = `${kind}: ${e.cause?.code ?? e.code ?? e.message}`;
        tally.errors.set(key, (tally.errors.get(key) ?? 0) + 1);
      }
    }
  };
  const loops = [loop('keepAlive'), loop('keepAlive'), loop('fresh'), loop('fresh')];
  return {
    tally,
    async stop() {
      stop = true;
      await Promise.all(loops);
      return tally;
    },
  };
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'capstan-bench-'));
const router = new TrafficRouter({ dir });
try {
  await router.start();
  const web: Backend = {
    serviceId: 'web',
    name: 'web',
    listenPort: await freePort(),
    servers: [await replica('v1')],
  };
  const extra: Backend = { serviceId: 'extra', name: 'extra', listenPort: await freePort(), servers: [] };
  await router.sync([web]);

  let load = clients(web.listenPort);
  let t = Date.now();
  const reloadMs: number[] = [];
  for (let i = 0; i < reloads; i++) {
    const s = Date.now();
    await router.sync(i % 2 === 0 ? [web, extra] : [web]);
    reloadMs.push(Date.now() - s);
    await new Promise((r) => setTimeout(r, 100));
  }
  report(`${reloads} reloads`, await load.stop(), Date.now() - t, reloadMs);

  load = clients(web.listenPort);
  t = Date.now();
  const swapMs: number[] = [];
  for (let i = 0; i < swaps; i++) {
    const s = Date.now();
    const next = await replica(i % 2 === 0 ? 'v2' : 'v1');
    const old = web.servers;
    await router.sync([{ ...web, servers: [...old.map((o) => ({ ...o, state: 'drain' as const })), next] }]);
    for (const o of old) while ((await router.activeSessions(web.serviceId, o.id)) > 0);
    web.servers = [next];
    await router.sync([web]);
    await docker('rm', '-f', ...old.map((o) => o.id));
    swapMs.push(Date.now() - s);
  }
  report(`${swaps} replica swaps (start, drain, remove)`, await load.stop(), Date.now() - t, swapMs);
} finally {
  await router.stop();
  const ids = await docker('ps', '-aq', '--filter', `label=${LABEL}`);
  if (ids) await docker('rm', '-f', ...ids.split('\n'));
  fs.rmSync(dir, { recursive: true, force: true });
}

function report(what: string, tally: ReturnType<typeof clients>['tally'], ms: number, each: number[]) {
  const sorted = [...each].sort((a, b) => a - b);
  const p = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  console.log(
    `${what} in ${(ms / 1000).toFixed(1)} s (each: median ${p(0.5)} ms, max ${p(1)} ms): ` +
      `keep-alive ${tally.keepAlive.ok} ok / ${tally.keepAlive.failed} failed, ` +
      `new connection ${tally.fresh.ok} ok / ${tally.fresh.failed} failed`,
  );
  for (const [k, n] of tally.errors) console.log(`  ${n} × ${k}`);
}
