/**
 * Rollout benchmark: Capstan's rolling deploy, automatic rollback and one-click rollback of 4 replicas
 * under a steady load, side by side with `docker service update` / `docker service rollback` on a
 * single-node Swarm with the same image and health check under the same load.
 *
 *   node --import tsx bench/rollout/run.ts [rate=200] [--timeline] [--no-swarm]
 *
 * --timeline prints each Capstan deployment's recorded steps with their times; --no-swarm skips Swarm.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { eq } from 'drizzle-orm';
import { deployments, events } from '@/db/schema';
import { createService } from '@/server/services/service/create';
import { deployService, redeployRevision } from '@/server/services/service/deploy';
import { makeHarness, sampleSpec, waitFor, type Harness } from '@/server/testing/harness';
import { between, steadyLoad } from './load';

const sh = promisify(execFile);
const docker = async (...args: string[]) => (await sh('docker', args, { maxBuffer: 8 << 20 })).stdout.trim();
const args = process.argv.slice(2);
const RATE = Number(args.find((a) => !a.startsWith('--')) ?? 200);
const TIMELINE = args.includes('--timeline');
const SWARM = !args.includes('--no-swarm');
const REPLICAS = 4;
const health = {
  type: 'http' as const,
  path: '/healthz',
  intervalSeconds: 0.5,
  timeoutSeconds: 1,
  healthyThreshold: 1,
  unhealthyThreshold: 2,
  startPeriodSeconds: 2,
};

type Row = {
  system: string;
  scenario: string;
  requests: number;
  failed: number;
  wallS: number;
  ratio: number | null;
  /** Capstan: until the deployment's verdict, when the new version alone takes the traffic. */
  liveS?: number;
  liveRatio?: number | null;
};
const rows: Row[] = [];
const notes: string[] = [];

/** Polls every 10 ms (the harness's waitFor polls every 200 ms, too coarse to time a 2 s rollout). */
async function poll<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function finished(h: Harness, id: string) {
  return poll(
    'deployment',
    async () => {
      const [d] = await h.db.select().from(deployments).where(eq(deployments.id, id));
      return d && ['succeeded', 'failed', 'cancelled'].includes(d.status) ? d : undefined;
    },
    180_000,
  );
}

async function printTimeline(h: Harness, deploymentId: string, title: string) {
  const steps = await h.db.select().from(events).where(eq(events.deploymentId, deploymentId));
  steps.sort((a, b) => a.at.getTime() - b.at.getTime() || a.id - b.id);
  const zero = steps[0]?.at.getTime() ?? 0;
  console.log(`\n${title}`);
  for (const s of steps)
    console.log(`${String(s.at.getTime() - zero).padStart(6)} ms  ${s.kind.padEnd(20)} ${s.message}`);
}

/** Σ over the deployment's new replicas of (container created → first healthy probe), in seconds. */
async function startPlusHealthy(h: Harness, deploymentId: string): Promise<number> {
  const steps = await h.db.select().from(events).where(eq(events.deploymentId, deploymentId));
  let sum = 0;
  for (const started of steps.filter((s) => s.kind === 'replica.started')) {
    const id = started.data?.containerId as string;
    const healthy = steps.find((s) => s.kind === 'replica.healthy' && s.data?.containerId === id);
    if (!healthy) continue;
    const created = new Date(
      await docker('inspect', '-f', '{{.Created}}', id).catch(() => started.at.toISOString()),
    );
    sum += (healthy.at.getTime() - Math.min(created.getTime(), started.at.getTime())) / 1000;
  }
  return sum;
}

async function capstan() {
  const h = await makeHarness({ proxy: true });
  h.loop({ probeIntervalMs: 100 }).start();
  try {
    const op = await h.as('operator');
    const spec = (tag: string, env: { name: string; value: string; secret: boolean }[] = []) =>
      sampleSpec({ tag, replicas: REPLICAS, healthCheck: health, env });
    const { service, deployment } = await createService(op, {
      name: 'bench-rollout',
      description: '',
      protected: false,
      deploy: true,
      spec: spec('v1'),
    });
    await finished(h, deployment!.id);
    const [rev] = await h.db.query.revisions.findMany({
      where: (r, { eq: is }) => is(r.serviceId, service.id),
    });
    const url = `http://127.0.0.1:${rev!.spec.endpointPort}/`;
    await waitFor('endpoint', async () => (await fetch(url).catch(() => null))?.ok);
    const load = steadyLoad(url, RATE);

    const run = async (scenario: string, start: () => Promise<string>, ratio: boolean) => {
      const a = load.snapshot();
      const t0 = Date.now();
      const id = await start();
      const d = await finished(h, id);
      // Done means the old replicas are gone too, not only the deployment's verdict.
      await poll(
        'old replicas gone',
        async () => {
          const list = await h.docker.listReplicas({ serviceId: service.id });
          const desired = (await h.db.query.services.findFirst({
            where: (s, { eq: is }) => is(s.id, service.id),
          }))!.desiredRevision;
          return list.length === REPLICAS && list.every((r) => r.revision === desired);
        },
        120_000,
      );
      const wallS = (Date.now() - t0) / 1000;
      const liveS = ((d.finishedAt?.getTime() ?? Date.now()) - t0) / 1000;
      const work = ratio ? await startPlusHealthy(h, id) : 0;
      rows.push({
        system: 'capstan',
        scenario: `${scenario} (${d.status})`,
        ...between(a, load.snapshot()),
        wallS,
        ratio: ratio && work > 0 ? wallS / work : null,
        liveS,
        liveRatio: ratio && work > 0 ? liveS / work : null,
      });
      if (TIMELINE) await printTimeline(h, id, scenario);
    };

    await run(
      'rolling deploy v1→v2',
      async () =>
        (await deployService(op, { serviceId: service.id, reason: 'bench', queue: false, spec: spec('v2') }))
          .deployment.id,
      true,
    );
    await run(
      'automatic rollback (v3 fails health)',
      async () =>
        (
          await deployService(op, {
            serviceId: service.id,
            reason: 'bench',
            queue: false,
            spec: spec('v3', [{ name: 'HEALTH', value: 'fail', secret: false }]),
          })
        ).deployment.id,
      false,
    );
    await run(
      'one-click rollback to v1',
      async () =>
        (await redeployRevision(op, { serviceId: service.id, revision: 1, reason: 'bench', queue: false }))
          .id,
      true,
    );
    // The same rolling deploy of an application that needs 1 s to start: Capstan's per-step cost is fixed,
    // so its share of the wall time shrinks as start-up grows. Not a replacement for the row above.
    await run(
      'rolling deploy v1→v2, 1 s start-up',
      async () =>
        (
          await deployService(op, {
            serviceId: service.id,
            reason: 'bench',
            queue: false,
            spec: spec('v2', [{ name: 'START_DELAY_SECONDS', value: '1', secret: false }]),
          })
        ).deployment.id,
      true,
    );
    const tally = await load.stop();
    if (tally.failed) console.log('capstan errors:', Object.fromEntries(tally.errors));
  } finally {
    await h.close();
  }
}

async function swarm() {
  const state = await docker('info', '-f', '{{.Swarm.LocalNodeState}}');
  const ours = state !== 'active';
  if (ours) await docker('swarm', 'init', '--advertise-addr', '127.0.0.1');
  const name = 'capstan-bench-swarm';
  const port = 18000 + Math.floor(Math.random() * 900);
  const hc = [
    '--health-interval',
    '500ms',
    '--health-timeout',
    '1s',
    '--health-retries',
    '2',
    '--health-start-period',
    '2s',
  ];
  const upd = [
    '--update-order',
    'start-first',
    '--update-parallelism',
    '1',
    '--update-delay',
    '0s',
    '--update-monitor',
    '2s',
    '--update-failure-action',
    'rollback',
    '--rollback-order',
    'start-first',
    '--rollback-parallelism',
    '1',
    '--rollback-monitor',
    '2s',
  ];
  try {
    await docker(
      'service',
      'create',
      '--detach=false',
      '--quiet',
      '--name',
      name,
      '--replicas',
      String(REPLICAS),
      '--publish',
      `published=${port},target=8080`,
      ...hc,
      ...upd,
      'capstan-sample:v1',
    );
    const url = `http://127.0.0.1:${port}/`;
    // The routing mesh needs IPVS in the kernel; without it the published port never answers.
    const mesh = await waitFor('swarm endpoint', async () => (await fetch(url).catch(() => null))?.ok, 20_000)
      .then(() => true)
      .catch(() => false);
    if (!mesh)
      notes.push(
        'swarm: the routing mesh did not answer (no IPVS in this kernel?): wall times only, no load',
      );
    const load = mesh ? steadyLoad(url, RATE) : null;
    const run = async (scenario: string, args: string[]) => {
      const a = load?.snapshot();
      const t0 = performance.now();
      const out = await docker(...args).catch(
        (err: Error & { stderr?: string }) => `error: ${err.stderr ?? err.message}`,
      );
      const wallS = (performance.now() - t0) / 1000;
      const state = await docker(
        'service',
        'inspect',
        '-f',
        '{{if .UpdateStatus}}{{.UpdateStatus.State}}{{end}}',
        name,
      ).catch(() => '');
      const verdict = out.startsWith('error') ? `error: ${out.slice(7, 120).trim()}` : state || 'converged';
      const counts = a && load ? between(a, load.snapshot()) : { requests: Number.NaN, failed: Number.NaN };
      rows.push({ system: 'swarm', scenario: `${scenario} (${verdict})`, ...counts, wallS, ratio: null });
    };
    await run('rolling deploy v1→v2', [
      'service',
      'update',
      '--detach=false',
      '--quiet',
      '--image',
      'capstan-sample:v2',
      name,
    ]);
    await run('rollback (docker service rollback)', [
      'service',
      'rollback',
      '--detach=false',
      '--quiet',
      name,
    ]);
    await run('automatic rollback (v3 fails health)', [
      'service',
      'update',
      '--detach=false',
      '--quiet',
      '--image',
      'capstan-sample:v3',
      '--env-add',
      'HEALTH=fail',
      name,
    ]);
    const tally = await load?.stop();
    if (tally?.failed) console.log('swarm errors:', Object.fromEntries(tally.errors));
  } finally {
    await docker('service', 'rm', name).catch(() => '');
    if (ours) await docker('swarm', 'leave', '--force').catch(() => '');
  }
}

await capstan();
if (SWARM) await swarm().catch((err: Error) => notes.push(`swarm: not measured: ${err.message}`));
console.log(
  `\nRollout benchmark: ${REPLICAS} replicas of capstan-sample, steady load ${RATE} req/s on 127.0.0.1\n`,
);
const fmt = (v: number | null | undefined, digits = 2) =>
  v === null || v === undefined ? 'n/a' : v.toFixed(digits);
console.log(
  [
    'system',
    'scenario',
    'requests',
    'failed',
    'live s',
    'live/Σ(start+healthy)',
    'wall s',
    'wall/Σ(start+healthy)',
  ].join(' | '),
);
for (const r of rows) {
  console.log(
    [
      r.system,
      r.scenario,
      Number.isNaN(r.requests) ? 'n/a' : r.requests,
      Number.isNaN(r.failed) ? 'n/a' : r.failed,
      fmt(r.liveS),
      fmt(r.liveRatio),
      fmt(r.wallS),
      fmt(r.ratio),
    ].join(' | '),
  );
}
console.log(
  '\nlive: until the deployment succeeded (the new replicas alone take the traffic); wall: until the old replicas are removed too.',
);
const pair = (s: string) => [
  rows.find((r) => r.system === 'capstan' && r.scenario.startsWith(s)),
  rows.find((r) => r.system === 'swarm' && r.scenario.startsWith(s)),
];
const [cr, sr] = pair('automatic rollback');
if (cr && sr)
  console.log(
    `\nautomatic rollback: capstan ${cr.wallS.toFixed(2)} s / swarm ${sr.wallS.toFixed(2)} s = ${(cr.wallS / sr.wallS).toFixed(2)}×; failed requests ${cr.failed} vs ${Number.isNaN(sr.failed) ? 'n/a' : sr.failed}`,
  );
const [cd, sd] = pair('rolling deploy v1→v2 (');
if (cd && sd)
  console.log(
    `rolling deploy: capstan ${cd.wallS.toFixed(2)} s / swarm ${sd.wallS.toFixed(2)} s = ${(cd.wallS / sd.wallS).toFixed(2)}×; failed requests ${cd.failed} vs ${Number.isNaN(sd.failed) ? 'n/a' : sd.failed}`,
  );
for (const note of notes) console.log(`note: ${note}`);
