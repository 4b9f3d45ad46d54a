import { inArray, notInArray, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { replicaHealth } from '@/db/schema';

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

/** The container a verdict is about: the shared table files it under its service. */
export type ProbeTarget = { id: string; serviceId: string };

/** Whatever can answer "what is this container's latest verdict": the store, or a map read from the table. */
export type ProbeLookup = { get(containerId: string): ProbeState | undefined };

type Pending = { serviceId: string; state: ProbeState } | 'delete';

export type ProbeStoreOptions = {
  /** Where verdicts are shared with other processes; null keeps them in this process only (some tests). */
  db?: Db | null;
  /** How long a verdict waits to be written with others. */
  flushMs?: number;
  /** An unchanged verdict is written again after this long, so its row says when it was last checked. */
  refreshMs?: number;
  log?: (msg: string) => void;
};

/**
 * Latest probe verdict per container. The prober's process reads it synchronously from memory; every
 * change is written through, in batches and off the probe tick, to `replica_health`, where other processes
 * (a web process with CAPSTAN_ENGINE=off) read it with `readProbeStates`.
 */
export class ProbeStore implements ProbeLookup {
  private readonly states = new Map<string, ProbeState>();
  private readonly db: Db | null;
  private readonly flushMs: number;
  private readonly refreshMs: number;
  private readonly log: (msg: string) => void;
  private readonly pending = new Map<string, Pending>();
  private readonly written = new Map<string, number>();
  /** Containers to keep when rows of every other container are deleted; null when no sweep is due. */
  private sweep: Set<string> | null = null;
  private lastKeep: Set<string> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();
  private failing = false;

  constructor(opts: ProbeStoreOptions = {}) {
    this.db = opts.db ?? null;
    this.flushMs = opts.flushMs ?? 200;
    this.refreshMs = opts.refreshMs ?? 5000;
    this.log = opts.log ?? ((m) => console.error(`capstan: ${m}`));
  }

  get(containerId: string): ProbeState | undefined {
    return this.states.get(containerId);
  }

  record(
    target: ProbeTarget,
    ok: boolean,
    detail: { error?: string; latencyMs?: number },
    thresholds: { healthy: number; unhealthy: number },
  ) {
    const prev = this.states.get(target.id) ?? {
      containerId: target.id,
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
      containerId: target.id,
      healthy,
      streak,
      lastResult: ok ? 'ok' : 'fail',
      lastError: ok ? null : (detail.error ?? 'failed'),
      lastCheckedAt: Date.now(),
      latencyMs: detail.latencyMs ?? null,
      healthySince: healthy ? (prev.healthy ? prev.healthySince : Date.now()) : null,
    };
    this.states.set(target.id, next);
    const changed = next.healthy !== prev.healthy || prev.lastResult === null;
    this.share(
      target,
      next,
      changed || next.lastResult !== prev.lastResult || next.lastError !== prev.lastError,
    );
    return { state: next, changed };
  }

  /** For containers with no health check: running counts as healthy. */
  markUnchecked(target: ProbeTarget, running: boolean) {
    const prev = this.states.get(target.id);
    const next: ProbeState = {
      containerId: target.id,
      healthy: running,
      streak: 0,
      lastResult: null,
      lastError: null,
      lastCheckedAt: Date.now(),
      latencyMs: null,
      healthySince: running ? (prev?.healthySince ?? Date.now()) : null,
    };
    this.states.set(target.id, next);
    const changed = prev?.healthy !== running;
    this.share(target, next, changed);
    return changed;
  }

  /** Drops the verdicts of every container not in `keep` (gone, or no longer running), here and in the table. */
  forget(keep: Set<string>) {
    for (const id of this.states.keys()) {
      if (keep.has(id)) continue;
      this.states.delete(id);
      this.queue(id, 'delete');
    }
    if (!this.db) return;
    // Rows another process left (a worker that stopped while containers went away) are swept whenever
    // the set of running containers changes, and once at start.
    const same = this.lastKeep !== null && sameSet(this.lastKeep, keep);
    this.lastKeep = new Set(keep);
    if (!same) {
      this.sweep = this.lastKeep;
      for (const [id, p] of this.pending) if (p !== 'delete' && !keep.has(id)) this.pending.delete(id);
      this.schedule();
    }
  }

  /** Writes what is queued now; resolves when it is written (or the attempt failed and was logged). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.db || (this.pending.size === 0 && !this.sweep)) return this.writing;
    const batch = new Map(this.pending);
    const sweep = this.sweep;
    this.pending.clear();
    this.sweep = null;
    const db = this.db;
    this.writing = this.writing
      .then(() => write(db, batch, sweep))
      .then(
        () => {
          if (this.failing) this.log('probe verdicts are written to the database again');
          this.failing = false;
        },
        (err: unknown) => {
          // Once per outage, with the database's own words (not the whole query).
          if (!this.failing) this.log(`probe verdicts were not written to the database: ${reason(err)}`);
          this.failing = true;
          // Written again by the next change or refresh of each container.
          for (const id of batch.keys()) this.written.delete(id);
        },
      );
    return this.writing;
  }

  private share(target: ProbeTarget, state: ProbeState, changed: boolean) {
    if (!this.db) return;
    const last = this.written.get(target.id);
    if (!changed && last !== undefined && Date.now() - last < this.refreshMs) return;
    this.written.set(target.id, Date.now());
    this.queue(target.id, { serviceId: target.serviceId, state });
  }

  private queue(id: string, p: Pending) {
    if (!this.db) return;
    if (p === 'delete') this.written.delete(id);
    this.pending.set(id, p);
    this.schedule();
  }

  private schedule() {
    if (this.timer) return;
    this.timer = setTimeout(() => void this.flush(), this.flushMs);
    this.timer.unref();
  }
}

function reason(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  return err.cause instanceof Error ? err.cause.message : err.message;
}

function sameSet(a: Set<string>, b: Set<string>): boolean {
  if (a.size !== b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}

const date = (ms: number | null) => (ms === null ? null : new Date(ms));

async function write(db: Db, batch: Map<string, Pending>, sweep: Set<string> | null): Promise<void> {
  const gone = [...batch].filter(([, p]) => p === 'delete').map(([id]) => id);
  const rows = [...batch.values()]
    .filter((p) => p !== 'delete')
    .map(({ serviceId, state: s }) => ({
      containerId: s.containerId,
      serviceId,
      healthy: s.healthy,
      streak: s.streak,
      lastResult: s.lastResult,
      lastError: s.lastError,
      lastCheckedAt: date(s.lastCheckedAt),
      latencyMs: s.latencyMs,
      healthySince: date(s.healthySince),
      updatedAt: new Date(),
    }));
  if (sweep) {
    const keep = [...sweep];
    await db
      .delete(replicaHealth)
      .where(keep.length > 0 ? notInArray(replicaHealth.containerId, keep) : undefined);
  }
  if (gone.length > 0) await db.delete(replicaHealth).where(inArray(replicaHealth.containerId, gone));
  if (rows.length > 0) {
    const excluded = (column: string) => sql.raw(`excluded.${column}`);
    await db
      .insert(replicaHealth)
      .values(rows)
      .onConflictDoUpdate({
        target: replicaHealth.containerId,
        set: {
          serviceId: excluded('service_id'),
          healthy: excluded('healthy'),
          streak: excluded('streak'),
          lastResult: excluded('last_result'),
          lastError: excluded('last_error'),
          lastCheckedAt: excluded('last_checked_at'),
          latencyMs: excluded('latency_ms'),
          healthySince: excluded('healthy_since'),
          updatedAt: excluded('updated_at'),
        },
      });
  }
}

/** The verdicts the prober (in whichever process it runs) last wrote for these containers. */
export async function readProbeStates(db: Db, containerIds: string[]): Promise<Map<string, ProbeState>> {
  const out = new Map<string, ProbeState>();
  if (containerIds.length === 0) return out;
  const rows = await db.select().from(replicaHealth).where(inArray(replicaHealth.containerId, containerIds));
  for (const r of rows) {
    out.set(r.containerId, {
      containerId: r.containerId,
      healthy: r.healthy,
      streak: r.streak,
      lastResult: r.lastResult,
      lastError: r.lastError,
      lastCheckedAt: r.lastCheckedAt?.getTime() ?? null,
      latencyMs: r.latencyMs,
      healthySince: r.healthySince?.getTime() ?? null,
    });
  }
  return out;
}

/**
 * Verdicts for a page: this process's own where it probes (the freshest), the shared table's for the rest
 * (a web process that does not run the engine knows none of its own).
 */
export async function probeStates(
  deps: { db: Db; probes: ProbeLookup },
  containerIds: string[],
): Promise<ProbeLookup> {
  const local = new Map<string, ProbeState>();
  for (const id of containerIds) {
    const s = deps.probes.get(id);
    if (s) local.set(id, s);
  }
  const shared = await readProbeStates(
    deps.db,
    containerIds.filter((id) => !local.has(id)),
  );
  return { get: (id) => local.get(id) ?? shared.get(id) };
}
