/**
 * Observability benchmark: what watching containers costs Capstan, side by side with `docker stats`,
 * and how fast and how cheaply it shows what it sees.
 *
 *   node --import tsx bench/observability/run.ts [--containers 50,200] [--rounds 5] [--ticks 10]
 *     [--stats-runs 1] [--warmup 60] [--kills 20] [--history 200] [--history-shape generations,concurrent]
 *     [--queries 60] [--rss-containers 200] [--rss-watch 60] [--port 3200] [--only collector,query,kill,rss]
 *
 * 1. Collector CPU per container-sample (Node process + Docker engine) against `docker stats --no-stream`.
 * 2. `docker kill` of a replica → the overview in Chromium shows it: p50/p95/max.
 * 3. The 7-day chart query of one service with 200 containers of history: p50/p95.
 * 4. Resident memory of the process that monitors the containers.
 */
import { parseArgs } from 'node:util';
import { chromium, type Browser } from 'playwright';
import { CHROMIUM } from '@/e2e/chromium';
import { measureChartQuery, type QueryResult } from './chart-query';
import { cleanUp, cleanUpOnSignals, onCleanup } from './cleanup';
import { measureCollector, type CollectorResult } from './collector-cpu';
import { ensureBuilt, startConsole } from './console-server';
import { measureKills, setUpAdmin, type KillResult } from './kill-latency';
import { measureServerRss, type RssResult } from './server-rss';
import type { OwnMemory } from './proc';
import { mib } from './stats';

const { values: args } = parseArgs({
  options: {
    containers: { type: 'string', default: '50,200' },
    rounds: { type: 'string', default: '5' },
    ticks: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '60' },
    'stats-runs': { type: 'string', default: '1' },
    kills: { type: 'string', default: '20' },
    history: { type: 'string', default: '200' },
    'history-shape': { type: 'string', default: 'generations,concurrent' },
    queries: { type: 'string', default: '60' },
    'rss-containers': { type: 'string' },
    'rss-watch': { type: 'string', default: '60' },
    port: { type: 'string', default: '3200' },
    only: { type: 'string', default: 'collector,query,kill,rss' },
  },
});

function positive(name: string, value: string | undefined): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} wants a positive integer, not ${value}`);
  return n;
}

const counts = (args.containers ?? '')
  .split(',')
  .map((c) => positive('containers', c))
  .sort((a, b) => a - b);
const opts = {
  counts,
  rounds: positive('rounds', args.rounds),
  ticksPerRound: positive('ticks', args.ticks),
  statsPerRound: positive('stats-runs', args['stats-runs']),
  warmupTicks: positive('warmup', args.warmup),
  kills: positive('kills', args.kills),
  history: positive('history', args.history),
  shapes: (args['history-shape'] ?? '').split(',').map((s) => {
    if (s !== 'generations' && s !== 'concurrent')
      throw new Error(`--history-shape takes generations and/or concurrent, not ${s}`);
    return s;
  }),
  queries: positive('queries', args.queries),
  rssContainers: positive('rss-containers', args['rss-containers'] ?? String(counts.at(-1))),
  rssWatchS: positive('rss-watch', args['rss-watch']),
  port: positive('port', args.port),
};
const only = new Set((args.only ?? '').split(','));
const log = (msg: string) => console.log(msg);
const GOAL = { ratio: 0.1, killP95Ms: 1000, queryP95Ms: 100 };

let collector: CollectorResult | null = null;
let chart: QueryResult | null = null;
let kills: KillResult | null = null;
let rss: RssResult | null = null;

async function consoleSteps(): Promise<{ kills: KillResult | null; rss: RssResult | null }> {
  await ensureBuilt(log);
  const server = await startConsole(opts.port, log);
  const browser: Browser = await chromium.launch({
    ...CHROMIUM,
    // Ctrl-C is the bench's to handle: Playwright's own handler would exit before the cleanup is done.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
  onCleanup('chromium', () => browser.close());
  const page = await (await browser.newContext({ baseURL: server.url })).newPage();
  try {
    await setUpAdmin(page);
    let k: KillResult | null = null;
    if (only.has('kill')) {
      log(`\n[2] docker kill → overview shows it, ${opts.kills} kills`);
      k = await measureKills(server, page, opts.kills, log);
    }
    let r: RssResult | null = null;
    if (only.has('rss')) {
      log(`\n[4] resident memory of the console server with ${opts.rssContainers} containers`);
      r = await measureServerRss(
        server,
        page,
        { containers: opts.rssContainers, watchS: opts.rssWatchS },
        log,
      );
    }
    return { kills: k, rss: r };
  } catch (err) {
    console.error(`next start log:\n${server.logTail()}`);
    throw err;
  }
}

cleanUpOnSignals();
let failed: unknown = null;
try {
  // The engine-heavy steps first, each alone: the console server's loops would add engine CPU to step 1.
  if (only.has('collector')) {
    log(`[1] collector CPU per container-sample, ${counts.join(' and ')} containers`);
    collector = await measureCollector(opts, log);
  }
  if (only.has('query')) {
    log(`\n[3] 7-day chart query, one service with ${opts.history} containers of history`);
    chart = await measureChartQuery(
      { containers: opts.history, queries: opts.queries, shapes: opts.shapes },
      log,
    );
  }
  if (only.has('kill') || only.has('rss')) ({ kills, rss } = await consoleSteps());
} catch (err) {
  failed = err;
  console.error(err);
} finally {
  log('\ncleaning up');
  await cleanUp();
}

const ms = (v: number, digits = 0) => `${v.toFixed(digits)} ms`;
const table: [string, string, string, string][] = [];
const verdict = (ok: boolean) => (ok ? 'pass' : 'FAIL');

if (collector) {
  const c: CollectorResult = collector;
  log(`\nCollector CPU per container-sample (median of ${opts.rounds} rounds)`);
  log(
    `  Capstan: MetricsCollector.tick() × ${opts.ticksPerRound} per round, after ${opts.warmupTicks} warm-up ticks — Node process CPU (process.cpuUsage: Docker API calls and event stream, cgroup and /proc reads, in-process PGlite writes of the samples) + engine CPU`,
  );
  log(
    `  docker stats --no-stream <ids> × ${opts.statsPerRound} per round (CLI ${c.cli}) — CLI CPU (cutime+cstime of this process) + engine CPU`,
  );
  log(
    "  engine = dockerd + containerd + the shims of the measured containers, user+system time from /proc/<pid>/stat, minus the engine's CPU while the bench idled (2 s before each round) × the wall time: other users of this engine",
  );
  log(
    '  containers | Capstan node + engine = total (wall/tick) | docker stats cli + engine = total (wall/run) | ratio (range over rounds) | ratio without the background taken out | engine background',
  );
  for (const r of c.rows) {
    log(
      `  ${r.containers} | ${r.capstan.nodeMs.toFixed(3)} + ${r.capstan.engineMs.toFixed(3)} = ${r.capstan.totalMs.toFixed(3)} ms (${ms(r.capstan.wallMsPerTick)}) | ${r.baseline.cliMs.toFixed(3)} + ${r.baseline.engineMs.toFixed(3)} = ${r.baseline.totalMs.toFixed(3)} ms (${ms(r.baseline.wallMsPerRun)}) | ${r.ratio.toFixed(3)}× (${r.ratioRange[0].toFixed(3)}–${r.ratioRange[1].toFixed(3)}) | ${r.rawRatio.toFixed(3)}× | ${r.backgroundMsPerS.toFixed(1)} ms/s; read from cgroups ${r.sources.cgroup}, stats API ${r.sources.docker}; Docker listed all containers in ${r.listings.full} of the ${r.listings.full + r.listings.changed + r.listings.none} measured ticks, those events named in ${r.listings.changed}`,
    );
    table.push([
      `collector CPU / container-sample, ${r.containers} containers`,
      `${r.capstan.totalMs.toFixed(3)} vs ${r.baseline.totalMs.toFixed(3)} ms = ${r.ratio.toFixed(3)}×`,
      `≤ ${GOAL.ratio}× docker stats`,
      verdict(r.ratio <= GOAL.ratio),
    ]);
  }
}

if (chart) {
  const q: QueryResult = chart;
  log(
    `\n7-day chart of one service with ${q.containers} containers of history, ${q.queries} queries per view`,
  );
  log(
    "  generations: revisions of 50 replicas (a service's limit) replacing each other over the week; concurrent: all of them running all week (beyond the limit: a stress case)",
  );
  log(
    `  seeded in ${q.seedS.toFixed(0)} s, rollup job ${q.rollupS.toFixed(0)} s; rows: ${JSON.stringify(q.rows)}`,
  );
  log(`  tiers read: ${q.tiers.join(' → ')}`);
  for (const v of q.views) {
    log(
      `  ${v.shape}, ${v.view}: p50 ${ms(v.p50, 1)}, p95 ${ms(v.p95, 1)}, max ${ms(v.max, 1)}, ${v.points} points`,
    );
    table.push([
      `7-day chart query p95, ${v.view === 'service' ? 'aggregated' : 'per replica'}, ${v.shape} (${v.points} points)`,
      `${ms(v.p95, 1)} (p50 ${ms(v.p50, 1)})`,
      `< ${GOAL.queryP95Ms} ms`,
      verdict(v.p95 < GOAL.queryP95Ms),
    ]);
  }
}

if (kills) {
  const k: KillResult = kills;
  log(`\ndocker kill → the overview row in Chromium turns degraded, ${k.kills} kills`);
  log(
    `  painted (next animation frame): ${k.painted.map((v) => v.toFixed(0)).join(', ')} ms\n  DOM mutation:                    ${k.mutated.map((v) => v.toFixed(0)).join(', ')} ms`,
  );
  log(
    `  p50 ${ms(k.summary.p50)}, p95 ${ms(k.summary.p95)}, max ${ms(k.summary.max)}; clock offset page − node ${k.clockOffsetMs.toFixed(2)} ± ${k.clockErrorMs.toFixed(2)} ms; healthy again after ${(Math.max(...k.recovered) / 1000).toFixed(1)} s at most`,
  );
  table.push([
    `docker kill → browser shows it, p95 of ${k.kills}`,
    `${ms(k.summary.p95)} (p50 ${ms(k.summary.p50)}, max ${ms(k.summary.max)})`,
    `< ${GOAL.killP95Ms} ms`,
    verdict(k.summary.p95 < GOAL.killP95Ms),
  ]);
}

if (collector) {
  const m = (collector as CollectorResult).memory;
  const show = (x: OwnMemory) =>
    `RSS ${mib(x.rss)} (V8 heap ${mib(x.heapUsed)}, external ${mib(x.external)})`;
  log(
    `\nMemory of the bench process (harness, collector, in-memory PGlite), after a full GC: ${show(m.before)} before any container; ${show(m.after)} after the ticks over ${m.containers}`,
  );
  table.push([
    `RSS, bench process (collector + PGlite), ${m.containers} containers`,
    `${mib(m.after.rss)} (${mib(m.before.rss)} with none)`,
    '—',
    'reported',
  ]);
}
if (rss) {
  const r: RssResult = rss;
  log(
    `\nRSS (VmRSS) of the next start server process with ${r.containers} containers in ${r.services} services (healthy after ${r.startS.toFixed(0)} s; ${r.sampled} sampled by its collector): ${mib(r.before)} with none, ${mib(r.after)} after ${r.watchS} s of collecting, peak ${mib(r.peak)}`,
  );
  table.push([
    `RSS, next start server process, ${r.containers} containers`,
    `${mib(r.after)} (peak ${mib(r.peak)}; ${mib(r.before)} with none)`,
    '—',
    'reported',
  ]);
}

if (table.length > 0) {
  const widths = [0, 1, 2, 3].map((i) =>
    Math.max(...table.map((row) => row[i]!.length), ['figure', 'value', 'goal', 'result'][i]!.length),
  );
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  log(`\nSummary\n${line(['figure', 'value', 'goal', 'result'])}`);
  log(line(widths.map((w) => '-'.repeat(w))));
  for (const row of table) log(line(row));
}
if (failed) process.exit(1);
