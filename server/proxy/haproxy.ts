import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { shapeHashOf } from './config';
import { RuntimeApi, type ProcInfo } from './runtime-api';
import { ProxyError } from './types';

const run = promisify(execFile);

export type HaproxyPaths = {
  dir: string;
  config: string;
  pidFile: string;
  masterSocket: string;
  adminSocket: string;
  log: string;
  /** The backends of the last sync, for what HAProxy cannot tell back (full container ids). */
  backends: string;
};

export function pathsIn(dir: string): HaproxyPaths {
  const abs = path.resolve(dir);
  const paths = {
    dir: abs,
    config: path.join(abs, 'haproxy.cfg'),
    pidFile: path.join(abs, 'haproxy.pid'),
    masterSocket: path.join(abs, 'master.sock'),
    adminSocket: path.join(abs, 'admin.sock'),
    log: path.join(abs, 'haproxy.log'),
    backends: path.join(abs, 'backends.json'),
  };
  // sun_path holds 107 bytes; the config quotes paths in single quotes and the CLI splits on commas.
  if (Buffer.byteLength(paths.masterSocket) > 100 || /[',\s]/.test(abs))
    throw new ProxyError(`proxy directory ${abs} is too long or has quotes, commas or spaces`, 'invalid');
  return paths;
}

async function until<T>(what: string, timeoutMs: number, check: () => Promise<T | null>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== null) return v;
    if (Date.now() > deadline) throw new ProxyError(`timed out waiting for ${what}`, 'unavailable');
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** True while `pid` is a live process (a zombie is not: it only waits to be reaped). */
function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Writes a file so that a reader (or a crash) sees the old bytes or the new ones, never a mix. */
export function writeAtomic(file: string, content: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, content, { mode: 0o600 });
  fs.renameSync(tmp, file);
}

/**
 * One HAProxy master (`-W -S`) per directory, started detached so that it outlives Capstan: a Capstan
 * that is killed and started again finds it through the pid file and its command line, and adopts it.
 */
export class HaproxyProcess {
  readonly api: RuntimeApi;

  constructor(
    readonly paths: HaproxyPaths,
    readonly bin: string,
  ) {
    this.api = new RuntimeApi(paths.masterSocket);
  }

  /** The pid of a live HAProxy master serving this directory, if there is one. */
  runningMaster(): number | null {
    let pid: number;
    try {
      pid = Number(fs.readFileSync(this.paths.pidFile, 'utf8').trim());
    } catch {
      return null;
    }
    if (!Number.isInteger(pid) || pid <= 1 || !alive(pid)) return null;
    try {
      // The pid may have been reused by anything since; only a master on our socket is ours.
      const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      const ours = path.basename(argv[0] ?? '').startsWith('haproxy') && argv.includes(this.masterSpec());
      return ours ? pid : null;
    } catch {
      return null;
    }
  }

  /** Checks a configuration file with `haproxy -c`; throws its alerts as the message. */
  async validate(file: string): Promise<void> {
    try {
      await run(this.bin, ['-c', '-q', '-f', file], { env: this.env(), timeout: 15_000 });
    } catch (err) {
      const out = `${(err as { stdout?: string }).stdout ?? ''}${(err as { stderr?: string }).stderr ?? ''}`;
      throw new ProxyError(`HAProxy rejects the configuration: ${alerts(out) || String(err)}`, 'invalid', {
        cause: err,
      });
    }
  }

  /** Starts a master on the config file now on disk and waits until its worker answers. */
  async launch(): Promise<number> {
    for (const f of [this.paths.masterSocket, this.paths.adminSocket, this.paths.pidFile])
      fs.rmSync(f, { force: true });
    const log = fs.openSync(this.paths.log, 'a', 0o600);
    let exited: string | null = null;
    try {
      const child = spawn(
        this.bin,
        ['-W', '-S', this.masterSpec(), '-f', this.paths.config, '-p', this.paths.pidFile],
        { cwd: this.paths.dir, detached: true, stdio: ['ignore', log, log], env: this.env() },
      );
      child.on('exit', (code, signal) => (exited = `exited with ${signal ?? code}`));
      child.on('error', (err) => (exited = err.message));
      child.unref();
      const pid = child.pid;
      if (!pid) throw new ProxyError(`cannot start ${this.bin}`, 'unavailable');
      await until('HAProxy to start', 10_000, async () => {
        if (exited) throw new ProxyError(`HAProxy ${exited}: ${this.logAlerts()}`, 'unavailable');
        const info = await this.api.showInfo().catch(() => null);
        return info ? true : null;
      });
      return pid;
    } finally {
      fs.closeSync(log);
    }
  }

  /**
   * Seamless reload: the master re-reads the config and starts a new worker, which takes the listening
   * sockets over from the old one (`expose-fd listeners`), so no connection is refused; the old worker
   * finishes what it has. Done when the current worker serves `shapeHash`.
   */
  async reload(masterPid: number, shapeHash: string): Promise<void> {
    const before = await this.api.showProc();
    try {
      await this.api.raw('reload');
    } catch (err) {
      // The master CLI answers nothing on `reload`; SIGUSR2 does the same when the socket cannot be reached
      // (and only then: an error after connecting may mean the master is already re-executing).
      const code = (err as { cause?: { code?: string } }).cause?.code;
      if (code !== 'ENOENT' && code !== 'ECONNREFUSED') throw err;
      process.kill(masterPid, 'SIGUSR2');
    }
    await until('HAProxy to reload', 20_000, async () => {
      const proc: ProcInfo | null = await this.api.showProc().catch(() => null);
      if (!proc || proc.reloads <= before.reloads) return null;
      if (proc.failedReloads > before.failedReloads)
        throw new ProxyError(
          `HAProxy could not load the new configuration and keeps serving the previous one: ${this.logAlerts()}`,
          'reload-failed',
        );
      const info = await this.api.showInfo().catch(() => null);
      const fresh = info && !before.workers.includes(Number(info.Pid));
      return fresh && shapeHashOf(info.description) === shapeHash ? true : null;
    });
  }

  /** Hard stop (connections are closed): for tests and uninstall, not for rollouts. */
  async stop(masterPid: number): Promise<void> {
    try {
      process.kill(masterPid, 'SIGTERM');
    } catch {
      /* already gone */
    }
    const stopped = await until('HAProxy to stop', 10_000, async () =>
      alive(masterPid) ? null : true,
    ).catch(() => false);
    if (!stopped && alive(masterPid)) process.kill(masterPid, 'SIGKILL');
    fs.rmSync(this.paths.pidFile, { force: true });
  }

  private masterSpec(): string {
    return `${this.paths.masterSocket},mode,600`;
  }

  // HAProxy needs nothing from Capstan's environment, which holds secrets.
  private env(): NodeJS.ProcessEnv {
    return { NODE_ENV: process.env.NODE_ENV, PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin' };
  }

  /** The recent alerts of the master log (never access-log lines, which carry client data). */
  private logAlerts(): string {
    try {
      const fd = fs.openSync(this.paths.log, 'r');
      try {
        const size = fs.fstatSync(fd).size;
        const buf = Buffer.alloc(Math.min(size, 16_384));
        fs.readSync(fd, buf, 0, buf.length, size - buf.length);
        return alerts(buf.toString('utf8')) || 'see haproxy.log';
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      return 'no log';
    }
  }
}

function alerts(output: string): string {
  return output
    .split('\n')
    .filter((l) => l.includes('[ALERT]'))
    .slice(-3)
    .map((l) => l.replace(/^\[ALERT\]\s*\(\d+\)\s*:\s*/, '').trim())
    .join(' | ');
}
