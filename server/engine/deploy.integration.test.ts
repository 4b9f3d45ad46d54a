import { eq } from 'drizzle-orm';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { deployments, events, revisions } from '@/db/schema';
import { LABELS } from '@/server/docker/engine';
import { createService } from '@/server/services/service/create';
import { deployService } from '@/server/services/service/deploy';
import { getService } from '@/server/services/service/read';
import { makeHarness, sampleSpec, uniqueName, waitFor, type Harness } from '@/server/testing/harness';

const sh = promisify(execFile);

let h: Harness;
beforeAll(async () => {
  h = await makeHarness();
  h.loop().start();
});
afterAll(async () => h?.close());

describe('deploying on the real Docker engine', () => {
  it('creates a service, deploys two healthy replicas and reads them back from labels', async () => {
    const dev = await h.as('developer');
    const { service, deployment } = await createService(dev, {
      name: uniqueName('web'),
      description: '',
      protected: false,
      deploy: true,
      replicas: 2,
      spec: sampleSpec({
        resources: { cpus: 0.5, memoryMb: 64 },
        env: [
          { name: 'GREETING', value: 'hello', secret: false },
          { name: 'API_TOKEN', value: 's3cret-value', secret: true },
        ],
      }),
    });
    const done = await h.finished(deployment!.id);
    expect(done.status).toBe('succeeded');
    expect(done.outcome).toMatch(/2 replica\(s\) healthy/);

    const replicas = await h.docker.listReplicas({ serviceId: service.id });
    expect(replicas).toHaveLength(2);
    expect(replicas.map((r) => r.replica).sort()).toEqual([0, 1]);
    for (const r of replicas) {
      expect(r.revision).toBe(1);
      expect(r.state).toBe('running');
      const res = await fetch(`http://127.0.0.1:${r.hostPort}/`);
      expect((await res.json()).version).toBe('v1');
      const raw = await h.docker.api.getContainer(r.id).inspect();
      expect(raw.Config.Labels[LABELS.managedBy]).toBe('capstan');
      expect(raw.Config.Labels[LABELS.service]).toBe(service.id);
      expect(raw.HostConfig.NanoCpus).toBe(500_000_000);
      expect(raw.HostConfig.Memory).toBe(64 * 1024 * 1024);
      // The secret reaches the container, but is sealed at rest and masked for readers.
      expect(raw.Config.Env).toContain('API_TOKEN=s3cret-value');
    }
    const [rev] = await h.db.select().from(revisions).where(eq(revisions.serviceId, service.id));
    const stored = rev!.spec.env.find((e) => e.name === 'API_TOKEN')!;
    expect(stored.value).not.toContain('s3cret');
    const view = await getService(dev, service.id);
    expect(view.spec!.env.find((e) => e.name === 'API_TOKEN')!.value).toBeNull();
    expect(JSON.stringify(view)).not.toContain('s3cret-value');
    expect(view.ready).toBe(2);
    expect(view.health).toBe('healthy');

    // A second loop with no memory of its own (a restarted Capstan) converges without new containers.
    const before = replicas.map((r) => r.id).sort();
    const fresh = h.loop();
    await fresh.pass(true);
    await fresh.pass(true);
    expect((await h.docker.listReplicas({ serviceId: service.id })).map((r) => r.id).sort()).toEqual(before);
  });

  it('replaces the old revision only once the new one is healthy', async () => {
    const dev = await h.as('developer');
    const { service, deployment } = await createService(dev, {
      name: uniqueName('roll'),
      description: '',
      protected: false,
      deploy: true,
      replicas: 2,
      spec: sampleSpec(),
    });
    await h.finished(deployment!.id);
    const next = await deployService(dev, {
      serviceId: service.id,
      reason: '',
      queue: false,
      spec: sampleSpec({ replicas: 2, tag: 'v2' }),
    });
    expect(next.revision.summary).toContain('capstan-sample:v1 → capstan-sample:v2');
    const done = await h.finished(next.deployment.id);
    expect(done.status).toBe('succeeded');
    const replicas = await waitFor('old replicas removed', async () => {
      const list = await h.docker.listReplicas({ serviceId: service.id });
      return list.length === 2 ? list : undefined;
    });
    expect(replicas.every((r) => r.revision === 2)).toBe(true);
    // Old replicas were stopped on purpose: a rollout is not a string of crashes on the timeline.
    const timeline = await h.db.select().from(events).where(eq(events.serviceId, service.id));
    expect(timeline.filter((e) => e.kind === 'container.die' || e.kind === 'container.kill')).toEqual([]);
    expect(timeline.filter((e) => e.kind === 'replica.stopped')).toHaveLength(2);
    const res = await fetch(`http://127.0.0.1:${replicas[0]!.hostPort}/version`);
    expect((await res.text()).trim()).toBe('v2');
  });

  it('fails a deploy whose replicas fail their health check and returns to the stable revision', async () => {
    const dev = await h.as('developer');
    const { service, deployment } = await createService(dev, {
      name: uniqueName('hc'),
      description: '',
      protected: false,
      deploy: true,
      spec: sampleSpec(),
    });
    await h.finished(deployment!.id);
    const bad = await deployService(dev, {
      serviceId: service.id,
      reason: 'try v2',
      queue: false,
      spec: sampleSpec({ tag: 'v2', env: [{ name: 'HEALTH', value: 'fail', secret: false }] }),
    });
    const done = await h.finished(bad.deployment.id);
    expect(done.status).toBe('failed');
    expect(done.outcome).toMatch(/health check/);
    expect(done.evidence?.probe).toMatch(/HTTP 5\d\d/);
    const view = await getService(dev, service.id);
    expect(view.service.desiredRevision).toBe(1);
    const replicas = await waitFor('failed replicas removed', async () => {
      const list = await h.docker.listReplicas({ serviceId: service.id });
      return list.every((r) => r.revision === 1) ? list : undefined;
    });
    expect(replicas).toHaveLength(1);
    expect(replicas[0]!.state).toBe('running');
  });

  it('fails a deploy whose replicas crash on start, with the exit code and logs as evidence', async () => {
    const dev = await h.as('developer');
    const { service, deployment } = await createService(dev, {
      name: uniqueName('crash'),
      description: '',
      protected: false,
      deploy: true,
      spec: sampleSpec({ env: [{ name: 'CRASH_ON_START', value: '1', secret: false }] }),
    });
    const done = await h.finished(deployment!.id);
    expect(done.status).toBe('failed');
    expect(done.outcome).toMatch(/crashed/);
    expect(done.evidence?.exitCode).toBe(1);
    expect((await getService(dev, service.id)).health).toBe('down');
    // A crash nobody asked for is on the timeline.
    await waitFor('the crash on the timeline', async () => {
      const rows = await h.db.select().from(events).where(eq(events.serviceId, service.id));
      return rows.some((e) => e.kind === 'container.die');
    });
  });

  it('fails with a clear reason when the image cannot be pulled', async () => {
    const dev = await h.as('developer');
    const { service, deployment } = await createService(dev, {
      name: uniqueName('pull'),
      description: '',
      protected: false,
      deploy: true,
      spec: sampleSpec({ image: 'capstan-no-such-org/no-such-image', tag: 'v9' }),
    });
    const done = await h.finished(deployment!.id);
    expect(done.status).toBe('failed');
    expect(done.outcome).toBe('image pull failed');
    expect(done.evidence?.error).toMatch(/Could not pull image capstan-no-such-org\/no-such-image:v9/);
    expect(await h.docker.listReplicas({ serviceId: service.id })).toHaveLength(0);
  });
  it('pulls the image again when it vanished after the first replica of a revision was made', async () => {
    // Replicas after the first skip the image check: one of the revision was made from it.
    const repo = `capstan-vanish-${Math.random().toString(36).slice(2, 8)}`;
    await sh('docker', ['tag', 'capstan-sample:v1', `${repo}:v1`]);
    const dev = await h.as('developer');
    const { service, deployment } = await createService(dev, {
      name: uniqueName('vanish'),
      description: '',
      protected: false,
      deploy: true,
      replicas: 2,
      spec: sampleSpec({ image: repo, tag: 'v1' }),
    });
    expect((await h.finished(deployment!.id)).status).toBe('succeeded');
    // Untagged (the replicas keep the image by id), and one replica killed: its replacement needs the tag.
    await sh('docker', ['rmi', `${repo}:v1`]);
    // Stands in for a registry: the pull puts the tag back.
    const pulls = vi.spyOn(h.docker, 'ensureImage').mockImplementation(async (ref) => {
      await sh('docker', ['tag', 'capstan-sample:v1', ref]);
      return 'pulled';
    });
    try {
      const [victim] = await h.docker.listReplicas({ serviceId: service.id });
      await sh('docker', ['kill', victim!.id]);
      await waitFor('the killed replica replaced', async () => {
        const list = await h.docker.listReplicas({ serviceId: service.id });
        return (
          list.length === 2 &&
          !list.some((r) => r.id === victim!.id) &&
          list.every((r) => r.state === 'running')
        );
      });
      expect(pulls).toHaveBeenCalledWith(`${repo}:v1`, undefined);
      const rows = await h.db.select().from(events).where(eq(events.serviceId, service.id));
      expect(rows.some((e) => e.kind === 'image.pulled')).toBe(true);
    } finally {
      pulls.mockRestore();
      await sh('docker', ['rmi', `${repo}:v1`]).catch(() => undefined);
    }
  });
});

describe('sharing one Docker engine', () => {
  it('never touches the containers of another installation', async () => {
    const other = await makeHarness();
    try {
      const dev = await other.as('developer');
      const { service, deployment } = await createService(dev, {
        name: uniqueName('theirs'),
        description: '',
        protected: false,
        deploy: true,
        spec: sampleSpec(),
      });
      const loop = other.loop();
      await waitFor('the other installation to deploy', async () => {
        await loop.pass(true);
        const [d] = await other.db.select().from(deployments).where(eq(deployments.id, deployment!.id));
        return d?.status === 'succeeded';
      });
      const theirs = await other.docker.listReplicas({ serviceId: service.id });
      expect(theirs).toHaveLength(1);
      // Our loop knows no such service: it must neither see nor remove their replica.
      const ours = h.loop();
      await ours.pass(true);
      await ours.pass(true);
      expect(await h.docker.listReplicas({ serviceId: service.id })).toHaveLength(0);
      expect((await other.docker.inspectReplica(theirs[0]!.id))?.state).toBe('running');
    } finally {
      await other.close();
    }
  });
});
