import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import v8 from 'node:v8';
import vm from 'node:vm';

/** Clock ticks per second of the times in /proc/<pid>/stat. */
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

type StatTimes = { utime: number; stime: number; cutime: number; cstime: number };

/** User and system time of a process and of its reaped children, in ms; null when it is gone. */
export function procTimes(pid: number | 'self'): StatTimes | null {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) may hold spaces and parentheses: fields restart after the last ')'.
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const ms = (i: number) => (Number(f[i]) * 1000) / CLK_TCK;
  return { utime: ms(11), stime: ms(12), cutime: ms(13), cstime: ms(14) };
}

/** CPU ms of the processes this one has waited for (finished children): exact to one clock tick. */
export function childrenCpuMs(): number {
  const t = procTimes('self')!;
  return t.cutime + t.cstime;
}

/** Resident set of a process in bytes (VmRSS), or null when it is gone. */
export function rssBytes(pid: number): number | null {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

function pidsOf(...names: string[]): number[] {
  const out: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (names.includes(fs.readFileSync(`/proc/${entry}/comm`, 'utf8').trim())) out.push(Number(entry));
    } catch {
      /* exited meanwhile */
    }
  }
  return out;
}

/**
 * The processes that serve Docker API calls about `containers`: dockerd, containerd and the shims of
 * those containers (one `containerd-shim-runc-v2 -id <container id>` each), not other containers' shims.
 */
export function enginePids(containers: Iterable<string>): number[] {
  const ids = new Set(containers);
  // comm is cut at 15 characters: containerd-shim-runc-v2 shows as "containerd-shim".
  const shims = pidsOf('containerd-shim', 'containerd-shim-runc-v2').filter((pid) => {
    try {
      const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      return ids.has(argv[argv.indexOf('-id') + 1] ?? '');
    } catch {
      return false;
    }
  });
  return [...pidsOf('dockerd', 'containerd'), ...shims];
}

/** Own CPU (user + system, ms) of each engine process, to diff with a later snapshot. */
export type EngineSnapshot = Map<number, number>;

export function engineSnapshot(pids: number[]): EngineSnapshot {
  const snap: EngineSnapshot = new Map();
  for (const pid of pids) {
    const t = procTimes(pid);
    if (t) snap.set(pid, t.utime + t.stime);
  }
  return snap;
}

/** CPU ms the engine used between two snapshots, over the processes alive in both. */
export function engineCpuMs(before: EngineSnapshot, after: EngineSnapshot): number {
  let sum = 0;
  for (const [pid, ms] of after) {
    const was = before.get(pid);
    if (was !== undefined) sum += ms - was;
  }
  return sum;
}

/** The pid of the process listening on a TCP port (IPv4 or IPv6), among `candidates`. */
export function listenerPid(port: number, candidates: number[]): number | null {
  const inodes = new Set<string>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      const local = f[1];
      // State 0A is LISTEN.
      if (local && f[3] === '0A' && parseInt(local.split(':')[1] ?? '', 16) === port && f[9])
        inodes.add(f[9]);
    }
  }
  for (const pid of candidates) {
    let fds: string[] = [];
    try {
      fds = fs.readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m && inodes.has(m[1]!)) return pid;
      } catch {
        /* closed meanwhile */
      }
    }
  }
  return null;
}

/** `pid` and every process below it. */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const text = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(text.slice(text.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      /* exited meanwhile */
    }
  }
  const out = [pid];
  for (let i = 0; i < out.length; i++) out.push(...(children.get(out[i]!) ?? []));
  return out;
}

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

export type OwnMemory = { rss: number; heapUsed: number; external: number };

/** This process's memory after a full garbage collection, so that two readings compare what is live. */
export async function ownMemory(): Promise<OwnMemory> {
  gc();
  await new Promise((r) => setTimeout(r, 100));
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external };
}
