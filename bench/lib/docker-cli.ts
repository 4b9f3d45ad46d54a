import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

export const sh = promisify(execFile);

/** Runs the docker CLI and returns its trimmed standard output. */
export const docker = async (...args: string[]) =>
  (await sh('docker', args, { maxBuffer: 8 << 20 })).stdout.trim();

/** Polls every 10 ms (the harness's waitFor polls every 200 ms, too coarse to time a 2 s rollout). */
export async function poll<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}
