import type { Deps } from '@/server/services/context';
import { rollUpMetrics, type Retention } from '@/server/services/metrics/rollup';

export type RollupJobOptions = {
  intervalMs: number;
  retention: Retention;
  log?: (msg: string) => void;
};

/**
 * Runs the metrics rollup and retention at an interval, the first time right at start so that a Capstan
 * that was down catches up at once. Runs never overlap; the job itself is idempotent.
 */
export class MetricsRollupJob {
  private readonly abort = new AbortController();
  private running: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private lastError: string | null = null;
  runs = 0;

  constructor(
    private readonly deps: Pick<Deps, 'db'>,
    private readonly opts: RollupJobOptions,
  ) {}

  start(): void {
    if (this.running || this.abort.signal.aborted) return;
    this.running = this.run(this.abort.signal);
  }

  /** Stops, waiting for a run in flight to commit. */
  async stop(): Promise<void> {
    this.abort.abort();
    this.wakeUp?.();
    await this.running;
  }

  private async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await rollUpMetrics(this.deps.db, { retention: this.opts.retention });
        this.runs++;
        if (this.lastError) this.opts.log?.('metrics rollup recovered');
        this.lastError = null;
      } catch (err) {
        const msg = err instanceof Error ? err.message : String(err);
        if (msg !== this.lastError) this.opts.log?.(`metrics rollup: ${msg}`);
        this.lastError = msg;
      }
      if (signal.aborted) break;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, this.opts.intervalMs);
        this.wakeUp = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.wakeUp = null;
    }
  }
}
