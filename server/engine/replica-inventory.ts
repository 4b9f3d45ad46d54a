import { setTimeout as sleep } from 'node:timers/promises';
import type { DockerEngine, EngineEvent, Replica } from '@/server/docker/engine';

/** Events that change nothing a listing shows: commands run in a container, a terminal's size. */
const IRRELEVANT = new Set([
  'attach',
  'detach',
  'top',
  'resize',
  'copy',
  'archive-path',
  'extract-to-dir',
  'export',
  'commit',
]);

export type InventoryOptions = {
  /** A full listing every this many reads, so a missed event heals. */
  resyncEvery: number;
  signal: AbortSignal;
};

/** What a read returns: the replicas now, and which of them an event named since the previous read. */
export type InventoryRead = {
  replicas: Replica[];
  changed: ReadonlySet<string>;
  listing: 'full' | 'changed' | 'none';
};

/**
 * The installation's managed containers, kept current by Docker's event stream, so a reader that asks
 * every few seconds need not have Docker list every container each time (which costs the engine about
 * 0.2 ms per container). A container an event names is listed again, alone, on the next read; every
 * `resyncEvery` reads, and whenever the stream is not open or has just (re)opened, all are listed.
 * Follows the stream from the first read until the signal aborts.
 */
export class ReplicaInventory {
  private readonly replicas = new Map<string, Replica>();
  private readonly changed = new Set<string>();
  private open = false;
  private stale = true;
  private readsSinceFull = 0;
  private following: Promise<void> | null = null;

  constructor(
    private readonly docker: Pick<DockerEngine, 'listReplicas' | 'watchEvents'>,
    private readonly opts: InventoryOptions,
  ) {}

  async read(): Promise<InventoryRead> {
    if (!this.following && !this.opts.signal.aborted) this.following = this.follow(this.opts.signal);
    // Events that arrive while a listing is under way name their container again for the next read.
    const changed = new Set(this.changed);
    this.changed.clear();
    let listing: InventoryRead['listing'] = 'none';
    try {
      if (!this.open || this.stale || this.readsSinceFull >= this.opts.resyncEvery) {
        this.stale = false;
        listing = 'full';
        const all = await this.docker.listReplicas();
        this.replicas.clear();
        for (const r of all) this.replicas.set(r.id, r);
        this.readsSinceFull = 0;
      } else if (changed.size > 0) {
        listing = 'changed';
        const ids = [...changed];
        const now = await this.docker.listReplicas({ ids });
        for (const id of ids) this.replicas.delete(id);
        for (const r of now) this.replicas.set(r.id, r);
      }
    } catch (err) {
      // The next read lists everything, and still reports these as changed.
      for (const id of changed) this.changed.add(id);
      this.stale = true;
      throw err;
    }
    this.readsSinceFull++;
    return { replicas: [...this.replicas.values()], changed, listing };
  }

  /** Waits for the stream to close after the signal aborted. */
  async stopped(): Promise<void> {
    await this.following;
  }

  private note(e: EngineEvent): void {
    if (e.containerId && !e.action.startsWith('exec_') && !IRRELEVANT.has(e.action))
      this.changed.add(e.containerId);
  }

  private async follow(signal: AbortSignal): Promise<void> {
    let backoff = 500;
    while (!signal.aborted) {
      try {
        await this.docker.watchEvents(
          (e) => this.note(e),
          signal,
          () => {
            // Whatever happened while the stream was closed was not seen: the next read lists in full.
            this.open = true;
            this.stale = true;
            backoff = 500;
          },
        );
      } catch {
        // The engine went away; reads list in full until the stream is back.
      }
      this.open = false;
      if (signal.aborted) return;
      await sleep(backoff, undefined, { signal }).catch(() => undefined);
      backoff = Math.min(backoff * 2, 10_000);
    }
  }
}
