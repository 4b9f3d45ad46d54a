import path from 'node:path';
import { openDb, type DbHandle } from '@/db/client';
import { migrate } from '@/db/migrate';
import { DockerEngine } from './docker/engine';
import { MetricsCollector } from './engine/collector';
import { ControlLoop } from './engine/control-loop';
import { MetricsRollupJob } from './engine/metrics-rollup';
import { dbOptionsFromEnv } from './db';
import { dataDir, env } from './env';
import type { Deps } from './services/context';
import { openSignInThrottle } from './services/auth/sign-in-throttle';
import { EventBus } from './services/events/bus';
import { ProbeStore } from './services/health/probe-store';
import { installationId } from './services/installation/identity';
import { loadMetricsToken } from './services/metrics/scrape-token';
import { SecretBox } from './services/secrets/box';
import { TrafficRouter } from './proxy/traffic-router';

export type Runtime = Deps & {
  handle: DbHandle;
  loop: ControlLoop | null;
  collector: MetricsCollector | null;
  rollups: MetricsRollupJob | null;
};

// One per process, even when Next.js loads this module in more than one bundle: PGlite allows one opener.
const g = globalThis as unknown as { __capstanRuntime?: Promise<Runtime> };

async function boot(): Promise<Runtime> {
  const cfg = env();
  const dbOptions = dbOptionsFromEnv();
  const handle = await openDb(dbOptions);
  await migrate(handle);
  const bus = new EventBus();
  // On PostgreSQL the web process and the worker may be two processes: live events go through the database.
  if (dbOptions.kind === 'postgres') await bus.shareThrough(dbOptions.url);
  const deps: Deps = {
    db: handle.db,
    docker: new DockerEngine(await installationId(handle.db)),
    bus,
    box: SecretBox.load(cfg.CAPSTAN_SECRET_KEY, dataDir()),
    // Verdicts are written to the database for processes that do not probe (CAPSTAN_ENGINE=off); PGlite
    // has one process, which reads its own.
    probes: new ProbeStore({ db: handle.kind === 'postgres' ? handle.db : null }),
    proxy: new TrafficRouter({
      dir: path.join(dataDir(), 'haproxy'),
      log: (m) => console.log(`capstan: proxy: ${m}`),
    }),
    signInThrottle: await openSignInThrottle(handle.pool),
    metricsToken: loadMetricsToken({
      token: cfg.CAPSTAN_METRICS_TOKEN,
      public: cfg.CAPSTAN_METRICS_PUBLIC === 'true',
      dataDir: dataDir(),
    }),
  };
  // Serving endpoints needs HAProxy; Capstan still starts (and says why) when it cannot.
  await deps.proxy?.start().catch((err: Error) => {
    console.error(`capstan: the traffic proxy did not start: ${err.message}`);
  });
  let loop: ControlLoop | null = null;
  if (cfg.CAPSTAN_ENGINE === 'on') {
    loop = new ControlLoop(deps, {
      probeIntervalMs: cfg.CAPSTAN_PROBE_INTERVAL_MS,
      reconcileIntervalMs: cfg.CAPSTAN_RECONCILE_INTERVAL_MS,
      log: (m) => console.error(`capstan: ${m}`),
    });
    loop.start();
  }
  let collector: MetricsCollector | null = null;
  let rollups: MetricsRollupJob | null = null;
  if (cfg.CAPSTAN_ENGINE === 'on') {
    const log = (m: string) => console.error(`capstan: ${m}`);
    collector = new MetricsCollector(deps, { intervalMs: cfg.CAPSTAN_COLLECT_INTERVAL_MS, log });
    rollups = new MetricsRollupJob(deps, {
      intervalMs: cfg.CAPSTAN_ROLLUP_INTERVAL_MS,
      retention: {
        rawHours: cfg.CAPSTAN_METRICS_RAW_RETENTION_HOURS,
        minuteDays: cfg.CAPSTAN_METRICS_1M_RETENTION_DAYS,
        hourDays: cfg.CAPSTAN_METRICS_1H_RETENTION_DAYS,
      },
      log,
    });
    collector.start();
    rollups.start();
  }
  console.log(
    `capstan: database ${handle.kind}${dbOptions.kind === 'postgres' ? ' (live events shared)' : ''}, control loop ${loop ? 'on' : 'off'}, metrics ${collector ? `every ${cfg.CAPSTAN_COLLECT_INTERVAL_MS} ms` : 'off'}`,
  );
  return { ...deps, handle, loop, collector, rollups };
}

export function getRuntime(): Promise<Runtime> {
  // `next build` must not open the database, start HAProxy or run the control loop.
  if (process.env.NEXT_PHASE === 'phase-production-build')
    return Promise.reject(new Error('Capstan does not start during `next build`'));
  g.__capstanRuntime ??= boot().catch((err) => {
    g.__capstanRuntime = undefined;
    throw err;
  });
  return g.__capstanRuntime;
}
