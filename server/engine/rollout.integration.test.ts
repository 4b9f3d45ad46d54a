import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployments, events } from '@/db/schema';
import { cancelDeployment } from '@/server/services/deployments/cancel';
import { createService } from '@/server/services/service/create';
import { deployService } from '@/server/services/service/deploy';
import { getDeployment } from '@/server/services/service/read';
import { makeHarness, sampleSpec, uniqueName, waitFor, type Harness } from '@/server/testing/harness';

let h: Harness;
beforeAll(async () => {
  h = await makeHarness();
  h.loop().start();
});
afterAll(async () => h?.close());

async function healthyOf(serviceId: string) {
  const list = await h.docker.listReplicas({ serviceId });
  return list.filter((r) => r.state === 'running' && h.probes.get(r.id)?.healthy);
}

describe('rolling update', () => {
  it('keeps every desired replica available and stays within the surge budget', async () => {
    const dev = await h.as('developer');
    const { service, deployment } = await createService(dev, {
      name: uniqueName('rolling'),
      description: '',
      protected: false,
      deploy: true,
      replicas: 3,
      spec: sampleSpec(),
    });
    await h.finished(deployment!.id);
    const next = await deployService(dev, {
      serviceId: service.id,
      reason: '',
      queue: false,
      spec: sampleSpec({
        replicas: 3,
        tag: 'v2',
        strategy: { maxSurge: 1, maxUnavailable: 0, minReadySeconds: 0.5, progressDeadlineSeconds: 120 },
      }),
    });
    let minHealthy = Infinity;
    let maxContainers = 0;
    const done = await waitFor(
      'rolling update',
      async () => {
        const all = await h.docker.listReplicas({ serviceId: service.id });
        maxContainers = Math.max(maxContainers, all.length);
        if (all.length > 4)
          console.log(
            'DEBUG',
            JSON.stringify(all.map((r) => [r.id.slice(0, 6), r.revision, r.replica, r.state, r.status])),
          );
        minHealthy = Math.min(minHealthy, (await healthyOf(service.id)).length);
        const [d] = await h.db.select().from(deployments).where(eq(deployments.id, next.deployment.id));
        return d?.status === 'succeeded' ? d : undefined;
      },
      90_000,
    );
    expect(done.status).toBe('succeeded');
    expect(minHealthy).toBeGreaterThanOrEqual(3);
    expect(maxContainers).toBeLessThanOrEqual(4);
    const steps = await h.db.select().from(events).where(eq(events.deploymentId, next.deployment.id));
    const kinds = steps.map((s) => s.kind);
    expect(kinds.filter((k) => k === 'replica.started')).toHaveLength(3);
    expect(kinds.filter((k) => k === 'replica.stopped')).toHaveLength(3);
    expect(kinds.filter((k) => k === 'replica.healthy')).toHaveLength(3);
    // One at a time: each old replica stops only after a new one started.
    const order = steps
      .sort((a, b) => a.id - b.id)
      .map((s) => s.kind)
      .filter((k) => k.startsWith('replica.'));
    expect(order.slice(0, 3)).toEqual(['replica.started', 'replica.healthy', 'replica.stopped']);
    const view = await getDeployment(dev, next.deployment.id);
    expect(view.to).toMatchObject({ number: 2, image: 'capstan-sample:v2', replicas: 3 });
    expect(view.from).toMatchObject({ number: 1, image: 'capstan-sample:v1' });
    expect(view.steps.map((s) => s.kind)).toContain('deployment.succeeded');
    expect(view.progress).toMatchObject({ desired: 3, healthyNew: 3, newShare: 1 });
  });
});

describe('cancel and queue', () => {
  it('cancels a slow rollout and returns to the stable revision', async () => {
    const dev = await h.as('developer');
    const { service, deployment } = await createService(dev, {
      name: uniqueName('cancel'),
      description: '',
      protected: false,
      deploy: true,
      spec: sampleSpec(),
    });
    await h.finished(deployment!.id);
    const slow = await deployService(dev, {
      serviceId: service.id,
      reason: '',
      queue: false,
      spec: sampleSpec({ tag: 'v2', env: [{ name: 'START_DELAY_SECONDS', value: '60', secret: false }] }),
    });
    await waitFor(
      'the slow replica to start',
      async () => (await h.docker.listReplicas({ serviceId: service.id })).length === 2,
    );
    const cancelled = await cancelDeployment(dev, { deploymentId: slow.deployment.id, reason: 'too slow' });
    expect(cancelled.status).toBe('cancelled');
    const left = await waitFor('only revision 1 left', async () => {
      const list = await h.docker.listReplicas({ serviceId: service.id });
      return list.length === 1 && list[0]!.revision === 1 ? list : undefined;
    });
    expect(left[0]!.state).toBe('running');
    await expect(cancelDeployment(dev, { deploymentId: slow.deployment.id, reason: '' })).rejects.toThrow(
      /already/,
    );
  });

  it('queues a second deployment when asked, and runs it after the first', async () => {
    const dev = await h.as('developer');
    const { service, deployment } = await createService(dev, {
      name: uniqueName('queue'),
      description: '',
      protected: false,
      deploy: true,
      spec: sampleSpec(),
    });
    const second = await deployService(dev, {
      serviceId: service.id,
      reason: '',
      queue: true,
      spec: sampleSpec({ tag: 'v3' }),
    });
    expect(second.deployment.status).toBe('queued');
    expect((await h.finished(deployment!.id)).status).toBe('succeeded');
    expect((await h.finished(second.deployment.id)).status).toBe('succeeded');
    const list = await waitFor('v3 serving alone', async () => {
      const l = await h.docker.listReplicas({ serviceId: service.id });
      return l.length === 1 && l[0]!.revision === 2 ? l : undefined;
    });
    const res = await fetch(`http://127.0.0.1:${list[0]!.hostPort}/version`);
    expect((await res.text()).trim()).toBe('v3');
  });
});
