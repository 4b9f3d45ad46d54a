import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { promisify } from 'node:util';
import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { deployments, events } from '@/db/schema';
import { createService } from '@/server/services/service/create';
import { deployService } from '@/server/services/service/deploy';
import { makeHarness, sampleSpec, uniqueName, waitFor, type Harness } from '@/server/testing/harness';

const run = promisify(execFile);

// Restarting the engine stops every container on it: this suite runs alone, in its own step of
// scripts/test, and only when asked to.
const enabled = process.env.CAPSTAN_TEST_DOCKERD_RESTART === '1';

let h: Harness | undefined;
afterAll(async () => h?.close());

async function dockerdPid(): Promise<number | null> {
  const out = await run('pidof', ['dockerd']).catch(() => ({ stdout: '' }));
  const pid = Number(out.stdout.trim().split(/\s+/)[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

/** Stops dockerd (gracefully: it stops its containers) and starts it again the way scripts/up does. */
async function restartDockerd(): Promise<void> {
  // As scripts/lib/ensure-docker.sh tells: systemd is running when /run/systemd/system exists.
  const systemd = fs.existsSync('/run/systemd/system');
  if (systemd) {
    await run('systemctl', ['restart', 'docker']);
    return;
  }
  const pid = await dockerdPid();
  if (!pid) throw new Error('dockerd is not running');
  process.kill(pid, 'SIGTERM');
  await waitFor('dockerd to exit', async () => !fs.existsSync(`/proc/${pid}`), 60_000);
  await run('bash', ['scripts/lib/ensure-docker.sh'], { timeout: 120_000 });
}

describe.runIf(enabled)('a dockerd restart', () => {
  it(
    'in the middle of a rollout: Capstan converges to one revision, serving, with consistent history',
    {
      timeout: 420_000,
    },
    async () => {
      h = await makeHarness({ proxy: true });
      h.loop({ probeIntervalMs: 200, log: (m) => console.log(`loop: ${m}`) }).start();
      const dev = await h.as('developer');
      const REPLICAS = 3;
      const { service, deployment } = await createService(dev, {
        name: uniqueName('dockerd'),
        description: '',
        protected: false,
        deploy: true,
        replicas: REPLICAS,
        spec: sampleSpec(),
      });
      expect((await h.finished(deployment!.id)).status).toBe('succeeded');

      // v2 starts slowly, so the restart lands while replicas of both revisions exist.
      const rollout = await deployService(dev, {
        serviceId: service.id,
        reason: 'v2 during a dockerd restart',
        queue: false,
        spec: sampleSpec({
          replicas: REPLICAS,
          tag: 'v2',
          env: [{ name: 'START_DELAY_SECONDS', value: '2', secret: false }],
        }),
      });
      await waitFor('the rollout to start a replica', async () => {
        const started = await h!.db
          .select()
          .from(events)
          .where(and(eq(events.deploymentId, rollout.deployment.id), eq(events.kind, 'replica.started')));
        return started.length > 0;
      });
      await restartDockerd();

      // Whatever the rollout's verdict, it ends, and nothing stays open.
      const done = await h.finished(rollout.deployment.id, 180_000);
      console.log(`rollout ${done.status}: ${done.outcome ?? ''}`);
      expect(['succeeded', 'failed']).toContain(done.status);
      const open = await h.db
        .select()
        .from(deployments)
        .where(
          and(
            eq(deployments.serviceId, service.id),
            inArray(deployments.status, ['queued', 'pending', 'in_progress']),
          ),
        );
      expect(open).toEqual([]);

      // Converged: exactly the desired replicas, of the revision the service points at, running and healthy,
      // the proxy sending to those and nothing else, and the endpoint answering.
      const port = rollout.revision.spec.endpointPort!;
      let seen = '';
      await waitFor(
        'the service to converge',
        async () => {
          const svc = (await h!.db.query.services.findFirst({
            where: (s, { eq: is }) => is(s.id, service.id),
          }))!;
          // A container Docker is still removing serves nothing and is Docker's to finish: after an engine
          // restart its overlay mount can stay busy for a while on this kind of VM.
          const replicas = (await h!.docker.listReplicas({ serviceId: service.id })).filter(
            (r) => r.state !== 'removing',
          );
          const stats = await h!.proxy!.stats();
          const backend = stats.services.find((s) => s.serviceId === service.id);
          const served = new Set(backend?.servers.map((s) => s.id.slice(0, 12)));
          seen = JSON.stringify({
            desired: svc.desiredRevision,
            stable: svc.stableRevision,
            replicas: replicas.map((r) => [
              r.id.slice(0, 12),
              r.revision,
              r.state,
              h!.probes.get(r.id)?.healthy,
            ]),
            proxy: backend?.servers.map((s) => [s.id.slice(0, 12), s.state]),
          });
          return (
            svc.desiredRevision === svc.stableRevision &&
            replicas.length === REPLICAS &&
            replicas.every(
              (r) =>
                r.revision === svc.desiredRevision &&
                r.state === 'running' &&
                h!.probes.get(r.id)?.healthy === true &&
                served.has(r.id.slice(0, 12)),
            ) &&
            served.size === REPLICAS &&
            backend!.servers.every((s) => s.state === 'ready')
          );
        },
        120_000,
      ).catch((err: Error) => {
        throw new Error(`${err.message}; last seen ${seen}`);
      });
      for (let i = 0; i < 10; i++) {
        const res = await fetch(`http://127.0.0.1:${port}/`);
        expect(res.status).toBe(200);
      }
    },
  );
});
