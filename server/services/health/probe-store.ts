export type ProbeState = {
  containerId: string;
  healthy: boolean;
  /** Consecutive results of the current kind (successes when healthy, failures when not). */
  streak: number;
  lastResult: 'ok' | 'fail' | null;
  lastError: string | null;
  lastCheckedAt: number | null;
  latencyMs: number | null;
  /** When the replica last became healthy; null while it is not. */
  healthySince: number | null;
};

/** Latest probe verdict per container. In memory: after a restart the prober establishes it again. */
export class ProbeStore {
  private readonly states = new Map<string, ProbeState>();

  get(containerId: string): ProbeState | undefined {
    return this.states.get(containerId);
  }

  record(
    containerId: string,
    ok: boolean,
    detail: { error?: string; latencyMs?: number },
    thresholds: { healthy: number; unhealthy: number },
  ) {
    const prev = this.states.get(containerId) ?? {
      containerId,
      healthy: false,
      streak: 0,
      lastResult: null,
      lastError: null,
      lastCheckedAt: null,
      latencyMs: null,
      healthySince: null,
    };
    const sameAsLast = prev.lastResult === (ok ? 'ok' : 'fail');
    const streak = sameAsLast ? prev.streak + 1 : 1;
    let healthy = prev.healthy;
    if (ok && streak >= thresholds.healthy) healthy = true;
    if (!ok && streak >= thresholds.unhealthy) healthy = false;
    const next: ProbeState = {
      containerId,
      healthy,
      streak,
      lastResult: ok ? 'ok' : 'fail',
      lastError: ok ? null : (detail.error ?? 'failed'),
      lastCheckedAt: Date.now(),
      latencyMs: detail.latencyMs ?? null,
      healthySince: healthy ? (prev.healthy ? prev.healthySince : Date.now()) : null,
    };
    this.states.set(containerId, next);
    return { state: next, changed: next.healthy !== prev.healthy || prev.lastResult === null };
  }

  /** For containers with no health check: running counts as healthy. */
  markUnchecked(containerId: string, running: boolean) {
    const prev = this.states.get(containerId);
    this.states.set(containerId, {
      containerId,
      healthy: running,
      streak: 0,
      lastResult: null,
      lastError: null,
      lastCheckedAt: Date.now(),
      latencyMs: null,
      healthySince: running ? (prev?.healthySince ?? Date.now()) : null,
    });
    return prev?.healthy !== running;
  }

  forget(keep: Set<string>) {
    for (const id of this.states.keys()) if (!keep.has(id)) this.states.delete(id);
  }
}
