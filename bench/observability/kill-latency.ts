import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Page } from 'playwright';
import { mutate, query, type ConsoleServer } from './console-server';
import { percentile } from './stats';

const sh = promisify(execFile);

export const ADMIN = { name: 'Bench Admin', email: 'bench@capstan.test', password: 'observability-bench' };
const NAME = 'obs-kill';
const REPLICAS = 2;

export type KillResult = {
  kills: number;
  /** ms from `docker kill` to the first frame showing the row degraded, per kill. */
  painted: number[];
  /** ms from `docker kill` to the DOM mutation that made it so. */
  mutated: number[];
  /** ms until Capstan had replaced the replica and the row was healthy again. */
  recovered: number[];
  /** Page clock minus Node clock, and half the round trip it was measured within. */
  clockOffsetMs: number;
  clockErrorMs: number;
  summary: { p50: number; p95: number; max: number };
};

type Replica = { id: string; state: string; health: string };
type Probe = { seenAt: number | null; paintedAt: number | null; what: string | null; early: string | null };

/** Wall-clock ms as the page computes it, from Node's side: both are time origin + monotonic time. */
const nodeNow = () => performance.timeOrigin + performance.now();

/** The first admin, through the first-run form, as a person does it. */
export async function setUpAdmin(page: Page) {
  await page.goto('/');
  await page.waitForURL(/\/setup$/);
  await page.getByLabel('Your name').fill(ADMIN.name);
  await page.getByLabel('Email').fill(ADMIN.email);
  await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
  await page.getByLabel('Confirm password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Create admin account' }).click();
  await page.waitForURL(/\/$/);
}

/** Page clock − Node clock, from the sample with the shortest round trip. */
async function clockOffset(page: Page) {
  let best = { offset: 0, error: Number.POSITIVE_INFINITY };
  for (let i = 0; i < 15; i++) {
    const t0 = nodeNow();
    const inPage = await page.evaluate(() => performance.timeOrigin + performance.now());
    const t1 = nodeNow();
    if ((t1 - t0) / 2 < best.error) best = { offset: inPage - (t0 + t1) / 2, error: (t1 - t0) / 2 };
  }
  return best;
}

/** Row of the service on the overview: null while healthy with every replica ready, else what it shows. */
function rowProblem(testId: string): string | null {
  const row = document.querySelector(`[data-testid="${testId}"]`);
  if (!row) return 'no row';
  const health = row.querySelector('td:nth-child(2) [data-status]')?.getAttribute('data-status') ?? '?';
  const meter = /(\d+)\/(\d+)/.exec(row.querySelector('td:nth-child(3)')?.textContent ?? '');
  const short = meter !== null && Number(meter[1]) < Number(meter[2]);
  return health !== 'healthy' || short ? `${health} ${meter?.[0] ?? ''}`.trim() : null;
}

/**
 * Watches the overview for the row to show a problem: the time of the DOM mutation, and of the next
 * animation frame (when it is painted), both on the page's wall clock.
 */
async function arm(page: Page, testId: string) {
  await page.evaluate(
    ({ testId, problemSrc }) => {
      const problem = new Function('testId', `return (${problemSrc})(testId)`) as (
        id: string,
      ) => string | null;
      const w = window as unknown as { __obs: Probe; __obsObserver?: MutationObserver };
      w.__obsObserver?.disconnect();
      const state: Probe = { seenAt: null, paintedAt: null, what: null, early: problem(testId) };
      w.__obs = state;
      const observer = new MutationObserver(() => {
        if (state.seenAt !== null) return;
        const what = problem(testId);
        if (!what || what === 'no row') return;
        state.seenAt = performance.timeOrigin + performance.now();
        state.what = what;
        observer.disconnect();
        requestAnimationFrame((ts) => (state.paintedAt = performance.timeOrigin + ts));
      });
      observer.observe(document.body, {
        subtree: true,
        childList: true,
        attributes: true,
        characterData: true,
      });
      w.__obsObserver = observer;
    },
    { testId, problemSrc: rowProblem.toString() },
  );
  const early = await page.evaluate(() => (window as unknown as { __obs: Probe }).__obs.early);
  if (early) throw new Error(`the row shows a problem before the kill: ${early}`);
}

async function waitHealthy(page: Page, testId: string, timeoutMs: number) {
  await page.waitForFunction(
    ({ testId, problemSrc }) =>
      (new Function('testId', `return (${problemSrc})(testId)`) as (id: string) => string | null)(testId) ===
      null,
    { testId, problemSrc: rowProblem.toString() },
    { timeout: timeoutMs, polling: 100 },
  );
}

/**
 * Creates a service of two replicas on the console server, opens the overview, and `kills` times:
 * `docker kill` (SIGKILL) of one healthy replica, then the time until the browser paints its row as
 * degraded; then waits until Capstan has replaced the replica and the row is healthy again.
 */
export async function measureKills(
  server: ConsoleServer,
  page: Page,
  kills: number,
  log: (msg: string) => void,
): Promise<KillResult> {
  const { service } = await mutate<{ service: { id: string } }>(page.request, 'services.create', {
    name: NAME,
    spec: {
      image: 'capstan-sample',
      tag: 'v1',
      port: 8080,
      env: [],
      healthCheck: { type: 'http', path: '/healthz', intervalSeconds: 0.5, timeoutSeconds: 1 },
      replicas: REPLICAS,
    },
    deploy: true,
  });
  server.services.add(service.id);
  const testId = `service-row-${NAME}`;
  await page.goto('/');
  await page.getByTestId(testId).waitFor();
  await waitHealthy(page, testId, 90_000);
  const clock = await clockOffset(page);
  log(`  page clock − node clock: ${clock.offset.toFixed(2)} ms (± ${clock.error.toFixed(2)} ms)`);

  const painted: number[] = [];
  const mutated: number[] = [];
  const recovered: number[] = [];
  for (let i = 0; i < kills; i++) {
    const detail = await query<{ replicas: Replica[] }>(page.request, 'services.get', {
      serviceId: service.id,
    });
    const victims = detail.replicas.filter((r) => r.state === 'running' && r.health === 'healthy');
    const victim = victims[i % victims.length];
    if (!victim) throw new Error(`no healthy replica to kill: ${JSON.stringify(detail.replicas)}`);
    await arm(page, testId);
    const killedAt = nodeNow();
    await sh('docker', ['kill', victim.id]);
    await page.waitForFunction(
      () => (window as unknown as { __obs: Probe }).__obs.paintedAt !== null,
      undefined,
      {
        timeout: 20_000,
        polling: 'raf',
      },
    );
    const seen = await page.evaluate(() => (window as unknown as { __obs: Probe }).__obs);
    painted.push(seen.paintedAt! - clock.offset - killedAt);
    mutated.push(seen.seenAt! - clock.offset - killedAt);
    await waitHealthy(page, testId, 120_000);
    recovered.push(nodeNow() - killedAt);
    log(
      `  kill ${i + 1}/${kills}: shown (${seen.what}) after ${painted.at(-1)!.toFixed(0)} ms, healthy again after ${(recovered.at(-1)! / 1000).toFixed(1)} s`,
    );
  }
  await mutate(page.request, 'services.delete', { serviceId: service.id });
  return {
    kills,
    painted,
    mutated,
    recovered,
    clockOffsetMs: clock.offset,
    clockErrorMs: clock.error,
    summary: { p50: percentile(painted, 50), p95: percentile(painted, 95), max: Math.max(...painted) },
  };
}
