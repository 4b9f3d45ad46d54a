import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { APIRequestContext } from 'playwright';
import { LABELS } from '@/server/docker/engine';
import { onCleanup, removeContainersLabelled } from './cleanup';
import { descendants, listenerPid } from './proc';

const sh = promisify(execFile);

export type ConsoleServer = {
  url: string;
  dataDir: string;
  /** The process that listens on the port: the one running Next.js, Capstan's loops and its collector. */
  pid: number;
  /** Services created on this server: their containers go when the bench ends, whatever happened. */
  services: Set<string>;
  logTail: () => string;
};

async function healthy(url: string): Promise<boolean> {
  const res = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(2000) }).catch(() => null);
  return res?.status === 200;
}

/** Builds the production bundle when there is none. */
export async function ensureBuilt(log: (msg: string) => void): Promise<void> {
  if (fs.existsSync(path.resolve('.next/BUILD_ID'))) return;
  log('  no .next/BUILD_ID: npx next build (a few minutes)');
  // Prerendering boots Capstan (a database and a detached HAProxy): in a directory of its own, removed after.
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'capstan-obs-build-'));
  const done = () => {
    stopHaproxy(dataDir);
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  const undo = onCleanup(`build data ${dataDir}`, done);
  const t0 = performance.now();
  try {
    await sh('npx', ['next', 'build'], {
      maxBuffer: 64 << 20,
      env: { ...process.env, CAPSTAN_DATA_DIR: dataDir, NODE_ENV: 'production' },
    });
  } finally {
    done();
    undo();
  }
  log(`  built in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}

/** Stops a HAProxy master that Capstan started detached for this data directory. */
function stopHaproxy(dataDir: string) {
  const pidFile = path.join(dataDir, 'haproxy', 'haproxy.pid');
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
  try {
    // Only a master on this directory's socket is ours (the pid may have been reused).
    if (fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dataDir)) process.kill(pid, 'SIGTERM');
  } catch {
    /* gone */
  }
}

async function exited(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      return true;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

/**
 * `npx next start` on a fresh data directory (PGlite, a new installation), as the e2e suite runs it, with
 * Capstan's default intervals. Stopped, with its HAProxy, its containers and its data directory, by the
 * bench's cleanup.
 */
export async function startConsole(port: number, log: (msg: string) => void): Promise<ConsoleServer> {
  const url = `http://127.0.0.1:${port}`;
  if (await healthy(url)) throw new Error(`something already answers on ${url}; pick another --port`);
  // Short: HAProxy's master socket path inside it must fit in a unix socket address.
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'capstan-obs-'));
  const logFile = path.join(dataDir, 'next.log');
  const out = fs.openSync(logFile, 'a');
  // PGlite in the fresh directory and Capstan's default intervals, whatever this shell has set.
  const env = {
    ...Object.fromEntries(
      Object.entries(process.env).filter(([k]) => k !== 'DATABASE_URL' && !k.startsWith('CAPSTAN_')),
    ),
    CAPSTAN_DATA_DIR: dataDir,
    NODE_ENV: 'production' as const,
  };
  const child = spawn('npx', ['next', 'start', '-p', String(port)], {
    env,
    detached: true,
    stdio: ['ignore', out, out],
  });
  fs.closeSync(out);
  const services = new Set<string>();
  const logTail = () => {
    try {
      return fs.readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n');
    } catch {
      return '';
    }
  };
  onCleanup(`console server ${url} (${dataDir})`, async () => {
    if (child.pid) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        /* gone */
      }
      if (!(await exited(child.pid, 10_000))) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
    }
    stopHaproxy(dataDir);
    for (const id of services) removeContainersLabelled(`${LABELS.service}=${id}`);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const t0 = performance.now();
  let gone: string | null = null;
  child.on('exit', (code, signal) => (gone = `exited with ${signal ?? code}`));
  while (!(await healthy(url))) {
    if (gone) throw new Error(`next start ${gone}:\n${logTail()}`);
    if (performance.now() - t0 > 120_000)
      throw new Error(`next start did not answer in 120 s:\n${logTail()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  const pid = listenerPid(port, descendants(child.pid!));
  if (!pid) throw new Error(`no process below ${child.pid} listens on ${port}`);
  log(`  next start answered in ${((performance.now() - t0) / 1000).toFixed(1)} s (server pid ${pid})`);
  return { url, dataDir, pid, services, logTail };
}

type TrpcResult<T> = { status: number; data: T | undefined; error: string | undefined };

async function trpc<T>(res: Awaited<ReturnType<APIRequestContext['get']>>): Promise<TrpcResult<T>> {
  const body = (await res.json()) as {
    result?: { data?: { json?: T } };
    error?: { json?: { message?: string } };
  };
  return { status: res.status(), data: body.result?.data?.json, error: body.error?.json?.message };
}

/** A tRPC call over HTTP as the browser makes it (superjson envelope); throws unless it succeeded. */
export async function mutate<T>(api: APIRequestContext, proc: string, input: unknown): Promise<T> {
  const r = await trpc<T>(await api.post(`/api/trpc/${proc}`, { data: { json: input } }));
  if (r.status !== 200) throw new Error(`${proc}: HTTP ${r.status}: ${r.error}`);
  return r.data as T;
}

export async function query<T>(api: APIRequestContext, proc: string, input?: unknown): Promise<T> {
  const qs = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify({ json: input }))}`;
  const r = await trpc<T>(await api.get(`/api/trpc/${proc}${qs}`));
  if (r.status !== 200) throw new Error(`${proc}: HTTP ${r.status}: ${r.error}`);
  return r.data as T;
}
