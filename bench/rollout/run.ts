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
import { createService } from '@/server/services/service/create';
import { deployService, redeployRevision } from '@/server/services/service/deploy';
import { makeHarness, sampleSpec, waitFor } from '@/server/testing/harness';
import { deploymentSteps, finished, printTimeline, startPlusHealthy } from '../lib/capstan-events';
import { docker, poll } from '../lib/docker-cli';
import { between, steadyLoad } from '../lib/load';
import { benchHealth as health, swarmUpdateArgs, withSwarmService } from '../lib/swarm';

const args = process.argv.slice(2);
const RATE = Number(args.find((a) => !a.startsWith('--')) ?? 200);
const TIMELINE = args.includes('--timeline');
const SWARM = !args.includes('--no-swarm');
const REPLICAS = 4;

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
      const work = ratio ? await startPlusHealthy(await deploymentSteps(h, id)) : 0;
      rows.push({
        system: 'capstan',
        scenario: `${scenario} (${d.status})`,
        ...between(a, load.snapshot()),
        doneS,
        doneRatio: ratio && work > 0 ? doneS / work : null,
        goneS,
        goneRatio: ratio && work > 0 ? goneS / work : null,
      });
      if (TIMELINE) await printTimeline(await deploymentSteps(h, id), scenario);
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
  await withSwarmService(
    { name: 'capstan-bench-swarm', replicas: REPLICAS, slots: REPLICAS * 2, extra: swarmUpdateArgs },
    async (svc) => {
      const { name } = svc;
      /** The service's running containers, by image. */
      const running = async () => (await svc.tasks()).map((t) => t.image);
      notes.push(`swarm: traffic through ${svc.via}`);
      const load = steadyLoad(svc.url, RATE);
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
    },
  );
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
