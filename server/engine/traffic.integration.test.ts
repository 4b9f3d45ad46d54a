import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events } from '@/db/schema';
import { createService } from '@/server/services/service/create';
import { deployService, redeployRevision } from '@/server/services/service/deploy';
import { getService } from '@/server/services/service/read';
import { makeHarness, sampleSpec, waitFor, type Harness } from '@/server/testing/harness';
import { steadyLoad } from '@/server/testing/load';

let h: Harness;
beforeAll(async () => {
  h = await makeHarness({ proxy: true });
  h.loop().start();
});
afterAll(async () => h?.close());

const load = steadyLoad;

describe('traffic through the proxy', () => {
  it('serves every request during a rolling update, an automatic rollback and a one-click rollback', async () => {
    const dev = await h.as('developer');
    const { service, deployment } = await createService(dev, {
      name: `traffic-${Math.random().toString(36).slice(2, 7)}`,
      description: '',
      protected: false,
      deploy: true,
      replicas: 2,
      spec: sampleSpec(),
    });
    expect((await h.finished(deployment!.id)).status).toBe('succeeded');
    const [rev] = await h.db.query.revisions.findMany({
      where: (r, { eq: is }) => is(r.serviceId, service.id),
    });
    const port = rev!.spec.endpointPort!;
    expect(port).toBeGreaterThanOrEqual(21000);
    await waitFor(
      'the endpoint to serve',
      async () => (await fetch(`http://127.0.0.1:${port}/`).catch(() => null))?.ok,
    );

    const traffic = load(port);
    const rolling = await deployService(dev, {
      serviceId: service.id,
      reason: 'v2',
      queue: false,
      spec: sampleSpec({ replicas: 2, tag: 'v2' }),
    });
    expect((await h.finished(rolling.deployment.id)).status).toBe('succeeded');
    expect(rolling.revision.spec.endpointPort).toBe(port);

    const bad = await deployService(dev, {
      serviceId: service.id,
      reason: 'broken v3',
      queue: false,
      spec: sampleSpec({ replicas: 2, tag: 'v3', env: [{ name: 'HEALTH', value: 'fail', secret: false }] }),
    });
    expect((await h.finished(bad.deployment.id)).status).toBe('failed');

    const back = await redeployRevision(dev, {
      serviceId: service.id,
      revision: 1,
      reason: 'one click',
      queue: false,
    });
    expect((await h.finished(back.id)).status).toBe('succeeded');
    await waitFor('only v1 replicas left', async () => {
      const list = await h.docker.listReplicas({ serviceId: service.id });
      return list.length === 2 && list.every((r) => r.revision === 1);
    });
    const tally = await traffic.stop();

    expect(tally.errors).toEqual([]);
    expect(tally.failed).toBe(0);
    expect(tally.ok).toBeGreaterThan(100);
    expect(tally.versions.get('v1')).toBeGreaterThan(0);
    expect(tally.versions.get('v2')).toBeGreaterThan(0);
    // The broken revision never received a request: it never passed its health check.
    expect(tally.versions.get('v3') ?? 0).toBe(0);

    const steps = await h.db.select().from(events).where(eq(events.deploymentId, rolling.deployment.id));
    const kinds = steps.map((s) => s.kind);
    expect(kinds).toContain('replica.in-traffic');
    expect(kinds).toContain('replica.draining');
    // Drained before stopped, for each old replica.
    for (const d of steps.filter((s) => s.kind === 'replica.draining')) {
      const stopped = steps.find(
        (s) => s.kind === 'replica.stopped' && s.data?.containerId === d.data?.containerId,
      );
      expect(stopped && stopped.id > d.id).toBe(true);
    }
    // Each old replica is recorded as stopped once, though later passes may still list it while it stops.
    // (The one-click rollback may also remove the failed v3's replica, if it starts before that is gone.)
    for (const [id, from] of [
      [rolling.deployment.id, 1],
      [back.id, 2],
    ] as const) {
      const rows = await h.db.select().from(events).where(eq(events.deploymentId, id));
      const stops = rows.filter((s) => s.kind === 'replica.stopped');
      const containers = stops.map((s) => s.data?.containerId);
      expect(new Set(containers).size).toBe(containers.length);
      expect(stops.filter((s) => s.data?.revision === from)).toHaveLength(2);
    }
    // The proxy's counts are read back into the service view, per replica.
    const view = await getService(dev, service.id);
    expect(view.endpoint).toBe(`http://127.0.0.1:${port}`);
    expect(view.traffic?.up).toBe(true);
    expect(view.traffic?.replicas).toHaveLength(2);
    expect(view.traffic!.replicas.every((r) => view.replicas.some((v) => v.id === r.containerId))).toBe(true);
    expect(view.traffic!.requests).toBeGreaterThan(0);
  });
});
