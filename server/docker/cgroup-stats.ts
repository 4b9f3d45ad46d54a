import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { ContainerStats } from './engine';

type Controller = 'cpu' | 'memory' | 'io';

/** A cgroup directory and the hierarchy it belongs to. */
type CgroupDir = { version: 1 | 2; dir: string };

type Mounts = {
  /** cgroup v1 hierarchies by controller: where mounted and which cgroup is their root. */
  v1: Map<string, { mountPoint: string; root: string }>;
  v2: { mountPoint: string; root: string; controllers: Set<string> } | null;
};

type Resolved = { pid: number | null; cpu: CgroupDir; memory: CgroupDir; io: CgroupDir | null; files: Files };

/** The files read on every reading of one container. */
type Files = {
  cpu: OpenFile;
  memUsage: OpenFile;
  memStat: OpenFile;
  /** The first of these that can be read is. */
  io: OpenFile[];
  netDev: string | null;
};

/** Controller names of each hierarchy version; null: the file exists without the controller (cpu.stat). */
const V1_NAME: Record<Controller, string> = { cpu: 'cpuacct', memory: 'memory', io: 'blkio' };
const V2_NAME: Record<Controller, string | null> = { cpu: null, memory: 'memory', io: 'io' };
/** A file whose presence shows the cgroup directory is the right one, for v1 and v2. */
const PROBE_FILE: Record<Controller, [string, string]> = {
  cpu: ['cpuacct.usage', 'cpu.stat'],
  memory: ['memory.usage_in_bytes', 'memory.current'],
  io: ['blkio.throttle.io_service_bytes', 'io.stat'],
};

export type CgroupStatsOptions = {
  /** Where procfs is mounted; /proc unless testing. */
  proc?: string;
  /** Prefix for the mount points read from mountinfo; empty unless testing. */
  fsRoot?: string;
};

// procfs and cgroupfs files are generated in memory when read: reading one synchronously takes microseconds,
// while fs.promises costs ten times the CPU in thread-pool round trips, five files per container per tick.
async function readText(file: string): Promise<string | null> {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}

/** Grows when a file does not fit; one for all reads, as they never interleave. */
let buffer = Buffer.allocUnsafe(16 * 1024);

/**
 * A cgroup file kept open. Reading it from offset 0 again makes the kernel generate it anew (seq_file), at
 * a third of the CPU of opening it by name, reading and closing it on every tick (the path lookup in
 * kernfs is the dearest part). Once the cgroup is removed, reading fails (ENODEV) and the file is closed;
 * the next read opens the path again. Network counters are not read this way: an open /proc/<pid>/net/dev
 * would keep the container's network namespace alive after its process exits.
 */
class OpenFile {
  private fd: number | null = null;

  constructor(readonly file: string) {}

  read(): string | null {
    try {
      this.fd ??= openSync(this.file, 'r');
      let length = 0;
      for (;;) {
        const room = buffer.length - length;
        const n = readSync(this.fd, buffer, length, room, length);
        length += n;
        if (n < room) break;
        const bigger = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(bigger, 0, 0, length);
        buffer = bigger;
      }
      return buffer.toString('latin1', 0, length);
    } catch {
      this.close();
      return null;
    }
  }

  close(): void {
    if (this.fd === null) return;
    try {
      closeSync(this.fd);
    } catch {
      /* closed already */
    }
    this.fd = null;
  }
}

function num(text: string | null): number | null {
  if (text === null) return null;
  const n = Number(text.trim());
  return Number.isFinite(n) ? n : null;
}

/** The value of `key` in "key value" lines (memory.stat, cpu.stat), if there. */
function statValue(text: string | null, key: string): number | undefined {
  if (text === null) return undefined;
  // Where the line starts: the text is searched as if it began with a newline.
  const line = `\n${text}`.indexOf(`\n${key} `);
  if (line < 0) return undefined;
  const end = text.indexOf('\n', line);
  const n = Number(text.slice(line + key.length + 1, end < 0 ? undefined : end));
  return Number.isFinite(n) ? n : undefined;
}

/** Parses /proc/self/mountinfo for cgroup (v1) and cgroup2 mounts. */
export function parseMountinfo(text: string): {
  v1: Mounts['v1'];
  v2: { mountPoint: string; root: string } | null;
} {
  const v1: Mounts['v1'] = new Map();
  let v2: { mountPoint: string; root: string } | null = null;
  for (const line of text.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const left = line.slice(0, sep).split(' ');
    const [fstype, , superOptions] = line.slice(sep + 3).split(' ');
    const root = left[3];
    const mountPoint = left[4]?.replace(/\\040/g, ' ');
    if (!root || !mountPoint) continue;
    if (fstype === 'cgroup2' && !v2) v2 = { mountPoint, root };
    if (fstype === 'cgroup') {
      for (const opt of (superOptions ?? '').split(',')) {
        if (!v1.has(opt)) v1.set(opt, { mountPoint, root });
      }
    }
  }
  return { v1, v2 };
}

/** Parses /proc/<pid>/cgroup: v1 paths by controller, and the v2 path (the "0::" line). */
export function parseProcCgroup(text: string): { v1: Map<string, string>; v2: string | null } {
  const v1 = new Map<string, string>();
  let v2: string | null = null;
  for (const line of text.split('\n')) {
    const m = /^(\d+):([^:]*):(.+)$/.exec(line.trim());
    if (!m) continue;
    const [, id, controllers, p] = m;
    if (id === '0' && controllers === '') v2 = p!;
    else for (const c of controllers!.split(',')) v1.set(c, p!);
  }
  return { v1, v2 };
}

/** Sums "8:0 Read 123" lines (blkio v1) by operation. */
function parseBlkioV1(text: string): { read: number; write: number } {
  let read = 0;
  let write = 0;
  for (const line of text.split('\n')) {
    const [, op, value] = line.trim().split(/\s+/);
    if (op === 'Read') read += Number(value) || 0;
    if (op === 'Write') write += Number(value) || 0;
  }
  return { read, write };
}

/** Sums "8:0 rbytes=1 wbytes=2 …" lines (io.stat, v2). */
function parseIoStatV2(text: string): { read: number; write: number } {
  let read = 0;
  let write = 0;
  for (const m of text.matchAll(/\b([rw])bytes=(\d+)/g)) {
    if (m[1] === 'r') read += Number(m[2]);
    else write += Number(m[2]);
  }
  return { read, write };
}

/** Bytes received and sent on every interface but loopback, from /proc/<pid>/net/dev. */
export function parseNetDev(text: string): { rx: number; tx: number } {
  let rx = 0;
  let tx = 0;
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const iface = line.slice(0, colon).trim();
    if (!iface || iface === 'lo' || iface.includes('|')) continue;
    const fields = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .map(Number);
    rx += fields[0] ?? 0;
    tx += fields[8] ?? 0;
  }
  return { rx, tx };
}

/** A cgroup path relative to a mount whose root is `root`, or null when the mount does not contain it. */
function below(root: string, cgroupPath: string): string | null {
  // A path outside our cgroup namespace shows as "/../…": not reachable through our mounts.
  if (cgroupPath.split('/').includes('..')) return null;
  if (root === '/') return cgroupPath;
  if (cgroupPath === root) return '/';
  return cgroupPath.startsWith(`${root}/`) ? cgroupPath.slice(root.length) : null;
}

/**
 * Reads a container's counters straight from its cgroup files (v1, v2 or hybrid) and its network
 * namespace, which costs no Docker API call. The cgroup is found from /proc/<pid>/cgroup of the
 * container's init process, mapped onto the cgroup mounts of /proc/self/mountinfo; when that fails (no
 * such pid in our namespace, e.g. Capstan itself in a container), the standard Docker locations are
 * tried. Returns null when CPU, memory or network cannot be read: the caller falls back to the stats API.
 */
export class CgroupStatsReader {
  private readonly proc: string;
  private readonly fsRoot: string;
  private mounts: Promise<Mounts | null> | null = null;
  private readonly resolved = new Map<string, Resolved>();

  constructor(opts: CgroupStatsOptions = {}) {
    this.proc = opts.proc ?? '/proc';
    this.fsRoot = opts.fsRoot ?? '';
  }

  async read(containerId: string, pid: number | null): Promise<ContainerStats | null> {
    const where = await this.locate(containerId, pid);
    if (!where) return null;
    const cpu = this.readCpu(where);
    const mem = this.readMemory(where);
    const io = this.readIo(where);
    const net = where.files.netDev === null ? null : await readText(where.files.netDev);
    if (cpu === null || mem === null || net === null) {
      this.drop(containerId);
      return null;
    }
    const { rx, tx } = parseNetDev(net);
    return {
      cpuUsageNs: cpu,
      memUsageBytes: mem.usage,
      memWorkingSetBytes: mem.workingSet,
      netRxBytes: rx,
      netTxBytes: tx,
      blkReadBytes: io?.read ?? null,
      blkWriteBytes: io?.write ?? null,
    };
  }

  /** Drops cached paths, and closes the files, of containers that are gone. */
  forget(keep: Set<string>): void {
    for (const id of this.resolved.keys()) if (!keep.has(id)) this.drop(id);
  }

  /** Closes every file kept open; a later read opens them again. */
  close(): void {
    for (const id of this.resolved.keys()) this.drop(id);
  }

  private drop(containerId: string): void {
    const files = this.resolved.get(containerId)?.files;
    if (!files) return;
    for (const f of [files.cpu, files.memUsage, files.memStat, ...files.io]) f.close();
    this.resolved.delete(containerId);
  }

  private async locate(containerId: string, pid: number | null): Promise<Resolved | null> {
    const cached = this.resolved.get(containerId);
    if (cached && cached.pid === pid) return cached;
    this.drop(containerId);
    const mounts = await this.loadMounts();
    if (!mounts) return null;
    // Docker gives the pid in the host's pid namespace: trust it only if that process is in the container.
    const own = pid === null ? null : await readText(path.join(this.proc, String(pid), 'cgroup'));
    const trusted = own !== null && own.includes(containerId) ? pid : null;
    const found =
      (own !== null && trusted !== null ? await this.fromProc(mounts, parseProcCgroup(own)) : null) ??
      (await this.fromStandard(mounts, containerId));
    if (!found) return null;
    const result = { pid: trusted, ...found, files: this.filesOf(found, trusted) };
    this.resolved.set(containerId, result);
    return result;
  }

  private loadMounts(): Promise<Mounts | null> {
    this.mounts ??= (async () => {
      const text = await readText(path.join(this.proc, 'self', 'mountinfo'));
      if (!text) return null;
      const parsed = parseMountinfo(text);
      let v2: Mounts['v2'] = null;
      if (parsed.v2) {
        const list = await readText(this.abs(parsed.v2.mountPoint, 'cgroup.controllers'));
        v2 = { ...parsed.v2, controllers: new Set((list ?? '').trim().split(/\s+/).filter(Boolean)) };
      }
      return { v1: parsed.v1, v2 };
    })();
    return this.mounts;
  }

  private abs(...parts: string[]): string {
    return path.join(this.fsRoot || '/', ...parts);
  }

  /** Where controller `c` of a cgroup lives, given its path in each hierarchy. */
  private async place(
    mounts: Mounts,
    c: Controller,
    v1Path: (mountRoot: string) => string | null,
    v2Path: (mountRoot: string) => string | null,
  ): Promise<CgroupDir | null> {
    const [v1File, v2File] = PROBE_FILE[c];
    const m1 = mounts.v1.get(V1_NAME[c]);
    if (m1) {
      const rel = v1Path(m1.root);
      const dir = rel === null ? null : this.abs(m1.mountPoint, rel);
      if (dir && (await exists(path.join(dir, v1File)))) return { version: 1, dir };
    }
    const v2Name = V2_NAME[c];
    if (mounts.v2 && (v2Name === null || mounts.v2.controllers.has(v2Name))) {
      const rel = v2Path(mounts.v2.root);
      const dir = rel === null ? null : this.abs(mounts.v2.mountPoint, rel);
      if (dir && (await exists(path.join(dir, v2File)))) return { version: 2, dir };
    }
    return null;
  }

  private async fromProc(mounts: Mounts, own: ReturnType<typeof parseProcCgroup>) {
    const placeOf = (c: Controller) =>
      this.place(
        mounts,
        c,
        (root) => {
          const p = own.v1.get(V1_NAME[c]);
          return p ? below(root, p) : null;
        },
        (root) => (own.v2 ? below(root, own.v2) : null),
      );
    const [cpu, memory, io] = await Promise.all([placeOf('cpu'), placeOf('memory'), placeOf('io')]);
    return cpu && memory ? { cpu, memory, io } : null;
  }

  /** cgroupfs driver: <hierarchy>/docker/<id>; systemd driver: <hierarchy>/system.slice/docker-<id>.scope. */
  private async fromStandard(mounts: Mounts, containerId: string) {
    const candidates = [`/docker/${containerId}`, `/system.slice/docker-${containerId}.scope`];
    const placeOf = async (c: Controller) => {
      for (const p of candidates) {
        const dir = await this.place(
          mounts,
          c,
          (root) => below(root, p),
          (root) => below(root, p),
        );
        if (dir) return dir;
      }
      return null;
    };
    const [cpu, memory, io] = await Promise.all([placeOf('cpu'), placeOf('memory'), placeOf('io')]);
    return cpu && memory ? { cpu, memory, io } : null;
  }

  private filesOf(at: Omit<Resolved, 'pid' | 'files'>, pid: number | null): Files {
    const open = (dir: CgroupDir, file: string) => new OpenFile(path.join(dir.dir, file));
    const v1 = (dir: CgroupDir) => dir.version === 1;
    return {
      cpu: open(at.cpu, v1(at.cpu) ? 'cpuacct.usage' : 'cpu.stat'),
      memUsage: open(at.memory, v1(at.memory) ? 'memory.usage_in_bytes' : 'memory.current'),
      memStat: open(at.memory, 'memory.stat'),
      io: !at.io
        ? []
        : v1(at.io)
          ? [
              open(at.io, 'blkio.throttle.io_service_bytes_recursive'),
              open(at.io, 'blkio.throttle.io_service_bytes'),
            ]
          : [open(at.io, 'io.stat')],
      netDev: pid === null ? null : path.join(this.proc, String(pid), 'net', 'dev'),
    };
  }

  private readCpu(at: Resolved): number | null {
    const text = at.files.cpu.read();
    if (at.cpu.version === 1) return num(text);
    const usec = statValue(text, 'usage_usec');
    return usec === undefined ? null : usec * 1000;
  }

  private readMemory(at: Resolved): { usage: number; workingSet: number } | null {
    const usage = num(at.files.memUsage.read());
    if (usage === null) return null;
    const inactiveKey = at.memory.version === 1 ? 'total_inactive_file' : 'inactive_file';
    const inactive = statValue(at.files.memStat.read(), inactiveKey) ?? 0;
    return { usage, workingSet: inactive < usage ? usage - inactive : usage };
  }

  private readIo(at: Resolved): { read: number; write: number } | null {
    for (const file of at.files.io) {
      const text = file.read();
      if (text !== null) return at.io?.version === 2 ? parseIoStatV2(text) : parseBlkioV1(text);
    }
    return null;
  }
}
