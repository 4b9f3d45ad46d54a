import net from 'node:net';
import type { Replica } from '@/server/docker/engine';
import type { Deps } from '@/server/services/context';
import type { DesiredState } from '@/server/services/deployments/progress';

type Check = NonNullable<DesiredState['spec']>['healthCheck'];

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
 * and records verdicts in the probe store. Returns the replicas whose health flipped.
 */
export class HealthProber {
  private readonly lastProbe = new Map<string, number>();

  constructor(private readonly deps: Deps) {}

  async tick(states: DesiredState[], replicas: Replica[]): Promise<HealthFlip[]> {
    const changed: HealthFlip[] = [];
    const checks = new Map<string, Check>();
    // Replicas of an older revision are held to the desired revision's check: same service, same contract.
    for (const s of states) if (s.spec) checks.set(s.service.id, s.spec.healthCheck);
    const now = Date.now();
    const running = replicas.filter((r) => r.state === 'running');
    await Promise.all(
      running.map(async (r) => {
        const check = checks.get(r.serviceId);
        if (!check || check.type === 'none' || r.hostPort === null) {
          if (this.deps.probes.markUnchecked(r.id, true))
            changed.push({ replica: r, healthy: true, error: null });
          return;
        }
        const last = this.lastProbe.get(r.id) ?? 0;
        if (now - last < check.intervalSeconds * 1000 - 50) return;
        this.lastProbe.set(r.id, now);
        const t0 = performance.now();
        const timeoutMs = check.timeoutSeconds * 1000;
        const result =
          check.type === 'http'
            ? await probeHttp(r.hostPort, check.path, timeoutMs)
            : await probeTcp(r.hostPort, timeoutMs);
        const { changed: flipped, state } = this.deps.probes.record(
          r.id,
          result.ok,
          { error: result.error, latencyMs: performance.now() - t0 },
          { healthy: check.healthyThreshold, unhealthy: check.unhealthyThreshold },
        );
        if (flipped) changed.push({ replica: r, healthy: state.healthy, error: state.lastError });
      }),
    );
    const alive = new Set(running.map((r) => r.id));
    this.deps.probes.forget(alive);
    for (const id of this.lastProbe.keys()) if (!alive.has(id)) this.lastProbe.delete(id);
    return changed;
  }
}
