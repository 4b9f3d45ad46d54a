import type { Runtime } from '@/server/runtime';
import type { Harness } from './harness';

const g = globalThis as unknown as { __capstanRuntime?: Promise<Runtime> };

/**
 * Makes the route handlers (app/api/**) serve from a test harness instead of booting Capstan: they call
 * getRuntime(), which returns the process's one runtime. Returns the undo.
 */
export function serveHarness(h: Harness): () => void {
  const before = g.__capstanRuntime;
  g.__capstanRuntime = Promise.resolve({ ...h, loop: null, collector: null, rollups: null });
  return () => {
    g.__capstanRuntime = before;
  };
}
