import type { RegistryAuth } from '@/server/docker/engine';
import type { ImageState } from './planner/types';
import type { ReplicaBackend } from './replica-backend';

const FAILED_RETRY_MS = 30_000;
const PRESENT_TRUST_MS = 60_000;

type Entry =
  | { state: 'pulling' }
  | { state: 'present'; at: number }
  | { state: 'missing' }
  | { state: 'failed'; error: string; at: number };

/**
 * Image pulls run in the background, one per image, never inside a pass: a pull that hangs holds up no
 * service, not even its own (its pass sees "pulling" and waits). A failure is kept for a while, then the
 * next pass asks again.
 */
export class ImagePulls {
  private readonly images = new Map<string, Entry>();

  constructor(
    private readonly backend: ReplicaBackend,
    private readonly onDone: (
      ref: string,
      outcome: 'present' | 'pulled' | { failed: string },
      serviceId: string,
    ) => void,
  ) {}

  stateOf(ref: string, now = Date.now()): ImageState {
    const e = this.images.get(ref);
    if (!e) return 'unknown';
    if (e.state === 'pulling' || e.state === 'missing') return e.state;
    if (e.state === 'present') return now - e.at < PRESENT_TRUST_MS ? 'present' : 'unknown';
    return now - e.at < FAILED_RETRY_MS ? { failed: e.error } : 'unknown';
  }

  /** The image turned out to be gone (a create answered 404): it is pulled before the next start. */
  missing(ref: string): void {
    if (this.images.get(ref)?.state !== 'pulling') this.images.set(ref, { state: 'missing' });
  }

  /** Pulls `ref` for a service unless a pull of it is under way; `onDone` tells that service. */
  request(ref: string, auth: () => Promise<RegistryAuth | undefined>, serviceId: string): void {
    if (this.images.get(ref)?.state === 'pulling') return;
    this.images.set(ref, { state: 'pulling' });
    void (async () => {
      try {
        const outcome = await this.backend.ensureImage(ref, await auth());
        this.images.set(ref, { state: 'present', at: Date.now() });
        this.onDone(ref, outcome, serviceId);
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        this.images.set(ref, { state: 'failed', error, at: Date.now() });
        this.onDone(ref, { failed: error }, serviceId);
      }
    })();
  }
}
