import { and, asc, eq } from 'drizzle-orm';
import { execFile } from 'node:child_process';
import net from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events, revisions } from '@/db/schema';
import { Invalid } from '@/server/services/errors';
import { createService } from '@/server/services/service/create';
import { deployService, redeployRevision } from '@/server/services/service/deploy';
import { getService } from '@/server/services/service/read';
import { resourcesOrDefault } from '@/server/services/service/schema';
import { makeHarness, sampleSpec, uniqueName, waitFor, type Harness } from '@/server/testing/harness';
import { steadyLoad } from '@/server/testing/load';

const sh = promisify(execFile);

/** Well under a service's progress deadline (120 s): what "not delayed" means for a one-replica deploy. */
const PROMPT_MS = 30_000;

let h: Harness;
beforeAll(async () => {
  h = await makeHarness({ proxy: true });
  h.loop().start();
});
afterAll(async () => h?.close());

type Dev = Awaited<ReturnType<Harness['as']>>;

/** A listener of the test's own on 127.0.0.1:port, standing for another program on the host. */
async function hold(port: number) {
  const server = net.createServer((socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => resolve());
  });
  return () => new Promise<void>((resolve) => server.close(() => resolve()));
}

async function revisionOf(serviceId: string, number: number) {
  const [rev] = await h.db
    .select()
    .from(revisions)
    .where(and(eq(revisions.serviceId, serviceId), eq(revisions.number, number)));
  return rev!;
}

async function timeline(serviceId: string) {
  return h.db.select().from(events).where(eq(events.serviceId, serviceId)).orderBy(asc(events.id));
}

async function serves(port: number, version: string) {
  await waitFor(`the endpoint ${port} to serve ${version}`, async () => {
    const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) }).catch(
      () => null,
    );
    return res?.ok && ((await res.json()) as { version: string }).version === version;
  });
}

/** Service B: created and deployed while A has its problem. */
function deployB(dev: Dev) {
  return createService(dev, {
    name: uniqueName('iso-b'),
    description: '',
    protected: false,
    deploy: true,
    spec: sampleSpec(),
  });
}

/**
 * B's deployment ran as if A did not exist: it succeeded well within its deadline, its steps followed each
 * other without a pause, and its endpoint serves through the proxy.
 */
async function expectPrompt(b: Awaited<ReturnType<typeof deployB>>) {
  const done = await h.finished(b.deployment!.id, PROMPT_MS);
  expect(done.status).toBe('succeeded');
  expect(done.finishedAt!.getTime() - done.createdAt.getTime()).toBeLessThan(PROMPT_MS);
  expect(done.startedAt!.getTime() - done.createdAt.getTime()).toBeLessThan(5_000);
  const steps = await timeline(b.service.id);
  const gaps = steps.slice(1).map((e, i) => e.at.getTime() - steps[i]!.at.getTime());
  expect(Math.max(...gaps)).toBeLessThan(10_000);
  expect(steps.map((e) => e.kind)).toContain('replica.in-traffic');
  const port = (await revisionOf(b.service.id, 1)).spec.endpointPort!;
  await serves(port, 'v1');
}

describe('one service failing never delays another', () => {
  it('a service whose endpoint port another program holds fails alone', async () => {
    const dev = await h.as('developer');
    const a = await createService(dev, {
      name: uniqueName('iso-port'),
      description: '',
      protected: false,
      deploy: false,
      spec: sampleSpec(),
    });
    const port = (await revisionOf(a.service.id, 1)).spec.endpointPort!;
    // Free when A's revision was made; taken by another program before A deploys.
    const release = await hold(port);
    try {
      const aDeploy = await redeployRevision(dev, {
        serviceId: a.service.id,
        revision: 1,
        reason: 'port taken meanwhile',
        queue: false,
      });
      const b = await deployB(dev);

      const failed = await h.finished(aDeploy.id, PROMPT_MS);
      expect(failed.status).toBe('failed');
      expect(failed.outcome).toContain(`127.0.0.1:${port}`);
      expect(failed.evidence?.error).toMatch(/another process listens on that port/);
      const error = await waitFor('the error on A', async () =>
        (await timeline(a.service.id)).find((e) => e.kind === 'service.error'),
      );
      expect(error.message).toContain(`127.0.0.1:${port}`);
      await expectPrompt(b);
      // A's own problem stays A's: B's timeline knows nothing of it.
      expect((await timeline(b.service.id)).some((e) => e.kind === 'service.error')).toBe(false);
      await waitFor('A to run nothing', async () =>
        (await h.docker.listReplicas({ serviceId: a.service.id })).length === 0 ? true : undefined,
      );
    } finally {
      await release();
    }

    // Once the port is free, A deploys and serves on it.
    const again = await redeployRevision(dev, {
      serviceId: a.service.id,
      revision: 1,
      reason: 'port free again',
      queue: false,
    });
    expect((await h.finished(again.id)).status).toBe('succeeded');
    await serves(port, 'v1');
  });

  it('refuses a CPU limit above the host at input; an older revision with one fails alone', async () => {
    const dev = await h.as('developer');
    const host = await h.docker.hostCapacity();
    const impossible = { ...resourcesOrDefault(null), cpus: 64 };
    await expect(
      createService(dev, {
        name: uniqueName('iso-cpu-refused'),
        description: '',
        protected: false,
        deploy: true,
        spec: sampleSpec({ resources: impossible }),
      }),
    ).rejects.toThrow(Invalid);
    await expect(
      createService(dev, {
        name: uniqueName('iso-cpu-refused'),
        description: '',
        protected: false,
        deploy: true,
        spec: sampleSpec({ resources: impossible }),
      }),
    ).rejects.toThrow(`CPU limit 64 is more than this host's ${host.cpus} CPUs`);

    const a = await createService(dev, {
      name: uniqueName('iso-cpu'),
      description: '',
      protected: false,
      deploy: true,
      spec: sampleSpec(),
    });
    expect((await h.finished(a.deployment!.id)).status).toBe('succeeded');
    await expect(
      deployService(dev, {
        serviceId: a.service.id,
        reason: '',
        queue: false,
        spec: sampleSpec({ resources: impossible }),
      }),
    ).rejects.toThrow(Invalid);
    const [serving] = await h.docker.listReplicas({ serviceId: a.service.id });

    // Revisions stored before the check existed: one rolls (a new tag), one changes the limit alone (live).
    const r1 = await revisionOf(a.service.id, 1);
    await h.db.insert(revisions).values([
      {
        serviceId: a.service.id,
        number: 2,
        spec: { ...r1.spec, tag: 'v2', resources: impossible },
        summary: 'stored before the CPU check',
      },
      {
        serviceId: a.service.id,
        number: 3,
        spec: { ...r1.spec, resources: impossible },
        summary: 'stored before the CPU check',
      },
    ]);

    const rolled = await redeployRevision(dev, {
      serviceId: a.service.id,
      revision: 2,
      reason: 'old revision',
      queue: false,
    });
    const b = await deployB(dev);
    const failed = await h.finished(rolled.id, PROMPT_MS);
    expect(failed.status).toBe('failed');
    expect(failed.evidence?.error).toMatch(/CPU/i);
    const error = await waitFor('the error on A', async () =>
      (await timeline(a.service.id)).find((e) => e.kind === 'service.error'),
    );
    expect(error.message).toMatch(/CPU/i);
    await expectPrompt(b);

    const live = await redeployRevision(dev, {
      serviceId: a.service.id,
      revision: 3,
      reason: 'old revision, limits only',
      queue: false,
    });
    expect(live.kind).toBe('live');
    const liveFailed = await h.finished(live.id, PROMPT_MS);
    expect(liveFailed.status).toBe('failed');
    expect(liveFailed.evidence?.error).toMatch(/CPU/i);

    // A went back to revision 1, whose replica served throughout.
    const view = await getService(dev, a.service.id);
    expect(view.service.desiredRevision).toBe(1);
    const now = await h.docker.listReplicas({ serviceId: a.service.id });
    expect(now.filter((r) => r.state === 'running').map((r) => r.id)).toEqual([serving!.id]);
    expect((await h.docker.inspectResources(serving!.id))?.cpus).toBeNull();
  });

  it('a crashed replica whose image was pruned is told on its service while another deploys', async () => {
    const repo = `capstan-pruned-${Math.random().toString(36).slice(2, 8)}`;
    await sh('docker', ['tag', 'capstan-sample:v1', `${repo}:v1`]);
    try {
      const dev = await h.as('developer');
      const a = await createService(dev, {
        name: uniqueName('iso-image'),
        description: '',
        protected: false,
        deploy: true,
        spec: sampleSpec({ image: repo, tag: 'v1' }),
      });
      expect((await h.finished(a.deployment!.id)).status).toBe('succeeded');
      // The tag goes (the replica keeps the image by id); once the replica dies, its replacement needs it.
      await sh('docker', ['rmi', `${repo}:v1`]);
      const [victim] = await h.docker.listReplicas({ serviceId: a.service.id });
      await sh('docker', ['kill', victim!.id]);
      const b = await deployB(dev);

      const error = await waitFor('the error on A', async () =>
        (await timeline(a.service.id)).find((e) => e.kind === 'service.error'),
      );
      expect(error.message).toContain(`${repo}:v1`);
      // The service page says so while it lasts; B's says nothing.
      expect((await getService(dev, a.service.id)).problem?.message).toContain(`${repo}:v1`);
      expect((await getService(dev, b.service.id)).problem).toBeNull();
      await expectPrompt(b);
      expect((await timeline(b.service.id)).some((e) => e.kind === 'service.error')).toBe(false);
    } finally {
      await sh('docker', ['rmi', `${repo}:v1`]).catch(() => undefined);
    }
  });
});

describe('each replica is probed with its own revision health check', () => {
  it('a deploy that changes the health path takes no old replica out of traffic early', async () => {
    const dev = await h.as('developer');
    // The old revision's replicas answer 500 on /healthz and are checked on /version; the new revision's
    // are checked on /healthz. Probing an old replica with the new check would find it unhealthy.
    const check = sampleSpec().healthCheck;
    const { service, deployment } = await createService(dev, {
      name: uniqueName('iso-path'),
      description: '',
      protected: false,
      deploy: true,
      replicas: 2,
      spec: sampleSpec({
        env: [{ name: 'HEALTH', value: 'fail', secret: false }],
        healthCheck: { ...check, path: '/version' },
      }),
    });
    expect((await h.finished(deployment!.id)).status).toBe('succeeded');
    const port = (await revisionOf(service.id, 1)).spec.endpointPort!;
    await serves(port, 'v1');

    const traffic = steadyLoad(port, 2);
    const next = await deployService(dev, {
      serviceId: service.id,
      reason: 'check /healthz',
      queue: false,
      spec: sampleSpec({ tag: 'v2', healthCheck: { ...check, path: '/healthz' } }),
    });
    expect(next.revision.summary).toContain('/version → /healthz');
    expect((await h.finished(next.deployment.id)).status).toBe('succeeded');
    await waitFor('only revision 2 left', async () => {
      const list = await h.docker.listReplicas({ serviceId: service.id });
      return list.length === 2 && list.every((r) => r.revision === 2);
    });
    const tally = await traffic.stop();
    expect(tally.errors).toEqual([]);
    expect(tally.failed).toBe(0);
    expect(tally.ok).toBeGreaterThan(20);

    const steps = await timeline(service.id);
    expect(steps.filter((e) => e.kind === 'replica.unhealthy' && e.data?.revision === 1)).toEqual([]);
    // With maxUnavailable 0, the k-th old replica leaves only after the k-th new one serves.
    const inTraffic = steps.filter((e) => e.kind === 'replica.in-traffic' && e.data?.revision === 2);
    const draining = steps.filter((e) => e.kind === 'replica.draining' && e.data?.revision === 1);
    expect(draining).toHaveLength(2);
    draining.forEach((d, k) => expect(inTraffic[k] && inTraffic[k].id < d.id).toBe(true));
  });
});
