import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCaller } from '@/server/api/root';
import type { LiveEvent } from '@/server/services/events/bus';
import { makeHarness, sampleSpec, waitFor, type Harness } from '@/server/testing/harness';

// The split needs a database two processes share: this suite runs in the PostgreSQL pass of scripts/test.
const shared = Boolean(process.env.TEST_DATABASE_URL);

let h: Harness | undefined;
let worker: ChildProcess | null = null;
let workerDataDir: string | null = null;
afterAll(async () => {
  if (worker && worker.exitCode === null) {
    const exited = new Promise((r) => worker!.once('exit', r));
    worker.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    worker.kill('SIGKILL');
  }
  // The worker's HAProxy outlives it by design; the test's must not outlive the test.
  const pidFile = workerDataDir && path.join(workerDataDir, 'haproxy', 'haproxy.pid');
  if (pidFile && fs.existsSync(pidFile)) {
    try {
      process.kill(Number(fs.readFileSync(pidFile, 'utf8').trim()), 'SIGTERM');
    } catch {
      /* already gone */
    }
  }
  if (workerDataDir) fs.rmSync(workerDataDir, { recursive: true, force: true });
  await h?.bus.close();
  await h?.close();
});

/**
 * The documented split, for real: the control loop runs in a worker process (`server/worker.ts`,
 * CAPSTAN_ENGINE=on, a data directory of its own) and the console is this process, which probes nothing:
 * its probe store is empty and its bus is its own. What the console shows must come from the database.
 */
describe.runIf(shared)('the web process and the worker on PostgreSQL', () => {
  it("shows the worker's health and live events in the console", async () => {
    const key = crypto.randomBytes(32).toString('hex');
    h = await makeHarness({ secretKeyHex: key });
    await h.bus.shareThrough(h.url!);
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'capstan-split-'));
    workerDataDir = dataDir;
    const log: string[] = [];
    const viewer = (await h.as('viewer')).actor;
    const developer = (await h.as('developer')).actor;
    const console_ = (actor: typeof viewer, signal?: AbortSignal) =>
      createCaller(
        {
          deps: h!,
          actor,
          origin: { ip: '127.0.0.1', userAgent: 'vitest' },
          sessionToken: undefined,
          resHeaders: null,
        },
        { signal },
      );

    // The console's live stream (the SSE subscription), opened before anything happens.
    const live: LiveEvent[] = [];
    const abort = new AbortController();
    const stream = await console_(viewer, abort.signal).activity.live();
    const reading = (async () => {
      try {
        for await (const e of stream) if (e.type !== 'hello') live.push(e);
      } catch {
        /* aborted */
      }
    })();

    const { service } = await console_(developer).services.create({
      name: `split-${crypto.randomBytes(3).toString('hex')}`,
      spec: sampleSpec(),
      replicas: 2,
      deploy: true,
    });
    worker = spawn(process.execPath, ['--import', 'tsx', 'server/worker.ts'], {
      env: {
        ...process.env,
        DATABASE_URL: h.url!,
        CAPSTAN_ENGINE: 'on',
        CAPSTAN_SECRET_KEY: key,
        CAPSTAN_DATA_DIR: dataDir,
        CAPSTAN_PROBE_INTERVAL_MS: '250',
        CAPSTAN_RECONCILE_INTERVAL_MS: '500',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    worker.stdout!.on('data', (b: Buffer) => log.push(b.toString().trim()));
    worker.stderr!.on('data', (b: Buffer) => log.push(b.toString().trim()));
    const withLog = (err: Error) => {
      throw new Error(`${err.message}\nworker:\n${log.join('\n')}`);
    };

    const view = await waitFor(
      'the console to see the service healthy',
      async () => {
        if (worker?.exitCode !== null) throw new Error(`the worker exited with ${worker?.exitCode}`);
        const v = await console_(viewer).services.get({ serviceId: service.id });
        return v.health === 'healthy' && v.ready === 2 ? v : undefined;
      },
      90_000,
    ).catch(withLog);

    // What a person sees on the service page: 2 of 2 ready, each replica healthy, none "starting".
    expect(view.desired).toBe(2);
    const running = view.replicas.filter((r) => r.state === 'running');
    expect(running).toHaveLength(2);
    expect(running.map((r) => r.health)).toEqual(['healthy', 'healthy']);
    // The overview says the same.
    const { services: list } = await console_(viewer).services.list();
    expect(list.find((s) => s.id === service.id)).toMatchObject({ health: 'healthy', ready: 2, desired: 2 });
    // This process probed nothing: the verdicts came from the worker, through the database.
    for (const r of running) expect(h.probes.get(r.id)).toBeUndefined();

    // The worker's events reached this process's live stream: the rollout's end and the health flips.
    await waitFor('the worker to publish the rollout', async () =>
      live.some((e) => e.type === 'deployment' && e.serviceId === service.id && e.status === 'succeeded'),
    ).catch(withLog);
    expect(
      live.some((e) => e.type === 'service' && e.serviceId === service.id && e.reason === 'health'),
    ).toBe(true);
    // Each once: this process's own "created" event came back from its own emitter only.
    const created = live.filter((e) => e.type === 'service' && e.reason === 'created');
    expect(created).toHaveLength(1);

    abort.abort();
    await reading;
  });
});
