import type { Deps } from '@/server/services/context';
import { recordEvent } from '@/server/services/events/record';

// start is recorded by the reconciler as replica.started; these are what happens to a container unasked.
const RECORDED = new Set(['die', 'oom', 'kill']);

/**
 * Follows Docker's event stream for managed containers, pushes each to live subscribers at once and
 * wakes the control loop. Reconnects with backoff when the stream or the engine goes away.
 */
export async function followDockerEvents(
  deps: Deps,
  wake: (serviceId: string | null) => void,
  signal: AbortSignal,
) {
  let backoff = 500;
  while (!signal.aborted) {
    try {
      deps.bus.publish({ type: 'engine', docker: 'up' });
      await deps.docker.watchEvents(async (e) => {
        backoff = 500;
        if (e.serviceId) {
          deps.bus.publish({
            type: 'container',
            serviceId: e.serviceId,
            action: e.action,
            containerId: e.containerId,
          });
          if (RECORDED.has(e.action) && !e.expected) {
            await recordEvent(deps.db, {
              serviceId: e.serviceId,
              kind: `container.${e.action}`,
              message: `Container ${e.containerId.slice(0, 12)} ${e.action}${e.exitCode ? ` (exit ${e.exitCode})` : ''}`,
              data: { containerId: e.containerId, exitCode: e.exitCode === null ? null : Number(e.exitCode) },
            }).catch(() => undefined);
          }
        }
        wake(e.serviceId);
      }, signal);
    } catch {
      deps.bus.publish({ type: 'engine', docker: 'down' });
    }
    if (signal.aborted) return;
    await new Promise((r) => setTimeout(r, backoff));
    backoff = Math.min(backoff * 2, 10_000);
  }
}
