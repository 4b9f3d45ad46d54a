import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Replica } from '@/server/docker/engine';
import type { Deps } from '@/server/services/context';
import { ProbeStore } from '@/server/services/health/probe-store';
import { HealthProber, type HealthCheck } from './health-prober';

// Real sockets on 127.0.0.1: one replica that answers its health check, one that accepts and never answers.
let ok: http.Server;
let hung: net.Server;
let hungConnections = 0;
const held: net.Socket[] = [];
beforeAll(async () => {
  ok = http.createServer((_req, res) => res.end('ok'));
  hung = net.createServer((socket) => {
    hungConnections++;
    held.push(socket);
  });
  await Promise.all([
    new Promise<void>((r) => ok.listen(0, '127.0.0.1', r)),
    new Promise<void>((r) => hung.listen(0, '127.0.0.1', r)),
  ]);
});
afterAll(async () => {
  for (const s of held) s.destroy();
  await Promise.all([new Promise((r) => ok.close(r)), new Promise((r) => hung.close(r))]);
});

const TIMEOUT_S = 3;
const httpCheck = (path: string): HealthCheck => ({
  type: 'http',
  path,
  intervalSeconds: 0.2,
  timeoutSeconds: TIMEOUT_S,
  healthyThreshold: 1,
  unhealthyThreshold: 1,
  startPeriodSeconds: 0,
});
const checkOf = () => httpCheck('/healthz');

function replica(id: string, server: net.Server, revision = 1): Replica {
  return {
    id,
    name: id,
    serviceId: 'svc',
    serviceName: 'svc',
    revision,
    replica: id === 'good' ? 0 : 1,
    generation: 0,
    deploymentId: null,
    image: 'capstan-sample:v1',
    state: 'running',
    status: 'Up',
    hostPort: (server.address() as AddressInfo).port,
    createdAt: new Date(),
  };
}

describe('health prober', () => {
  it('does not hold a tick for a replica that never answers, and reports it when its probe times out', async () => {
    const probes = new ProbeStore();
    let late = 0;
    const prober = new HealthProber({ probes } as unknown as Deps, () => late++);
    const replicas = [replica('good', ok), replica('stuck', hung)];

    const t0 = performance.now();
    const first = await prober.tick(checkOf, replicas);
    const firstMs = performance.now() - t0;
    // The answering replica's verdict is there at once; the tick did not wait out the 3 s timeout.
    expect(firstMs).toBeLessThan(1000);
    expect(first.map((f) => [f.replica.id, f.healthy])).toEqual([['good', true]]);
    expect(probes.get('stuck')).toBeUndefined();

    // Ticks while the stuck probe runs start no second probe of that replica.
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 250));
      expect(await prober.tick(checkOf, replicas)).toEqual([]);
    }
    expect(hungConnections).toBe(1);

    // The timeout's verdict arrives between ticks: the loop is told, and the next tick returns it.
    const deadline = Date.now() + TIMEOUT_S * 1000 + 2000;
    while (late === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(late).toBe(1);
    const later = await prober.tick(checkOf, replicas);
    expect(later.map((f) => [f.replica.id, f.healthy, f.error])).toEqual([
      ['stuck', false, `timed out after ${TIMEOUT_S * 1000} ms`],
    ]);
    expect(probes.get('stuck')?.healthy).toBe(false);
    expect(probes.get('good')?.healthy).toBe(true);
  });

  it('drops a late verdict of a replica that is gone by the next tick', async () => {
    const probes = new ProbeStore();
    const prober = new HealthProber({ probes } as unknown as Deps, () => undefined, 50);
    const stuck = replica('gone', hung);
    expect(await prober.tick(checkOf, [stuck])).toEqual([]);
    await new Promise((r) => setTimeout(r, TIMEOUT_S * 1000 + 200));
    expect(await prober.tick(checkOf, [])).toEqual([]);
    expect(probes.get('gone')).toBeUndefined();
  });
});

describe('health prober, during a rollout that changes the health check', () => {
  // Revision 1 answers on /healthz only, revision 2 on /ready only: each must be asked its own question.
  const asked: Record<string, string[]> = { old: [], new: [] };
  const answering = (who: 'old' | 'new', path: string) =>
    http.createServer((req, res) => {
      asked[who]!.push(req.url ?? '');
      res.statusCode = req.url === path ? 200 : 404;
      res.end();
    });
  const oldServer = answering('old', '/healthz');
  const newServer = answering('new', '/ready');
  beforeAll(async () => {
    await Promise.all(
      [oldServer, newServer].map((s) => new Promise<void>((r) => s.listen(0, '127.0.0.1', r))),
    );
  });
  afterAll(async () => {
    await Promise.all([oldServer, newServer].map((s) => new Promise((r) => s.close(r))));
  });

  it("probes each replica with its own revision's check", async () => {
    const probes = new ProbeStore();
    const prober = new HealthProber({ probes } as unknown as Deps, () => undefined, 1000);
    const checks = new Map([
      [1, httpCheck('/healthz')],
      [2, httpCheck('/ready')],
    ]);
    const old = replica('old', oldServer, 1);
    const fresh = replica('new', newServer, 2);
    for (let i = 0; i < 4; i++) {
      await prober.tick((r) => checks.get(r.revision) ?? null, [old, fresh]);
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(asked.old!.length).toBeGreaterThanOrEqual(3);
    expect(new Set(asked.old)).toEqual(new Set(['/healthz']));
    expect(new Set(asked.new)).toEqual(new Set(['/ready']));
    expect(probes.get('old')?.healthy).toBe(true);
    expect(probes.get('new')?.healthy).toBe(true);
  });
});
