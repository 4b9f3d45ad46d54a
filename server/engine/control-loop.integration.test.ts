import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { deployments } from '@/db/schema';
import { createService } from '@/server/services/service/create';
import { deployService } from '@/server/services/service/deploy';
import { makeHarness, sampleSpec, uniqueName, waitFor, type Harness } from '@/server/testing/harness';
import type { ControlLoop } from './control-loop';

let h: Harness;
let loop: ControlLoop;
beforeAll(async () => {
  h = await makeHarness();
  // Converging only when woken: a wake-up the loop loses shows as a deployment left pending for a minute.
  loop = h.loop({ probeIntervalMs: 50, reconcileIntervalMs: 60_000 });
  loop.start();
});
afterAll(async () => h?.close());

describe('control loop wake-ups', () => {
  it('starts a deployment requested while a pass is between reading the state and acting on it', async () => {
    const dev = await h.as('developer');
    const { service } = await createService(dev, {
      name: uniqueName('wake'),
      description: '',
      protected: false,
      deploy: false,
      replicas: 1,
      spec: sampleSpec(),
    });
    const settled = loop.passes;
    await waitFor('the loop to settle', async () => loop.passes > settled + 2);

    // The request lands after this pass read the desired state (its listing of Docker comes after that
    // read), and its wake-up arrives while the pass is still running.
    let requested: string | null = null;
    const list = h.docker.listReplicas.bind(h.docker);
    const spy = vi.spyOn(h.docker, 'listReplicas').mockImplementation(async (filter) => {
      if (requested === null && filter === undefined) {
        spy.mockRestore();
        requested = '';
        const { deployment } = await deployService(dev, {
          serviceId: service.id,
          reason: 'while a pass runs',
          queue: false,
          spec: sampleSpec({ replicas: 1 }),
        });
        requested = deployment.id;
      }
      return list(filter);
    });
    await waitFor('the request', async () => requested);

    const started = await waitFor(
      'the deployment to start',
      async () => {
        const [d] = await h.db.select().from(deployments).where(eq(deployments.id, requested!));
        return d && d.status !== 'pending' ? d : undefined;
      },
      5_000,
    );
    expect(started.status).not.toBe('pending');
    expect((await h.finished(requested!)).status).toBe('succeeded');
  });
});
