import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployments, services } from '@/db/schema';
import { LABELS } from '@/server/docker/engine';
import { recordEvent } from '@/server/services/events/record';
import { makeHarness, sampleSpec, uniqueName, type Harness } from '@/server/testing/harness';
import { createService } from './create';
import { createServiceSchema } from './schema';
import { getDeployment, getService, listServices } from './read';

let h: Harness;
beforeAll(async () => {
  h = await makeHarness();
});
afterAll(async () => h?.close());

async function service(over: { desiredRevision?: number | null; desiredReplicas?: number } = {}) {
  const name = uniqueName('read');
  const { service } = await createService(
    await h.as('developer'),
    createServiceSchema.parse({ name, deploy: false, spec: sampleSpec() }),
  );
  await h.db
    .update(services)
    .set({ desiredRevision: 1, desiredReplicas: 2, ...over })
    .where(eq(services.id, service.id));
  return { id: service.id, name };
}

/** A container of the service as the engine labels it, created (not started): it exists, and does not run. */
async function container(s: { id: string; name: string }, replica: number) {
  const c = await h.docker.api.createContainer({
    name: `capstan-${s.name}-r1-${replica}-${Math.random().toString(36).slice(2, 7)}`,
    Image: 'capstan-sample:v1',
    Labels: {
      [LABELS.managedBy]: 'capstan',
      [LABELS.installation]: h.docker.installationId,
      [LABELS.service]: s.id,
      [LABELS.serviceName]: s.name,
      [LABELS.revision]: '1',
      [LABELS.replica]: String(replica),
      [LABELS.deployment]: '',
    },
  });
  return c.id;
}

async function deployment(serviceId: string, status: 'succeeded' | 'in_progress') {
  const [d] = await h.db
    .insert(deployments)
    .values({ serviceId, fromRevision: null, toRevision: 1, status, actor: 'test' })
    .returning();
  return d!;
}

async function step(
  serviceId: string,
  deploymentId: string,
  kind: string,
  containerId: string,
  replica: number,
) {
  await recordEvent(h.db, {
    serviceId,
    deploymentId,
    kind,
    message: kind,
    data: { containerId, replica, revision: 1 },
  });
}

describe('reading services', () => {
  it('takes the desired count from the service, and shows a service scaled to zero as such', async () => {
    const scaled = await service({ desiredReplicas: 0 });
    const never = await service({ desiredRevision: null, desiredReplicas: 3 });
    const viewer = await h.as('viewer');
    const detail = await getService(viewer, scaled.id);
    expect(detail).toMatchObject({ desired: 0, ready: 0, health: 'scaled-to-zero' });
    expect((await getService(viewer, never.id)).health).toBe('idle');
    const { services: list } = await listServices(viewer);
    expect(list.find((s) => s.id === scaled.id)).toMatchObject({ desired: 0, health: 'scaled-to-zero' });
    expect(list.find((s) => s.id === never.id)).toMatchObject({ desired: 0, health: 'idle' });
  });

  it("shows a finished deployment's own replicas from its recorded steps, not today's", async () => {
    const s = await service();
    const d = await deployment(s.id, 'succeeded');
    const kept = await container(s, 0);
    await step(s.id, d.id, 'replica.started', kept, 0);
    await step(s.id, d.id, 'replica.healthy', kept, 0);
    await step(s.id, d.id, 'replica.in-traffic', kept, 0);
    const gone = 'f'.repeat(64);
    await step(s.id, d.id, 'replica.started', gone, 1);
    await step(s.id, d.id, 'replica.healthy', gone, 1);
    await step(s.id, d.id, 'replica.draining', gone, 1);
    await step(s.id, d.id, 'replica.stopped', gone, 1);
    // Started later, by something else: not this deployment's.
    const later = await container(s, 1);

    const view = await getDeployment(await h.as('viewer'), d.id);
    expect(view.replicas.map((r) => [r.id, r.step, r.exists, r.state])).toEqual([
      [kept, 'in-traffic', true, 'created'],
      [gone, 'stopped', false, 'removed'],
    ]);
    expect(view.replicas.some((r) => r.id === later)).toBe(false);
    // As the deployment left them: one healthy replica of the new revision, serving alone.
    expect(view.progress).toEqual({ desired: 2, healthyNew: 1, newShare: 1 });
    expect(view.to).toMatchObject({ number: 1, replicas: 2 });
  });

  it('shows every replica of the service for a deployment under way, with its steps where it has some', async () => {
    const s = await service();
    const d = await deployment(s.id, 'in_progress');
    const mine = await container(s, 0);
    const other = await container(s, 1);
    await step(s.id, d.id, 'replica.started', mine, 0);
    const view = await getDeployment(await h.as('viewer'), d.id);
    expect(
      view.replicas.map((r) => [r.id, r.step]).sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    ).toEqual(
      [
        [mine, 'started'],
        [other, null],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
    expect(view.to?.replicas).toBe(2);
  });
});
