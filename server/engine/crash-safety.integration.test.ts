import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq, inArray } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { deployments, services } from '@/db/schema';
import { createService } from '@/server/services/service/create';
import { deployService } from '@/server/services/service/deploy';
import { getService } from '@/server/services/service/read';
import { scaleService } from '@/server/services/service/scale';
import { makeHarness, sampleSpec, waitFor, type Harness } from '@/server/testing/harness';

// A second process needs a database it can share: this suite runs in the PostgreSQL pass of scripts/test.
const shared = Boolean(process.env.TEST_DATABASE_URL);
const ROUNDS = Number(process.env.CAPSTAN_CRASH_ROUNDS ?? 8);

let h: Harness | undefined;
let worker: ChildProcess | null = null;
let workerDataDir: string | null = null;
afterAll(async () => {
  worker?.kill('SIGKILL');
  // The worker's HAProxy outlives it by design; the test's must not outlive the test.
  const pidFile = workerDataDir && path.join(workerDataDir, 'haproxy', 'haproxy.pid');
  if (pidFile && fs.existsSync(pidFile)) {
    try {
      process.kill(Number(fs.readFileSync(pidFile, 'utf8').trim()), 'SIGTERM');
    } catch {
      /* already gone */
    }
  }
  await h?.close();
});

/** A small seeded generator, so a failing run can be repeated with its seed. */
function random(seed: number) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 2 ** 32;
}

describe.runIf(shared)('crash safety', () => {
  it(`converges after the control-loop process is SIGKILLed at random points of rollouts and scale changes (${ROUNDS} times)`, async () => {
    const key = crypto.randomBytes(32).toString('hex');
    h = await makeHarness({ secretKeyHex: key });
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'capstan-crash-'));
    workerDataDir = dataDir;
    const seed = Number(process.env.CAPSTAN_CRASH_SEED ?? Date.now() % 100000);
    const rand = random(seed);
    const log: string[] = [`seed ${seed}`];

    const start = () => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'server/worker.ts'], {
        env: {
          ...process.env,
          DATABASE_URL: h!.url!,
          CAPSTAN_SECRET_KEY: key,
          CAPSTAN_DATA_DIR: dataDir,
          CAPSTAN_PROBE_INTERVAL_MS: '200',
          CAPSTAN_RECONCILE_INTERVAL_MS: '300',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout!.on('data', (b: Buffer) => log.push(b.toString().trim()));
      child.stderr!.on('data', (b: Buffer) => log.push(b.toString().trim()));
      return child;
    };
    const kill = async (child: ChildProcess) => {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    };

    const dev = await h.as('developer');
    const { service } = await createService(dev, {
      name: `crash-${seed}`,
      description: '',
      protected: false,
      deploy: true,
      replicas: 2,
      spec: sampleSpec({ env: [{ name: 'TOKEN', value: 'kept-secret', secret: true }] }),
    });
    const running = (child: ChildProcess) =>
      new Promise<void>((resolve, reject) => {
        const onData = (b: Buffer) => b.toString().includes('control loop running') && resolve();
        child.stdout!.on('data', onData);
        child.once('exit', (code) => reject(new Error(`worker exited with ${code}\n${log.join('\n')}`)));
      });
    const tags = ['v1', 'v2', 'v3'];
    let midRollout = 0;
    for (let round = 0; round < ROUNDS; round++) {
      worker = start();
      await running(worker);
      const active = await h.db
        .select()
        .from(deployments)
        .where(inArray(deployments.status, ['pending', 'in_progress', 'queued']));
      // Rollouts and scale changes by turns; a scale also lands during a rollout now and then.
      const replicas = 2 + (round % 3);
      if (active.length === 0 && round % 2 === 0) {
        const tag = tags[(round / 2) % tags.length]!;
        await deployService(dev, {
          serviceId: service.id,
          reason: `round ${round}`,
          queue: false,
          spec: sampleSpec({ tag, env: [{ name: 'TOKEN', secret: true }] }),
        });
        log.push(`round ${round}: deploy ${tag}`);
      } else {
        await scaleService(dev, { serviceId: service.id, replicas, reason: `round ${round}` });
        log.push(`round ${round}: scale to ${replicas}${active.length ? ' (during a rollout)' : ''}`);
      }
      const wait = Math.floor(rand() * 1500);
      await new Promise((r) => setTimeout(r, wait));
      const inProgress = await h.db.select().from(deployments).where(eq(deployments.status, 'in_progress'));
      const now = (await h.docker.listReplicas({ serviceId: service.id })).filter(
        (r) => r.state === 'running',
      );
      const [row] = await h.db.select().from(services).where(eq(services.id, service.id));
      const scaling = now.length !== row!.desiredReplicas;
      if (inProgress.length > 0 || scaling) midRollout++;
      log.push(
        `round ${round}: SIGKILL after ${wait} ms${inProgress.length ? ' (mid-rollout)' : ''}${scaling ? ` (mid-scale: ${now.length} of ${row!.desiredReplicas})` : ''}`,
      );
      await kill(worker);
      worker = null;
    }

    // The test means something only if kills landed in the middle of rollouts and scale changes.
    expect(midRollout, log.join('\n')).toBeGreaterThanOrEqual(Math.ceil(ROUNDS / 3));
    worker = start();
    try {
      const view = await waitFor(
        'convergence after the last restart',
        async () => {
          const open = await h!.db
            .select()
            .from(deployments)
            .where(inArray(deployments.status, ['pending', 'in_progress', 'queued']));
          if (open.length > 0) return undefined;
          const v = await getService(dev, service.id);
          const replicas = await h!.docker.listReplicas({ serviceId: service.id });
          const right = replicas.filter(
            (r) => r.revision === v.service.desiredRevision && r.state === 'running',
          );
          return right.length === v.desired && replicas.length === v.desired ? { v, replicas } : undefined;
        },
        90_000,
      ).catch((err: Error) => {
        throw new Error(`${err.message}\n${log.join('\n')}`);
      });

      // Exactly the desired replicas of one revision, each serving that revision's version.
      const revision = view.v.revisions.find((r) => r.number === view.v.service.desiredRevision)!;
      for (const r of view.replicas) {
        const res = await fetch(`http://127.0.0.1:${r.hostPort}/version`);
        expect((await res.text()).trim()).toBe(revision.spec.tag);
        const env = (await h.docker.api.getContainer(r.id).inspect()).Config.Env;
        expect(env).toContain('TOKEN=kept-secret');
      }
      // No orphans of this installation, and a consistent history.
      const all = await h.docker.listReplicas();
      expect(all.every((r) => r.serviceId === service.id)).toBe(true);
      const history = await h.db.select().from(deployments).where(eq(deployments.serviceId, service.id));
      for (const d of history) {
        expect(['succeeded', 'failed', 'cancelled']).toContain(d.status);
        expect(d.finishedAt).not.toBeNull();
      }
      expect(view.v.service.stableRevision).toBe(view.v.service.desiredRevision);
    } finally {
      await kill(worker);
      worker = null;
    }
  });
});
