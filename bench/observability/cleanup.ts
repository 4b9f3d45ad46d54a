import { execFileSync } from 'node:child_process';

type Step = { what: string; run: () => Promise<void> | void };

const steps: Step[] = [];
let running: Promise<void> | null = null;

/** Registers something to undo; undone last-in first-out by `cleanUp`, on success, failure or a signal. */
export function onCleanup(what: string, run: Step['run']): () => void {
  const step = { what, run };
  steps.push(step);
  // Returns a way to drop the step once the bench undid it itself.
  return () => {
    const i = steps.indexOf(step);
    if (i >= 0) steps.splice(i, 1);
  };
}

export function cleanUp(): Promise<void> {
  running ??= (async () => {
    while (steps.length > 0) {
      const step = steps.pop()!;
      try {
        await step.run();
      } catch (err) {
        console.error(`cleanup: ${step.what}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  })();
  return running;
}

/** Ctrl-C or a kill: clean up, then exit. A second signal exits at once. */
export function cleanUpOnSignals(): void {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: cleaning up (again to quit at once)`);
      for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(s, () => process.exit(130));
      void cleanUp().finally(() => process.exit(130));
    });
  }
}

/** Force-removes the containers carrying a label (key=value), which only this bench's containers carry. */
export function removeContainersLabelled(label: string): number {
  const ids = execFileSync('docker', ['ps', '-aq', '--no-trunc', '--filter', `label=${label}`])
    .toString()
    .split('\n')
    .filter(Boolean);
  for (let i = 0; i < ids.length; i += 50)
    execFileSync('docker', ['rm', '-f', ...ids.slice(i, i + 50)], { stdio: 'ignore' });
  return ids.length;
}
