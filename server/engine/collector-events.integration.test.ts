import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { containerSamples, services } from '@/db/schema';
import { createService } from '@/server/services/service/create';
import { makeHarness, sampleSpec, uniqueName, waitFor, type Harness } from '@/server/testing/harness';
import { MetricsCollector, type TickSummary } from './collector';
import { NO_RESOURCES } from '@/server/services/service/schema';

let h: Harness;
let collector: MetricsCollector;
let serviceId: string;
let serviceName: string;
beforeAll(async () => {
  h = await makeHarness();
  const { service } = await createService(await h.as('developer'), {
    name: uniqueName('events'),
    description: '',
    protected: false,
    deploy: false,
    spec: sampleSpec(),
  });
  // As if deployed: the collector samples the containers of the installation's services.
  await h.db.update(services).set({ desiredRevision: 1 }).where(eq(services.id, service.id));
  serviceId = service.id;
  serviceName = service.name;
  // No full listing during the test unless the stream is closed or has just opened.
  collector = new MetricsCollector(h, { intervalMs: 60_000, relistEvery: 1000 });
});
afterAll(async () => {
  await collector?.stop();
  await h?.close();
});

/** Starts a replica the way the reconciler does, behind the collector's back. */
function startReplica(replica: number) {
  return h.docker.createReplica({
    serviceId,
    serviceName,
    revision: 1,
    replica,
    deploymentId: null,
    image: 'capstan-sample:v1',
    env: {},
    port: 8080,
    resources: NO_RESOURCES,
    generation: 0,
    labels: {},
  });
}

/** The sample a tick stored of a container, if any. */
async function sampleOf(tick: TickSummary, containerId: string) {
  const [row] = await h.db
    .select()
    .from(containerSamples)
    .where(and(eq(containerSamples.at, tick.at), eq(containerSamples.containerId, containerId)));
  return row;
}

describe("the collector follows Docker's events", () => {
  it('sees containers start, stop, restart and go on the next tick, listing only those', async () => {
    const first = await startReplica(0);
    await waitFor('a tick without a listing (the event stream open)', async () => {
      const t = await collector.tick();
      return t.listing === 'none' && t.containers === 1;
    });
    const listings = vi.spyOn(h.docker, 'listReplicas');

    // Each wait ticks until the event has arrived; no tick lists every container.
    const tickUntil = (what: string, check: (tick: TickSummary) => Promise<boolean>) =>
      waitFor(what, async () => {
        const t = await collector.tick();
        return (await check(t)) ? t : undefined;
      });

    const second = await startReplica(1);
    const appeared = await tickUntil('a sample of the new container', async (t) =>
      Boolean(await sampleOf(t, second)),
    );
    expect(appeared).toMatchObject({ containers: 2, listing: 'changed' });

    await h.docker.api.getContainer(first).kill();
    await tickUntil('the killed container sampled as stopped', async (t) => {
      return (await sampleOf(t, first))?.health === 'stopped';
    });

    // A crash is restarted by Docker's policy: the same container, inspected afresh.
    const [listed] = await h.docker.listReplicas({ ids: [second] });
    await fetch(`http://127.0.0.1:${listed!.hostPort}/control?crash=1`).catch(() => undefined);
    await tickUntil('a sample after the restart', async (t) => {
      const s = await sampleOf(t, second);
      return s !== undefined && s.restartCount === 1 && s.health !== 'stopped';
    });

    await h.docker.api.getContainer(first).remove({ force: true });
    const gone = await tickUntil(
      'no sample of the removed container',
      async (t) => !(await sampleOf(t, first)),
    );
    expect(gone.containers).toBe(1);

    // Apart from the test's own listing above, Docker was asked only about the containers events named.
    const asked = listings.mock.calls.map(([filter]) => filter?.ids ?? 'all');
    expect(asked.filter((ids) => ids === 'all')).toEqual([]);
    expect(asked.every((ids) => ids !== 'all' && ids.length <= 2)).toBe(true);
    listings.mockRestore();
  });

  it('stops at once, even while Docker is still answering the request for events', async () => {
    const other = new MetricsCollector(h, { intervalMs: 60_000 });
    await other.tick();
    const started = performance.now();
    await other.stop();
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('lists every container after the stream was closed', async () => {
    await collector.stop();
    expect((await collector.tick()).listing).toBe('full');
    expect((await collector.tick()).listing).toBe('full');
  });
});
