import { and, asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployments, events } from '@/db/schema';
import { createService } from '@/server/services/service/create';
import { deployService, redeployRevision } from '@/server/services/service/deploy';
import { getService } from '@/server/services/service/read';
import { makeHarness, sampleSpec, uniqueName, waitFor, type Harness } from '@/server/testing/harness';

let h: Harness;
beforeAll(async () => {
  h = await makeHarness();
  h.loop().start();
});
afterAll(async () => h?.close());

type Dev = Awaited<ReturnType<Harness['as']>>;

async function deployed(dev: Dev, replicas = 1) {
  const { service, deployment } = await createService(dev, {
    name: uniqueName('sum'),
    description: '',
    protected: false,
    deploy: true,
    replicas,
    spec: sampleSpec(),
  });
  return { service, deployment: deployment! };
}

async function requested(deploymentId: string) {
  const [e] = await h.db
    .select()
    .from(events)
    .where(and(eq(events.deploymentId, deploymentId), eq(events.kind, 'deployment.requested')));
  return e!.message;
}

describe('change summaries', () => {
  it('compare against the running revision, not the newest one', async () => {
    const dev = await h.as('developer');
    const { service, deployment } = await deployed(dev);
    expect((await h.finished(deployment.id)).status).toBe('succeeded');
    const v3 = await deployService(dev, {
      serviceId: service.id,
      reason: '',
      queue: false,
      spec: sampleSpec({ tag: 'v3' }),
    });
    expect(v3.revision.summary).toBe('image capstan-sample:v1 → capstan-sample:v3');
    expect((await h.finished(v3.deployment.id)).status).toBe('succeeded');

    const back = await redeployRevision(dev, {
      serviceId: service.id,
      revision: 1,
      reason: '',
      queue: false,
    });
    expect(await requested(back.id)).toContain('image capstan-sample:v3 → capstan-sample:v1');
    expect((await h.finished(back.id)).status).toBe('succeeded');

    // Revision 1 runs, revision 2 (v3) is the newest: the change is told against what runs.
    const v2 = await deployService(dev, {
      serviceId: service.id,
      reason: '',
      queue: false,
      spec: sampleSpec({ tag: 'v2' }),
    });
    expect(v2.revision.number).toBe(3);
    expect(v2.revision.summary).toBe('image capstan-sample:v1 → capstan-sample:v2');
    expect(await requested(v2.deployment.id)).toContain('image capstan-sample:v1 → capstan-sample:v2');
    expect((await h.finished(v2.deployment.id)).status).toBe('succeeded');

    // The same spec again, compared with its revision as read back from the database: nothing changes.
    const same = await deployService(dev, {
      serviceId: service.id,
      reason: '',
      queue: false,
      spec: sampleSpec({ tag: 'v2' }),
    });
    expect(same.revision.summary).toBe('no change');
    expect(await requested(same.deployment.id)).toContain('no change');
    const view = await getService(dev, service.id);
    expect(view.revisions.find((r) => r.number === 4)?.summary).toBe('no change');
    expect((await h.finished(same.deployment.id)).status).toBe('succeeded');
  });
});

describe('queued deployments', () => {
  it('record the revision they replace when they start, not when they were queued', async () => {
    const dev = await h.as('developer');
    const { service, deployment } = await deployed(dev);
    // Asked while the first deploy runs: each waits its turn.
    const v2 = await deployService(dev, {
      serviceId: service.id,
      reason: '',
      queue: true,
      spec: sampleSpec({ tag: 'v2' }),
    });
    const v3 = await deployService(dev, {
      serviceId: service.id,
      reason: '',
      queue: true,
      spec: sampleSpec({ tag: 'v3' }),
    });
    expect([v2.deployment.status, v3.deployment.status]).toEqual(['queued', 'queued']);
    expect(v2.deployment.fromRevision).toBeNull();

    for (const id of [deployment.id, v2.deployment.id, v3.deployment.id])
      expect((await h.finished(id)).status).toBe('succeeded');
    const rows = await h.db
      .select()
      .from(deployments)
      .where(eq(deployments.serviceId, service.id))
      .orderBy(asc(deployments.createdAt));
    expect(rows.map((d) => [d.fromRevision, d.toRevision])).toEqual([
      [null, 1],
      [1, 2],
      [2, 3],
    ]);
    const dequeued = await h.db
      .select()
      .from(events)
      .where(and(eq(events.deploymentId, v3.deployment.id), eq(events.kind, 'deployment.dequeued')));
    expect(dequeued.map((e) => e.message)).toEqual([
      'Queued deployment of revision 3 starts (from revision 2)',
    ]);
  });
});

describe('redeploying the running revision', () => {
  it('is a rolling restart that replaces every replica', async () => {
    const dev = await h.as('developer');
    const { service, deployment } = await deployed(dev, 2);
    expect((await h.finished(deployment.id)).status).toBe('succeeded');
    const before = await h.docker.listReplicas({ serviceId: service.id });
    expect(before).toHaveLength(2);

    const restart = await redeployRevision(dev, {
      serviceId: service.id,
      revision: 1,
      reason: 'redeploy',
      queue: false,
    });
    expect(restart.kind).toBe('restart');
    expect([restart.fromRevision, restart.toRevision]).toEqual([1, 1]);
    const done = await h.finished(restart.id);
    expect(done.status).toBe('succeeded');

    const after = await waitFor('the old replicas gone', async () => {
      const list = await h.docker.listReplicas({ serviceId: service.id });
      return list.length === 2 ? list : undefined;
    });
    const old = new Set(before.map((r) => r.id));
    expect(after.filter((r) => old.has(r.id))).toEqual([]);
    expect(after.every((r) => r.revision === 1 && r.state === 'running')).toBe(true);
    expect(new Set(after.map((r) => r.generation)).size).toBe(1);
    expect(after[0]!.generation).toBeGreaterThan(before[0]!.generation);
    const steps = await h.db.select().from(events).where(eq(events.deploymentId, restart.id));
    expect(steps.filter((e) => e.kind === 'replica.started')).toHaveLength(2);
    expect(
      steps
        .filter((e) => e.kind === 'replica.stopped')
        .map((e) => e.data?.containerId)
        .sort(),
    ).toEqual([...old].sort());
  });
});
