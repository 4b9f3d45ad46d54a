import { and, asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events, revisions } from '@/db/schema';
import { Invalid, Precondition } from '@/server/services/errors';
import { createService } from '@/server/services/service/create';
import { deployService } from '@/server/services/service/deploy';
import { restartReplica, restartService } from '@/server/services/service/restart';
import { scaleService } from '@/server/services/service/scale';
import { makeHarness, sampleSpec, uniqueName, waitFor, type Harness } from '@/server/testing/harness';
import { steadyLoad } from '@/server/testing/load';

let h: Harness;
beforeAll(async () => {
  h = await makeHarness({ proxy: true });
  h.loop({ probeIntervalMs: 200 }).start();
});
afterAll(async () => h?.close());

async function serviceWith(replicas: number, spec = sampleSpec()) {
  const dev = await h.as('developer');
  const { service, deployment } = await createService(dev, {
    name: uniqueName('scale'),
    description: '',
    protected: false,
    deploy: true,
    replicas,
    spec,
  });
  expect((await h.finished(deployment!.id)).status).toBe('succeeded');
  const [rev] = await h.db.select().from(revisions).where(eq(revisions.serviceId, service.id));
  return { dev, service, port: rev!.spec.endpointPort! };
}

const running = async (serviceId: string) =>
  (await h.docker.listReplicas({ serviceId })).filter((r) => r.state === 'running');

/** Waits until exactly `n` replicas run and all of them are in traffic (the proxy serves them). */
async function settled(serviceId: string, n: number) {
  return waitFor(
    `${n} replicas serving`,
    async () => {
      const list = await running(serviceId);
      const stats = await h.proxy!.stats();
      const servers = stats.services.find((s) => s.serviceId === serviceId)?.servers ?? [];
      const ready = servers.filter((s) => s.state === 'ready');
      return list.length === n && ready.length === n ? list : undefined;
    },
    60_000,
  );
}

async function stepsOf(serviceId: string) {
  return h.db.select().from(events).where(eq(events.serviceId, serviceId)).orderBy(asc(events.id));
}

describe('scaling without a redeploy', () => {
  it('scales 4 → 8 → 2 under load: 0 failed requests, running replicas kept, removed ones drained first', async () => {
    const { dev, service, port } = await serviceWith(4);
    const before = (await running(service.id)).map((r) => r.id).sort();
    const traffic = steadyLoad(port);

    await scaleService(dev, { serviceId: service.id, replicas: 8, reason: 'load test' });
    const eight = await settled(service.id, 8);
    expect(before.every((id) => eight.some((r) => r.id === id))).toBe(true);

    await scaleService(dev, { serviceId: service.id, replicas: 2, reason: '' });
    const two = await settled(service.id, 2);
    await waitFor('the extra replicas gone', async () =>
      (await h.docker.listReplicas({ serviceId: service.id })).length === 2 ? true : undefined,
    );
    const tally = await traffic.stop();
    expect(tally.failed, tally.errors.join('\n')).toBe(0);
    expect(tally.ok).toBeGreaterThan(50);

    // The two kept are the lowest indexes of the original four, same containers.
    expect(two.map((r) => r.replica).sort()).toEqual([0, 1]);
    expect(two.every((r) => before.includes(r.id))).toBe(true);
    // No revision was made, and no deployment.
    const revs = await h.db.select().from(revisions).where(eq(revisions.serviceId, service.id));
    expect(revs).toHaveLength(1);

    const all = await stepsOf(service.id);
    const steps = all.slice(all.findIndex((s) => s.kind === 'service.scaled'));
    const at = (kind: string, id: string) =>
      steps.findIndex(
        (s) => s.kind === kind && (s.data as { containerId?: string } | null)?.containerId === id,
      );
    // Every new replica passed its check before it received traffic.
    const started = steps.filter((s) => s.kind === 'replica.started');
    expect(started).toHaveLength(4);
    for (const s of started) {
      const id = (s.data as { containerId: string }).containerId;
      expect(at('replica.healthy', id)).toBeGreaterThan(-1);
      expect(at('replica.in-traffic', id)).toBeGreaterThan(at('replica.healthy', id));
    }
    // A replica joins traffic once: none is told "receives traffic" again as it begins to drain.
    const joined = all
      .filter((s) => s.kind === 'replica.in-traffic')
      .map((s) => (s.data as { containerId: string }).containerId);
    expect(new Set(joined).size).toBe(joined.length);
    // Every removed replica was drained before it stopped.
    const stopped = steps.filter((s) => s.kind === 'replica.stopped');
    expect(stopped).toHaveLength(6);
    for (const s of stopped) {
      const id = (s.data as { containerId: string }).containerId;
      expect(at('replica.draining', id)).toBeGreaterThan(-1);
      expect(at('replica.draining', id)).toBeLessThan(at('replica.stopped', id));
    }
    expect(steps.filter((s) => s.kind === 'service.scaled').map((s) => s.data)).toEqual([
      expect.objectContaining({ from: 4, to: 8, reason: 'load test' }),
      expect.objectContaining({ from: 8, to: 2 }),
    ]);
  });

  it('scales to zero: the endpoint answers 503 with a readable body, and back up', async () => {
    const { dev, service, port } = await serviceWith(1);
    await scaleService(dev, { serviceId: service.id, replicas: 0, reason: 'night' });
    await waitFor('no replica left', async () =>
      (await h.docker.listReplicas({ serviceId: service.id })).length === 0 ? true : undefined,
    );
    const res = await waitFor('the 503 body', async () => {
      const r = await fetch(`http://127.0.0.1:${port}/`);
      const body = await r.text();
      return r.status === 503 && body.includes('scaled to zero') ? body : undefined;
    });
    expect(res).toContain(service.name);
    await scaleService(dev, { serviceId: service.id, replicas: 1, reason: 'morning' });
    await settled(service.id, 1);
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(200);
  });

  it('converges a rollout to a count changed while it runs', async () => {
    const { dev, service } = await serviceWith(2);
    const { deployment } = await deployService(dev, {
      serviceId: service.id,
      reason: '',
      queue: false,
      spec: sampleSpec({
        tag: 'v2',
        strategy: { maxSurge: 1, maxUnavailable: 0, minReadySeconds: 1, progressDeadlineSeconds: 120 },
      }),
    });
    await waitFor('the rollout under way', async () =>
      (await h.docker.listReplicas({ serviceId: service.id })).some((r) => r.revision === 2)
        ? true
        : undefined,
    );
    await scaleService(dev, { serviceId: service.id, replicas: 4, reason: 'mid-rollout' });
    expect((await h.finished(deployment.id)).status).toBe('succeeded');
    const list = await settled(service.id, 4);
    expect(list.every((r) => r.revision === 2)).toBe(true);
  });

  it('refuses a scale that reserves more than the host has, with the numbers', async () => {
    const host = await h.docker.hostCapacity();
    const half = host.cpus / 2;
    const { dev, service } = await serviceWith(
      1,
      sampleSpec({
        resources: {
          cpus: null,
          memoryMb: null,
          cpuReservation: half,
          memoryReservationMb: null,
          pidsLimit: null,
        },
      }),
    );
    const err = await scaleService(dev, { serviceId: service.id, replicas: 3, reason: '' }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Precondition);
    const msg = (err as Error).message;
    expect(msg).toContain(`Not enough CPU on this host for 3 replica(s) of ${service.name}:`);
    expect(msg).toContain(`CPU free of ${host.cpus}`);
    expect(msg).toContain(`${half * 3} needed (3 × ${half} reserved)`);
    // A reservation the host cannot hold at all, asked by a deploy.
    const big = await deployService(dev, {
      serviceId: service.id,
      reason: '',
      queue: false,
      spec: sampleSpec({
        resources: {
          cpus: null,
          memoryMb: null,
          cpuReservation: null,
          memoryReservationMb: Math.floor(host.memoryBytes / 1024 / 1024 / 2) + 1,
          pidsLimit: null,
        },
      }),
    })
      .then(() => scaleService(dev, { serviceId: service.id, replicas: 2, reason: '' }))
      .catch((e: unknown) => e);
    expect(big).toBeInstanceOf(Precondition);
    expect((big as Error).message).toMatch(/Not enough memory on this host for 2 replica\(s\)/);
    // A CPU limit above the host's cores is refused at input, naming the field.
    const cpu = await deployService(dev, {
      serviceId: service.id,
      reason: '',
      queue: false,
      spec: sampleSpec({
        resources: {
          cpus: host.cpus + 1,
          memoryMb: null,
          cpuReservation: null,
          memoryReservationMb: null,
          pidsLimit: null,
        },
      }),
    }).catch((e: unknown) => e);
    expect(cpu).toBeInstanceOf(Invalid);
    expect((cpu as Error).message).toBe(
      `CPU limit ${host.cpus + 1} is more than this host's ${host.cpus} CPUs: pick at most ${host.cpus}.`,
    );
  });
});

describe('restarts', () => {
  it('restarts every replica one at a time under load, then one replica from its row', async () => {
    const { dev, service, port } = await serviceWith(3);
    const before = (await running(service.id)).map((r) => r.id);
    const traffic = steadyLoad(port);
    const d = await restartService(dev, { serviceId: service.id, reason: 'new certs' });
    expect(d.kind).toBe('restart');
    expect((await h.finished(d.id)).status).toBe('succeeded');
    const after = await settled(service.id, 3);
    expect(after.some((r) => before.includes(r.id))).toBe(false);

    const [victim, ...others] = after;
    await restartReplica(dev, { serviceId: service.id, containerId: victim!.id, reason: 'stuck' });
    const final = await waitFor('the replica replaced', async () => {
      const list = await settled(service.id, 3);
      return list.some((r) => r.id === victim!.id) ? undefined : list;
    });
    const tally = await traffic.stop();
    expect(tally.failed, tally.errors.join('\n')).toBe(0);
    expect(others.every((o) => final.some((r) => r.id === o.id))).toBe(true);
    expect(final.map((r) => r.replica).sort()).toEqual([0, 1, 2]);
    const steps = await stepsOf(service.id);
    const drained = steps.findIndex(
      (s) => s.kind === 'replica.draining' && (s.data as { containerId?: string }).containerId === victim!.id,
    );
    const stoppedAt = steps.findIndex(
      (s) => s.kind === 'replica.stopped' && (s.data as { containerId?: string }).containerId === victim!.id,
    );
    expect(drained).toBeGreaterThan(-1);
    expect(stoppedAt).toBeGreaterThan(drained);
  });

  it('applies a change of limits alone live: same containers, new limits in Docker', async () => {
    const limits = (cpus: number, memoryMb: number, pidsLimit: number) => ({
      cpus,
      memoryMb,
      cpuReservation: null,
      memoryReservationMb: null,
      pidsLimit,
    });
    const { dev, service } = await serviceWith(2, sampleSpec({ resources: limits(0.5, 64, 100) }));
    const before = (await running(service.id)).map((r) => r.id).sort();
    const { deployment } = await deployService(dev, {
      serviceId: service.id,
      reason: '',
      queue: false,
      spec: sampleSpec({ resources: limits(1, 96, 200) }),
    });
    expect(deployment.kind).toBe('live');
    expect((await h.finished(deployment.id)).status).toBe('succeeded');
    const after = (await running(service.id)).map((r) => r.id).sort();
    expect(after).toEqual(before);
    for (const id of after) {
      expect(await h.docker.inspectResources(id)).toEqual({
        cpus: 1,
        memoryMb: 96,
        cpuReservation: null,
        memoryReservationMb: null,
        pidsLimit: 200,
      });
    }
    const [rev2] = await h.db
      .select()
      .from(revisions)
      .where(and(eq(revisions.serviceId, service.id), eq(revisions.number, 2)));
    expect(rev2!.summary).toBe(
      'CPU limit 0.5 CPU → 1 CPU; memory limit 64 MiB → 96 MiB; PIDs limit 100 → 200',
    );
  });
});
