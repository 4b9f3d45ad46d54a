/**
 * Rollout benchmark: Capstan's rolling deploy, automatic rollback and one-click rollback of 4 replicas
 * under a steady load, side by side with `docker service update` / `docker service rollback` on a
 * single-node Swarm with the same image and health check under the same load.
 *
 *   node --import tsx bench/rollout/run.ts [rate=200] [--timeline] [--no-swarm]
 *
 * --timeline prints each Capstan deployment's recorded steps with their times; --no-swarm skips Swarm.
 *
 * Swarm serves through its routing mesh where the kernel has IPVS. Where it has not (the mesh's published
 * port never answers), the service runs in DNS round-robin mode behind an HAProxy container on its overlay
 * network that finds the tasks in Swarm's DNS, with the retry settings of Capstan's own proxy.
 */
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { eq } from 'drizzle-orm';
import { deployments, events } from '@/db/schema';
import { createService } from '@/server/services/service/create';
import { deployService, redeployRevision } from '@/server/services/service/deploy';
import { BALANCING_DEFAULTS, RETRY_ONLY_SAFE_METHODS } from '@/server/proxy/config';
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
  /**
   * Wall time until the deploy is done: the new version healthy and alone serving. Capstan: the deployment
   * succeeded (or failed, back on the old version); Swarm: `docker service … --detach=false` returned.
   */
  doneS: number;
  doneRatio: number | null;
  /** Wall time until no old replica is left: Capstan removes them, Swarm stops them (and keeps them). */
  goneS: number;
  goneRatio: number | null;
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
  const lines: { at: number; text: string }[] = steps.map((s) => ({
    at: s.at.getTime() - zero,
    text: `${s.kind.padEnd(20)} ${s.message}`,
  }));
  // Docker's own times for each new replica: when it was created and when its process started.
  for (const s of steps.filter((x) => x.kind === 'replica.started')) {
    const id = s.data?.containerId as string;
    const out = await docker('inspect', '-f', '{{.Created}} {{.State.StartedAt}}', id).catch(() => '');
    const [created, startedAt] = out.split(' ').map((t) => new Date(t).getTime() - zero);
    if (created !== undefined && !Number.isNaN(created))
      lines.push({ at: created, text: `${'(docker) created'.padEnd(20)} ${id.slice(0, 12)}` });
    if (startedAt !== undefined && !Number.isNaN(startedAt))
      lines.push({ at: startedAt, text: `${'(docker) started'.padEnd(20)} ${id.slice(0, 12)}` });
  }
  lines.sort((a, b) => a.at - b.at);
  for (const l of lines) console.log(`${String(l.at).padStart(6)} ms  ${l.text}`);
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
      sampleSpec({ tag, healthCheck: health, env });
    const { service, deployment } = await createService(op, {
      name: 'bench-rollout',
      description: '',
      protected: false,
      deploy: true,
      replicas: REPLICAS,
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
      const goneS = (Date.now() - t0) / 1000;
      const doneS = ((d.finishedAt?.getTime() ?? Date.now()) - t0) / 1000;
      const work = ratio ? await startPlusHealthy(h, id) : 0;
      rows.push({
        system: 'capstan',
        scenario: `${scenario} (${d.status})`,
        ...between(a, load.snapshot()),
        doneS,
        doneRatio: ratio && work > 0 ? doneS / work : null,
        goneS,
        goneRatio: ratio && work > 0 ? goneS / work : null,
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

/**
 * An HAProxy image for Swarm's front when the routing mesh cannot serve: this host's HAProxy binary and the
 * libraries it links, `FROM scratch` (there is no registry to pull one from). Built once per binary.
 */
async function haproxyImage(): Promise<string> {
  const bin = '/usr/sbin/haproxy';
  const hash = crypto
    .createHash('sha256')
    .update(await fs.readFile(bin))
    .digest('hex')
    .slice(0, 12);
  const tag = `capstan-bench-haproxy:${hash}`;
  if (
    await docker('image', 'inspect', tag).then(
      () => true,
      () => false,
    )
  )
    return tag;
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'capstan-bench-haproxy-'));
  try {
    const libs = (await sh('ldd', [bin])).stdout.match(/\/\S+/g) ?? [];
    for (const file of [bin, ...libs]) {
      await fs.mkdir(path.join(root, path.dirname(file)), { recursive: true });
      await fs.copyFile(await fs.realpath(file), path.join(root, file));
    }
    await fs.chmod(path.join(root, bin), 0o755);
    const entry = JSON.stringify([bin, '-W', '-db', '-f', '/etc/haproxy/haproxy.cfg']);
    await sh('bash', [
      '-c',
      `tar -C "$1" -c . | docker import -c "ENTRYPOINT $2" - "$3"`,
      '-',
      root,
      entry,
      tag,
    ]);
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
  return tag;
}

/**
 * Swarm's front without the routing mesh: HAProxy on the service's overlay network, finding the tasks in
 * Swarm's DNS (`tasks.<service>`, which lists a task once it is running and healthy) and with the
 * balancing, retry and timeout settings of Capstan's proxy (BALANCING_DEFAULTS).
 */
function frontConfig(service: string): string {
  return [
    'global',
    '  log stderr format iso local0 warning',
    'resolvers swarm',
    '  nameserver docker 127.0.0.11:53',
    '  accepted_payload_size 8192',
    '  resolve_retries 3',
    '  timeout resolve 250ms',
    '  timeout retry 250ms',
    '  hold valid 1s',
    '  hold obsolete 0s',
    'defaults',
    '  mode http',
    ...BALANCING_DEFAULTS.map((line) => `  ${line}`),
    'frontend web',
    '  bind :80',
    '  default_backend tasks',
    'backend tasks',
    `  ${RETRY_ONLY_SAFE_METHODS}`,
    `  server-template task ${REPLICAS * 2} tasks.${service}:8080 resolvers swarm init-addr none`,
    '',
  ].join('\n');
}

async function swarm() {
  const state = await docker('info', '-f', '{{.Swarm.LocalNodeState}}');
  const ours = state !== 'active';
  if (ours) await docker('swarm', 'init', '--advertise-addr', '127.0.0.1');
  const name = 'capstan-bench-swarm';
  const net = `${name}-net`;
  const front = `${name}-front`;
  const port = 18000 + Math.floor(Math.random() * 900);
  const url = `http://127.0.0.1:${port}/`;
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
  const create = (endpoint: string[]) =>
    docker(
      'service',
      'create',
      '--detach=false',
      '--quiet',
      '--name',
      name,
      '--replicas',
      String(REPLICAS),
      '--network',
      net,
      ...endpoint,
      ...hc,
      ...upd,
      'capstan-sample:v1',
    );
  const answers = (ms: number) =>
    waitFor('swarm endpoint', async () => (await fetch(url).catch(() => null))?.ok, ms).then(
      () => true,
      () => false,
    );
  /** The service's running containers, by image. */
  const running = async () =>
    (await docker('ps', '--filter', `label=com.docker.swarm.service.name=${name}`, '--format', '{{.Image}}'))
      .split('\n')
      .filter(Boolean);
  let frontDir: string | null = null;
  // Leftovers of an interrupted run.
  await docker('rm', '-f', front).catch(() => '');
  await docker('service', 'rm', name).catch(() => '');
  await poll('old swarm tasks gone', async () => (await running()).length === 0, 60_000);
  await poll(
    'old swarm network gone',
    () =>
      docker('network', 'rm', net).then(
        () => true,
        (e: Error) => /no such network|not found/i.test(e.message),
      ),
    30_000,
  );
  try {
    await docker('network', 'create', '--driver', 'overlay', '--attachable', net);
    // Swarm's own way first: the routing mesh on a published port. It needs IPVS in the kernel.
    await create(['--publish', `published=${port},target=8080`]);
    let via = 'routing mesh';
    if (!(await answers(15_000))) {
      // Without IPVS the published port never answers. Swarm's other mode: DNS round robin and a proxy of
      // one's own on the overlay network, the setup Swarm's documentation gives for external balancers.
      await docker('service', 'rm', name);
      await poll('swarm tasks gone', async () => (await running()).length === 0, 60_000);
      await create(['--endpoint-mode', 'dnsrr']);
      frontDir = await fs.mkdtemp(path.join(os.tmpdir(), 'capstan-bench-front-'));
      await fs.writeFile(path.join(frontDir, 'haproxy.cfg'), frontConfig(name));
      await docker(
        'run',
        '-d',
        '--name',
        front,
        '--network',
        net,
        '-p',
        `127.0.0.1:${port}:80`,
        '-v',
        `${frontDir}:/etc/haproxy:ro`,
        await haproxyImage(),
      );
      via = 'DNS round robin + HAProxy (no IPVS for the routing mesh)';
      if (!(await answers(30_000)))
        throw new Error('neither the routing mesh nor the HAProxy front answered');
    }
    notes.push(`swarm: traffic through ${via}`);
    const load = steadyLoad(url, RATE);
    const run = async (scenario: string, image: string, args: string[]) => {
      const a = load.snapshot();
      const t0 = performance.now();
      const out = await docker(...args).catch(
        (err: Error & { stderr?: string }) => `error: ${err.stderr ?? err.message}`,
      );
      const doneS = (performance.now() - t0) / 1000;
      const stillOld = (await running()).filter((i) => !i.endsWith(image)).length;
      // Swarm keeps stopped tasks as history: "gone" is the last old container stopped.
      await poll(
        'old swarm tasks stopped',
        async () => {
          const now = await running();
          return now.length === REPLICAS && now.every((i) => i.endsWith(image));
        },
        60_000,
      );
      const goneS = (performance.now() - t0) / 1000;
      const state = await docker(
        'service',
        'inspect',
        '-f',
        '{{if .UpdateStatus}}{{.UpdateStatus.State}}{{end}}',
        name,
      ).catch(() => '');
      const verdict = out.startsWith('error') ? `error: ${out.slice(7, 120).trim()}` : state || 'converged';
      rows.push({
        system: 'swarm',
        scenario: `${scenario} (${verdict})`,
        ...between(a, load.snapshot()),
        doneS,
        doneRatio: null,
        goneS,
        goneRatio: null,
      });
      if (stillOld > 0)
        notes.push(`swarm ${scenario}: ${stillOld} old task(s) still running when the CLI returned`);
    };
    await run('rolling deploy v1→v2', ':v2', [
      'service',
      'update',
      '--detach=false',
      '--quiet',
      '--image',
      'capstan-sample:v2',
      name,
    ]);
    await run('rollback (docker service rollback)', ':v1', [
      'service',
      'rollback',
      '--detach=false',
      '--quiet',
      name,
    ]);
    await run('automatic rollback (v3 fails health)', ':v1', [
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
    const tally = await load.stop();
    if (tally.failed) console.log('swarm errors:', Object.fromEntries(tally.errors));
  } finally {
    await docker('rm', '-f', front).catch(() => '');
    await docker('service', 'rm', name).catch(() => '');
    await poll('swarm tasks gone', async () => (await running().catch(() => [])).length === 0, 60_000).catch(
      () => undefined,
    );
    // The network goes once its last task's endpoint is released, a moment after the task stops.
    await poll(
      'swarm network removed',
      () =>
        docker('network', 'rm', net).then(
          () => true,
          () => false,
        ),
      30_000,
    ).catch(() => undefined);
    if (frontDir) await fs.rm(frontDir, { recursive: true, force: true });
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
    'wall s to done',
    'done/Σ(start+healthy)',
    'wall s to old gone',
    'old gone/Σ(start+healthy)',
  ].join(' | '),
);
for (const r of rows) {
  console.log(
    [
      r.system,
      r.scenario,
      Number.isNaN(r.requests) ? 'n/a' : r.requests,
      Number.isNaN(r.failed) ? 'n/a' : r.failed,
      fmt(r.doneS),
      fmt(r.doneRatio),
      fmt(r.goneS),
      fmt(r.goneRatio),
    ].join(' | '),
  );
}
console.log(
  '\ndone: the new version healthy and alone serving (Capstan: the deployment succeeded or failed back to the old' +
    '\nversion; Swarm: the CLI returned). old gone: no old replica left (Capstan removes them; Swarm stops them and' +
    '\nkeeps them as task history). Σ: Docker `Created` → first healthy probe, summed over the new replicas.',
);
const find = (system: string, s: string) => rows.find((r) => r.system === system && r.scenario.startsWith(s));
const compare = (title: string, c: Row | undefined, w: Row | undefined) => {
  if (!c || !w) return;
  const x = (a: number | undefined, b: number | undefined) =>
    a === undefined || b === undefined
      ? 'n/a'
      : `${a.toFixed(2)} s / ${b.toFixed(2)} s = ${(a / b).toFixed(2)}×`;
  const failed = (r: Row) => (Number.isNaN(r.failed) ? 'n/a' : r.failed);
  console.log(
    `${title}: capstan/swarm done ${x(c.doneS, w.doneS)}, old gone ${x(c.goneS, w.goneS)}; failed requests ${failed(c)} vs ${failed(w)}`,
  );
};
console.log('');
compare('rolling deploy', find('capstan', 'rolling deploy v1→v2 ('), find('swarm', 'rolling deploy'));
compare('automatic rollback', find('capstan', 'automatic rollback'), find('swarm', 'automatic rollback'));
compare('rollback to the previous version', find('capstan', 'one-click'), find('swarm', 'rollback ('));
for (const note of notes) console.log(`note: ${note}`);
