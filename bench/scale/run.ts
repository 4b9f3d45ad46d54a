/**
 * Scale benchmark: Capstan scales a service of capstan-sample from 4 to 8 replicas, back to 4, and restarts
 * its 4 replicas one by one, under a steady load on its endpoint; then `docker service scale` and
 * `docker service update --force` do the same on a single-node Swarm with the same image and health check
 * under the same load. Prints wall times, requests, failed requests, containers kept (or replaced), Capstan's
 * goals of issue 10 with PASS/FAIL, and Capstan ÷ Swarm.
 *
 *   node --import tsx bench/scale/run.ts [rate=200] [--timeline] [--no-swarm]
 *
 * --timeline prints each Capstan scenario's recorded steps with their times; --no-swarm skips Swarm.
 */
import { createService } from '@/server/services/service/create';
import { restartService } from '@/server/services/service/restart';
import { scaleService } from '@/server/services/service/scale';
import { makeHarness, sampleSpec, waitFor } from '@/server/testing/harness';
import {
  containerOf,
  createdTimes,
  finished,
  printTimeline,
  serviceSteps,
  startToHealthy,
} from '../lib/capstan-events';
import { docker, poll } from '../lib/docker-cli';
import { between, steadyLoad } from '../lib/load';
import { benchHealth, swarmUpdateArgs, tasksRunningAt, withSwarmService } from '../lib/swarm';

const args = process.argv.slice(2);
const RATE = Number(args.find((a) => !a.startsWith('--')) ?? 200);
const TIMELINE = args.includes('--timeline');
const SWARM = !args.includes('--no-swarm');
const FEW = 4;
const MANY = 8;
const UP = `scale ${FEW}→${MANY}`;
const DOWN = `scale ${MANY}→${FEW}`;
const RESTART = `rolling restart of ${FEW}`;

type Row = {
  system: 'capstan' | 'swarm';
  scenario: string;
  requests: number;
  failed: number;
  /**
   * Wall time from the request until done. Scale up: Capstan, the last new replica in traffic; Swarm, its last
   * new task running (healthy). Scale down, both: the extra replicas gone from `docker ps`. Restart: Capstan,
   * the deployment's verdict; Swarm, its last new task running. (Swarm's CLI returns after a further wait of
   * the update monitor period, 2 s here, to see the tasks stay up: in the notes.)
   */
  doneS: number;
  /**
   * The clients' view, from the load's answers. Scale up: every new replica has answered a request. Scale down:
   * a removed replica answered its last request. Restart: an old replica answered its last request.
   */
  clientsS: number | null;
  /** Restart: the last old replica gone from `docker ps`. */
  goneS: number | null;
  before: number;
  after: number;
  /** Containers from before that are still there after. */
  kept: number;
};
const rows: Row[] = [];
const goals: { scenario: string; goal: string; pass: boolean; detail: string }[] = [];
const notes: string[] = [];

const s = (ms: number) => (ms / 1000).toFixed(2);

/** The latest time any of `ids` answered (last) or the latest of their first answers (first), or null. */
function answeredAt(
  load: ReturnType<typeof steadyLoad>,
  ids: string[],
  which: 'first' | 'last',
): number | null {
  let at: number | null = null;
  for (const id of ids) {
    const seen = load.answered(id);
    if (!seen) return which === 'first' ? null : at;
    at = Math.max(at ?? 0, seen[which]);
  }
  return at;
}

/** Waits up to `ms` for every one of `ids` to have answered; the last first answer, or null. */
async function allAnswered(load: ReturnType<typeof steadyLoad>, ids: string[], ms: number) {
  return poll('new replicas answering', async () => answeredAt(load, ids, 'first') ?? undefined, ms).catch(
    () => null,
  );
}

async function capstan() {
  const h = await makeHarness({ proxy: true });
  h.loop({ probeIntervalMs: 100 }).start();
  try {
    const op = await h.as('operator');
    const { service, deployment } = await createService(op, {
      name: 'bench-scale',
      description: '',
      protected: false,
      deploy: true,
      replicas: FEW,
      spec: sampleSpec({ tag: 'v1', healthCheck: benchHealth }),
    });
    await finished(h, deployment!.id);
    const [rev] = await h.db.query.revisions.findMany({
      where: (r, { eq: is }) => is(r.serviceId, service.id),
    });
    const url = `http://127.0.0.1:${rev!.spec.endpointPort}/`;
    await waitFor('endpoint', async () => (await fetch(url).catch(() => null))?.ok);
    const load = steadyLoad(url, RATE);
    /** What `docker ps` lists of the service. */
    const listed = async () =>
      (await h.docker.listReplicas({ serviceId: service.id }))
        .filter((r) => ['running', 'restarting', 'paused'].includes(r.state))
        .map((r) => r.id);
    // Every replica has served before the first scenario.
    await allAnswered(load, await listed(), 10_000);

    const scenario = async (
      name: string,
      act: () => Promise<unknown>,
      measure: (
        t0: number,
        before: string[],
      ) => Promise<Omit<Row, 'system' | 'scenario' | 'requests' | 'failed'>>,
    ) => {
      const before = await listed();
      const a = load.snapshot();
      const t0 = Date.now();
      await act();
      const row = await measure(t0, before);
      rows.push({ system: 'capstan', scenario: name, ...between(a, load.snapshot()), ...row });
      const failed = rows.at(-1)!.failed;
      goals.push({
        scenario: name,
        goal: '0 failed requests',
        pass: failed === 0,
        detail: `${failed} failed`,
      });
      if (TIMELINE) await printTimeline(await serviceSteps(h, service.id, new Date(t0)), name);
    };

    await scenario(
      UP,
      () => scaleService(op, { serviceId: service.id, replicas: MANY, reason: 'bench' }),
      async (t0, before) => {
        // Done: every new replica healthy and in traffic, as the engine records it once the proxy serves it.
        const { fresh, steps } = await poll(
          'new replicas in traffic',
          async () => {
            const steps = await serviceSteps(h, service.id, new Date(t0));
            const fresh = new Set(
              steps
                .filter((e) => e.kind === 'replica.in-traffic' && !before.includes(containerOf(e)!))
                .map((e) => containerOf(e)!),
            );
            return fresh.size >= MANY - FEW ? { fresh: [...fresh], steps } : undefined;
          },
          120_000,
        );
        // A replica's first in-traffic event: it is in traffic from then on.
        const inTraffic = new Map<string, number>();
        for (const e of steps)
          if (
            e.kind === 'replica.in-traffic' &&
            fresh.includes(containerOf(e)!) &&
            !inTraffic.has(containerOf(e)!)
          )
            inTraffic.set(containerOf(e)!, e.at.getTime());
        const doneAt = Math.max(...inTraffic.values());
        const servedAt = await allAnswered(load, fresh, 10_000);
        const after = await listed();
        const created = await createdTimes(steps);
        const each = startToHealthy(steps, created).filter((x) => fresh.includes(x.containerId));
        const sum = each.reduce((t, x) => t + x.seconds, 0);
        const doneS = (doneAt - t0) / 1000;
        const slowest = Math.max(...each.map((x) => x.seconds));
        const createdMs = fresh.map((id) => (created.get(id) ?? NaN) - t0).sort((p, q) => p - q);
        const lag = each.map((x) => inTraffic.get(x.containerId)! - x.healthyAt);
        goals.push({
          scenario: UP,
          goal: `done ≤ 1.2 × Σ(created → first healthy probe) of the ${fresh.length} new replicas`,
          pass: doneS <= 1.2 * sum,
          detail:
            `${doneS.toFixed(2)} s ≤ 1.2 × ${sum.toFixed(2)} s = ${(1.2 * sum).toFixed(2)} s (done ÷ Σ ` +
            `${(doneS / sum).toFixed(2)}); new replicas created at +${createdMs.join(', +')} ms, slowest ` +
            `created → healthy ${slowest.toFixed(2)} s, healthy → in traffic ${Math.min(...lag)}–${Math.max(...lag)} ms`,
        });
        return keptRow(UP, before, after, {
          doneS,
          clientsS: servedAt && (servedAt - t0) / 1000,
          goneS: null,
        });
      },
    );

    await scenario(
      DOWN,
      () => scaleService(op, { serviceId: service.id, replicas: FEW, reason: 'bench' }),
      async (t0, before) => {
        // Done: the extra replicas out of traffic and stopped: gone from `docker ps`.
        const after = await poll(
          'extra replicas gone',
          async () => {
            const now = await listed();
            return now.length === FEW && now.every((id) => before.includes(id)) ? now : undefined;
          },
          120_000,
        );
        const doneMs = Date.now() - t0;
        const removed = before.filter((id) => !after.includes(id));
        const stats = await h.proxy!.stats();
        const serving = stats.services
          .flatMap((x) => x.servers)
          .filter((x) => x.state === 'ready' && removed.some((id) => id.startsWith(x.id)));
        if (serving.length)
          notes.push(
            `capstan ${DOWN}: ${serving.length} removed replica(s) still ready in the proxy when gone`,
          );
        const steps = await serviceSteps(h, service.id, new Date(t0));
        const at = (kind: string, id: string) =>
          steps.find((e) => e.kind === kind && containerOf(e) === id)?.at.getTime();
        const drains = removed.map((id) => ({
          draining: at('replica.draining', id),
          stopped: at('replica.stopped', id),
        }));
        const goal = 'done ≤ drain time + 1 s';
        if (drains.every((d) => d.draining !== undefined && d.stopped !== undefined)) {
          const first = Math.min(...drains.map((d) => d.draining!));
          const last = Math.max(...drains.map((d) => d.stopped!));
          const drainMs = last - first;
          const own = drains.map((d) => d.stopped! - d.draining!);
          const longest = Math.max(...own);
          goals.push({
            scenario: DOWN,
            goal,
            pass: doneMs <= drainMs + 1000,
            detail:
              `${s(doneMs)} s ≤ ${s(drainMs)} s + 1 s = ${s(drainMs + 1000)} s; drain time: the first ` +
              `replica.draining → the last replica.stopped (its stop begun once its requests finished) of the ` +
              `${removed.length} removed; before it: request → first draining ${first - t0} ms; after it: ` +
              `last stop begun → gone from docker ps ${t0 + doneMs - last} ms`,
          });
          // The replicas could drain at once: their own drains, not the time between the first and the last.
          goals.push({
            scenario: DOWN,
            goal: `${goal}, stricter: drain time = the longest replica's own drain`,
            pass: doneMs <= longest + 1000,
            detail:
              `${s(doneMs)} s ≤ ${s(longest)} s + 1 s = ${s(longest + 1000)} s; each removed replica's ` +
              `replica.draining → its replica.stopped: ${own.join(', ')} ms; drains began at +` +
              `${drains.map((d) => d.draining! - t0).join(', +')} ms`,
          });
        } else
          goals.push({
            scenario: DOWN,
            goal,
            pass: false,
            detail: `no drain recorded for every removed replica: ${JSON.stringify(drains)}`,
          });
        const lastAnswer = answeredAt(load, removed, 'last');
        return keptRow(DOWN, before, after, {
          doneS: doneMs / 1000,
          clientsS: lastAnswer && (lastAnswer - t0) / 1000,
          goneS: null,
        });
      },
    );

    let restartId = '';
    await scenario(
      RESTART,
      async () => (restartId = (await restartService(op, { serviceId: service.id, reason: 'bench' })).id),
      async (t0, before) => {
        const d = await finished(h, restartId);
        const after = await poll(
          'old replicas gone',
          async () => {
            const now = await listed();
            return now.length === FEW && now.every((id) => !before.includes(id)) ? now : undefined;
          },
          120_000,
        );
        const goneS = (Date.now() - t0) / 1000;
        const doneS = ((d.finishedAt?.getTime() ?? Date.now()) - t0) / 1000;
        const steps = await serviceSteps(h, service.id, new Date(t0));
        const sum = startToHealthy(steps, await createdTimes(steps)).reduce((t, x) => t + x.seconds, 0);
        notes.push(
          `capstan ${RESTART}: deployment ${d.status}; done ÷ Σ(created → first healthy) ` +
            `${(doneS / sum).toFixed(2)} (no goal for a restart; a rolling deploy's is ≤ 1.2)`,
        );
        const lastAnswer = answeredAt(load, before, 'last');
        return { doneS, clientsS: lastAnswer && (lastAnswer - t0) / 1000, goneS, ...counts(before, after) };
      },
    );
    const tally = await load.stop();
    if (tally.failed) console.log('capstan errors:', Object.fromEntries(tally.errors));
  } finally {
    await h.close();
  }
}

const counts = (before: string[], after: string[]) => ({
  before: before.length,
  after: after.length,
  kept: before.filter((id) => after.some((x) => x.startsWith(id) || id.startsWith(x))).length,
});

/** A scale row, and the goal that no container from before is replaced. */
function keptRow(
  scenario: string,
  before: string[],
  after: string[],
  times: { doneS: number; clientsS: number | null; goneS: number | null },
) {
  const c = counts(before, after);
  const could = Math.min(c.before, c.after);
  goals.push({
    scenario,
    goal: '100 % of containers kept',
    pass: c.kept === could,
    detail: `${c.kept} of ${could} = ${((100 * c.kept) / could).toFixed(0)} %`,
  });
  return { ...times, ...c };
}

async function swarm() {
  await withSwarmService(
    { name: 'capstan-bench-scale', replicas: FEW, slots: MANY * 2, extra: swarmUpdateArgs },
    async (svc) => {
      notes.push(`swarm: traffic through ${svc.via}`);
      const listed = async () => (await svc.tasks()).map((t) => t.id);
      const load = steadyLoad(svc.url, RATE);
      await allAnswered(load, await listed(), 10_000);
      const cli = async (...argv: string[]) =>
        docker(...argv).then(
          () => '',
          (err: Error & { stderr?: string }) => `error: ${(err.stderr ?? err.message).slice(0, 120).trim()}`,
        );
      const scenario = async (
        name: string,
        argv: string[],
        measure: (
          t0: number,
          cliMs: number,
          before: string[],
        ) => Promise<Omit<Row, 'system' | 'scenario' | 'requests' | 'failed'>>,
      ) => {
        const before = await listed();
        const a = load.snapshot();
        const t0 = Date.now();
        const error = await cli(...argv);
        const cliMs = Date.now() - t0;
        if (error) notes.push(`swarm ${name}: ${error}`);
        const row = await measure(t0, cliMs, before);
        rows.push({ system: 'swarm', scenario: name, ...between(a, load.snapshot()), ...row });
      };
      const settled = (check: (now: string[]) => boolean) =>
        poll('swarm tasks', async () => ((now) => (check(now) ? now : undefined))(await listed()), 60_000);

      await scenario(
        UP,
        ['service', 'scale', '--detach=false', `${svc.name}=${MANY}`],
        async (t0, cliMs, before) => {
          const after = await settled((now) => now.length === MANY);
          const fresh = after.filter((id) => !before.includes(id));
          const servedAt = await allAnswered(load, fresh, 10_000);
          const runningAt = await tasksRunningAt(fresh);
          notes.push(`swarm ${UP}: the CLI returned after ${s(cliMs)} s`);
          return {
            doneS: runningAt === null ? cliMs / 1000 : (runningAt - t0) / 1000,
            clientsS: servedAt && (servedAt - t0) / 1000,
            goneS: null,
            ...counts(before, after),
          };
        },
      );
      await scenario(
        DOWN,
        ['service', 'scale', '--detach=false', `${svc.name}=${FEW}`],
        async (t0, cliMs, before) => {
          const after = await settled((now) => now.length === FEW && now.every((id) => before.includes(id)));
          const doneMs = Date.now() - t0;
          notes.push(`swarm ${DOWN}: the CLI returned after ${s(cliMs)} s`);
          const lastAnswer = answeredAt(
            load,
            before.filter((id) => !after.includes(id)),
            'last',
          );
          return {
            doneS: doneMs / 1000,
            clientsS: lastAnswer && (lastAnswer - t0) / 1000,
            goneS: null,
            ...counts(before, after),
          };
        },
      );
      await scenario(
        RESTART,
        ['service', 'update', '--force', '--detach=false', '--quiet', svc.name],
        async (t0, cliMs, before) => {
          const stillOld = (await listed()).filter((id) => before.includes(id)).length;
          if (stillOld)
            notes.push(`swarm ${RESTART}: ${stillOld} old task(s) still running when the CLI returned`);
          const after = await settled((now) => now.length === FEW && now.every((id) => !before.includes(id)));
          const goneS = (Date.now() - t0) / 1000;
          const lastAnswer = answeredAt(load, before, 'last');
          const runningAt = await tasksRunningAt(after);
          notes.push(`swarm ${RESTART}: the CLI returned after ${s(cliMs)} s`);
          return {
            doneS: runningAt === null ? cliMs / 1000 : (runningAt - t0) / 1000,
            clientsS: lastAnswer && (lastAnswer - t0) / 1000,
            goneS,
            ...counts(before, after),
          };
        },
      );
      const tally = await load.stop();
      if (tally.failed) console.log('swarm errors:', Object.fromEntries(tally.errors));
    },
  );
}

await capstan();
if (SWARM) await swarm().catch((err: Error) => notes.push(`swarm: not measured: ${err.message}`));

console.log(`\nScale benchmark: capstan-sample, steady load ${RATE} req/s on 127.0.0.1\n`);
const fmt = (v: number | null) => (v === null ? 'n/a' : v.toFixed(2));
const keptText = (r: Row) =>
  r.scenario === RESTART
    ? `replaced ${r.before - r.kept} of ${r.before}`
    : `${r.kept} of ${Math.min(r.before, r.after)} = ${((100 * r.kept) / Math.min(r.before, r.after)).toFixed(0)} %`;
console.log(
  [
    'system',
    'scenario',
    'requests',
    'failed',
    'wall s to done',
    "wall s, clients' view",
    'wall s to old gone',
    'containers kept',
  ].join(' | '),
);
for (const r of rows)
  console.log(
    [
      r.system,
      r.scenario,
      r.requests,
      r.failed,
      fmt(r.doneS),
      fmt(r.clientsS),
      fmt(r.goneS),
      keptText(r),
    ].join(' | '),
  );
console.log(
  `\ndone: ${UP}: Capstan, every new replica healthy and in traffic (its replica.in-traffic event); Swarm, every new` +
    `\ntask running (Swarm's task status; with a health check that is once healthy). ${DOWN}: both, the extra replicas` +
    `\ngone from docker ps. ${RESTART}: Capstan, the restart deployment's verdict; Swarm, every new task running.` +
    `\nSwarm's CLI (--detach=false) returns later: it then waits the update monitor period (2 s) to see the tasks stay` +
    `\nup; its times are in the notes. clients' view, from the load's answers: ${UP}, every new replica has answered;` +
    `\n${DOWN}, a removed replica answered its last request; ${RESTART}, an old replica answered its last request.` +
    `\ncontainers kept: of the min(before, after) containers that could stay, those from before still there after.`,
);

console.log('\nCapstan goals (issue 10):');
const order = (g: (typeof goals)[number]) =>
  [UP, DOWN, RESTART].indexOf(g.scenario) * 10 + (g.goal.startsWith('0 failed') ? 0 : 1);
goals.sort((p, q) => order(p) - order(q));
for (const g of goals) console.log(`${g.pass ? 'PASS' : 'FAIL'}  ${g.scenario}: ${g.goal}: ${g.detail}`);

const x = (c: number | null | undefined, w: number | null | undefined) =>
  c === null || c === undefined || w === null || w === undefined
    ? 'n/a'
    : `${c.toFixed(2)} s / ${w.toFixed(2)} s = ${(c / w).toFixed(2)}×`;
const pick = (system: string, scenario: string) =>
  rows.find((r) => r.system === system && r.scenario === scenario);
console.log('\nCapstan ÷ Swarm, this run:');
for (const name of [UP, DOWN, RESTART]) {
  const c = pick('capstan', name);
  const w = pick('swarm', name);
  if (!c || !w) continue;
  const gone = name === RESTART ? `, old gone ${x(c.goneS, w.goneS)}` : '';
  console.log(
    `${name}: done ${x(c.doneS, w.doneS)}, clients' view ${x(c.clientsS, w.clientsS)}${gone}; ` +
      `failed requests ${c.failed} vs ${w.failed}`,
  );
}
for (const note of notes) console.log(`note: ${note}`);
