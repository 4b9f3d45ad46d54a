import net from 'node:net';
import type { StoredSpec } from '@/db/schema';
import type { Replica } from '@/server/docker/engine';
import type { Deps } from '@/server/services/context';

export type HealthCheck = StoredSpec['healthCheck'];

export type HealthFlip = { replica: Replica; healthy: boolean; error: string | null };

async function probeHttp(
  port: number,
  path: string,
  timeoutMs: number,
): Promise<{ ok: boolean; error?: string }> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, {
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'manual',
    });
    await res.body?.cancel();
    return res.status >= 200 && res.status < 400 ? { ok: true } : { ok: false, error: `HTTP ${res.status}` };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    const detail =
      e.name === 'TimeoutError' ? `timed out after ${timeoutMs} ms` : (e.cause?.code ?? e.message);
    return { ok: false, error: detail };
  }
}

function probeTcp(port: number, timeoutMs: number): Promise<{ ok: boolean; error?: string }> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (r: { ok: boolean; error?: string }) => {
      socket.destroy();
      resolve(r);
    };
    socket.setTimeout(timeoutMs, () => done({ ok: false, error: `timed out after ${timeoutMs} ms` }));
    socket.once('connect', () => done({ ok: true }));
    socket.once('error', (err: NodeJS.ErrnoException) => done({ ok: false, error: err.code ?? err.message }));
  });
}

/**
 * Probes every running replica from the host through its published port, at each service's interval,
 * and records verdicts in the probe store. A tick waits for its round of probes only up to `waitMs`: a
 * replica that hangs (accepts and never answers) must not hold up the control loop, and with it every other
 * service's rollout, for its whole probe timeout. A probe still running then goes on in the background, at
 * most one per replica; its verdict is returned by a later tick, and `onLateFlip` is called when it changed
 * the replica's health so the loop looks at it at once.
 */
export class HealthProber {
  private readonly lastProbe = new Map<string, number>();
  private readonly inFlight = new Set<string>();
  /** Health flips not yet returned by a tick. */
  private flips: HealthFlip[] = [];
  private collecting = false;

  constructor(
    private readonly deps: Deps,
    private readonly onLateFlip: () => void = () => undefined,
    private readonly waitMs = 100,
  ) {}

  /**
   * `checkOf` gives each replica its own revision's check: during a rollout that changes the check, old
   * replicas keep being probed as they were built to answer, and stay in traffic until they are replaced.
   * Null (or a check of type 'none'): nothing to probe, and the replica counts as healthy while it runs.
   */
  async tick(checkOf: (r: Replica) => HealthCheck | null, replicas: Replica[]): Promise<HealthFlip[]> {
    const now = Date.now();
    const running = replicas.filter((r) => r.state === 'running');
    const round: Promise<void>[] = [];
    for (const r of running) {
      const check = checkOf(r);
      if (!check || check.type === 'none' || r.hostPort === null) {
        if (this.deps.probes.markUnchecked(r, true))
          this.flips.push({ replica: r, healthy: true, error: null });
        continue;
      }
      if (this.inFlight.has(r.id)) continue;
      const last = this.lastProbe.get(r.id) ?? 0;
      if (now - last < check.intervalSeconds * 1000 - 50) continue;
      this.lastProbe.set(r.id, now);
      this.inFlight.add(r.id);
      round.push(this.probe(r, r.hostPort, check).finally(() => this.inFlight.delete(r.id)));
    }
    if (round.length > 0) {
      this.collecting = true;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all(round),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, this.waitMs);
        }),
      ]);
      clearTimeout(timer);
      this.collecting = false;
    }
    const alive = new Set(running.map((r) => r.id));
    this.deps.probes.forget(alive);
    for (const id of this.lastProbe.keys()) if (!alive.has(id)) this.lastProbe.delete(id);
    const flips = this.flips.filter((f) => alive.has(f.replica.id));
    this.flips = [];
    return flips;
  }

  private async probe(r: Replica, port: number, check: HealthCheck): Promise<void> {
    const t0 = performance.now();
    const timeoutMs = check.timeoutSeconds * 1000;
    const result =
      check.type === 'http' ? await probeHttp(port, check.path, timeoutMs) : await probeTcp(port, timeoutMs);
    const { changed, state } = this.deps.probes.record(
      r,
      result.ok,
      { error: result.error, latencyMs: performance.now() - t0 },
      { healthy: check.healthyThreshold, unhealthy: check.unhealthyThreshold },
    );
    if (!changed) return;
    this.flips.push({ replica: r, healthy: state.healthy, error: state.lastError });
    if (!this.collecting) this.onLateFlip();
  }
}
