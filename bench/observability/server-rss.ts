import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright';
import { waitFor } from '@/server/testing/harness';
import { mutate, query, type ConsoleServer } from './console-server';
import { rssBytes } from './proc';

/** The most replicas one service may have (the spec schema's limit). */
const PER_SERVICE = 50;

export type RssResult = {
  containers: number;
  services: number;
  /** VmRSS of the server process with no service (the kill service deleted), just before. */
  before: number;
  /** VmRSS after `watchS` seconds of collecting over every container: at the end, and the highest seen. */
  after: number;
  peak: number;
  watchS: number;
  startS: number;
  /** Containers with a sample of the last tick, per the server's own metrics API. */
  sampled: number;
};

type ListedService = { id: string; name: string; ready: number; desired: number };

/**
 * Deploys `containers` replicas on the console server (services of at most 50), waits until every
 * one is healthy and the collector stores samples of all of them, then reads the server process's
 * VmRSS every 5 s for `watchS` seconds, with the overview open in the browser.
 */
export async function measureServerRss(
  server: ConsoleServer,
  page: Page,
  opts: { containers: number; watchS: number },
  log: (msg: string) => void,
): Promise<RssResult> {
  const before = rssBytes(server.pid)!;
  const t0 = performance.now();
  const ids: string[] = [];
  for (let made = 0, i = 1; made < opts.containers; i++) {
    const replicas = Math.min(PER_SERVICE, opts.containers - made);
    const { service } = await mutate<{ service: { id: string } }>(page.request, 'services.create', {
      name: `obs-rss-${i}`,
      spec: {
        image: 'capstan-sample',
        tag: 'v1',
        port: 8080,
        env: [],
        replicas,
        strategy: { progressDeadlineSeconds: 1800 },
      },
      deploy: true,
    });
    server.services.add(service.id);
    ids.push(service.id);
    made += replicas;
  }
  await page.goto('/');
  await waitFor(
    `${opts.containers} healthy replicas`,
    async () => {
      const { services } = await query<{ services: ListedService[] }>(page.request, 'services.list');
      const mine = services.filter((s) => ids.includes(s.id));
      return mine.reduce((n, s) => n + s.ready, 0) === opts.containers;
    },
    1_800_000,
  );
  const startS = (performance.now() - t0) / 1000;
  log(`  ${opts.containers} replicas healthy after ${startS.toFixed(0)} s`);

  // The collector has seen them all once a tick after now measured every replica: the per-service
  // `running` gauge counts the containers a tick read (per-replica charts draw only 20 lines a service).
  const since = Date.now() / 1000;
  // The scrape token Capstan generated into its data dir.
  const token = fs.readFileSync(path.join(server.dataDir, 'metrics.token'), 'utf8').trim();
  const sampled = await waitFor(
    'samples of every replica',
    async () => {
      const metrics = await page.request.get('/api/metrics', {
        headers: { authorization: `Bearer ${token}` },
      });
      const text = await metrics.text();
      const at = Number(/^capstan_metrics_last_collection_timestamp_seconds (\S+)$/m.exec(text)?.[1] ?? 0);
      if (at < since) return undefined;
      let n = 0;
      for (const m of text.matchAll(/^capstan_service_replicas\{([^}]*)\} (\S+)$/gm)) {
        const id = /service_id="([^"]+)"/.exec(m[1]!)?.[1];
        if (id && ids.includes(id) && m[1]!.includes('state="running"')) n += Number(m[2]);
      }
      return n >= opts.containers ? n : undefined;
    },
    120_000,
  );

  let peak = 0;
  let after = 0;
  for (let s = 0; s <= opts.watchS; s += 5) {
    if (s > 0) await new Promise((r) => setTimeout(r, 5000));
    after = rssBytes(server.pid)!;
    peak = Math.max(peak, after);
  }
  return {
    containers: opts.containers,
    services: ids.length,
    before,
    after,
    peak,
    watchS: opts.watchS,
    startS,
    sampled,
  };
}
