import net from 'node:net';
import { ProxyError } from './types';

export type ProcInfo = {
  masterPid: number;
  reloads: number;
  failedReloads: number;
  /** The current worker first; HAProxy 2.6 runs one. */
  workers: number[];
  /** Workers from before a reload, still finishing their connections. */
  oldWorkers: number[];
};

/** One row of `show stat`, by column name (pxname, svname, scur, status, req_tot, hrsp_5xx, ...). */
export type StatRow = Record<string, string>;

/**
 * `show proc` of the master CLI:
 * ```
 * #<PID>          <type>          <reloads>       <uptime>        <version>
 * 1245            master          1 [failed: 0]   0d00h10m17s     2.6.12
 * # workers
 * 26282           worker          0               0d00h00m01s     2.6.12
 * # old workers
 * 1271            worker          1               0d00h01m53s     2.6.12
 * ```
 */
export function parseShowProc(text: string): ProcInfo {
  let section: 'master' | 'workers' | 'old' | 'other' = 'master';
  const info: ProcInfo = { masterPid: 0, reloads: 0, failedReloads: 0, workers: [], oldWorkers: [] };
  for (const line of text.split('\n')) {
    if (line.startsWith('# workers')) section = 'workers';
    else if (line.startsWith('# old workers')) section = 'old';
    else if (line.startsWith('#')) section = line.startsWith('#<PID>') ? 'master' : 'other';
    else {
      const m = /^(\d+)\s+(\S+)\s+(\d+)(?:\s+\[failed:\s*(\d+)\])?/.exec(line);
      if (!m) continue;
      const pid = Number(m[1]);
      if (section === 'master' && m[2] === 'master') {
        info.masterPid = pid;
        info.reloads = Number(m[3]);
        info.failedReloads = Number(m[4] ?? 0);
      } else if (section === 'workers' && m[2] === 'worker') info.workers.push(pid);
      else if (section === 'old' && m[2] === 'worker') info.oldWorkers.push(pid);
    }
  }
  if (!info.masterPid)
    throw new ProxyError('HAProxy master answered `show proc` without itself', 'unavailable');
  return info;
}

/** `show info`: `Key: value` lines. */
export function parseShowInfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i).trim()] = line.slice(i + 1).trim();
  }
  return out;
}

/** `show stat`: CSV whose first line is `# pxname,svname,...`. Names and values never contain commas. */
export function parseShowStat(text: string): StatRow[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const header = lines.shift();
  if (!header?.startsWith('# '))
    throw new ProxyError('HAProxy answered `show stat` without a header', 'unavailable');
  const cols = header.slice(2).split(',');
  return lines.map((line) => {
    const values = line.split(',');
    const row: StatRow = {};
    cols.forEach((c, i) => {
      if (c) row[c] = values[i] ?? '';
    });
    return row;
  });
}

export const num = (v: string | undefined) => (v ? Number(v) || 0 : 0);

/**
 * The master CLI (`haproxy -W -S <socket>`): one connection per command, which HAProxy answers and
 * closes once we half-close. Commands for a worker are routed by prefix: `@1` is the current worker
 * (whichever one that is after a reload), `@!<pid>` a given one.
 */
export class RuntimeApi {
  constructor(
    readonly socketPath: string,
    private readonly timeoutMs = 5_000,
  ) {}

  raw(command: string): Promise<string> {
    if (/[\n;]/.test(command)) return Promise.reject(new ProxyError('one command at a time', 'invalid'));
    return new Promise((resolve, reject) => {
      const socket = net.createConnection(this.socketPath);
      const chunks: Buffer[] = [];
      socket.setTimeout(this.timeoutMs, () =>
        socket.destroy(new Error(`no answer within ${this.timeoutMs} ms`)),
      );
      socket.on('data', (d: Buffer) => chunks.push(d));
      socket.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      socket.on('error', (err: NodeJS.ErrnoException) =>
        reject(
          new ProxyError(`HAProxy master socket: ${err.code ?? err.message}`, 'unavailable', { cause: err }),
        ),
      );
      socket.end(`${command}\n`);
    });
  }

  /** A command for the current worker (or the worker with this pid). */
  worker(command: string, pid?: number): Promise<string> {
    return this.raw(`${pid ? `@!${pid}` : '@1'} ${command}`);
  }

  async showProc(): Promise<ProcInfo> {
    return parseShowProc(await this.raw('show proc'));
  }

  async showInfo(pid?: number): Promise<Record<string, string>> {
    const info = parseShowInfo(await this.worker('show info', pid));
    if (!info.Pid) throw new ProxyError('no HAProxy worker answers', 'unavailable');
    return info;
  }

  async showStat(pid?: number): Promise<StatRow[]> {
    return parseShowStat(await this.worker('show stat', pid));
  }

  /**
   * A state-changing command on the current worker. HAProxy answers success with nothing or with one of
   * a few known sentences, and failure with a sentence of its own, which becomes the error message.
   */
  async change(command: string, ok: RegExp = /^$/): Promise<string> {
    const answer = (await this.worker(command)).trim();
    if (!ok.test(answer)) throw new ProxyError(`HAProxy refused \`${command}\`: ${answer}`, 'rejected');
    return answer;
  }
}
