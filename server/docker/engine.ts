import Docker from 'dockerode';
import type { Readable } from 'node:stream';

export const LABELS = {
  managedBy: 'capstan.managed-by',
  installation: 'capstan.installation',
  service: 'capstan.service',
  serviceName: 'capstan.service-name',
  revision: 'capstan.revision',
  replica: 'capstan.replica',
  deployment: 'capstan.deployment',
  restart: 'capstan.restart',
} as const;

/** Per-replica limits and reservations as Docker applies them (`docker update` changes them in place). */
export type ReplicaResources = {
  cpus: number | null;
  memoryMb: number | null;
  cpuReservation: number | null;
  memoryReservationMb: number | null;
  pidsLimit: number | null;
};

/** What the host offers replicas: all its CPUs and memory, as Docker reports them. */
export type HostCapacity = { cpus: number; memoryBytes: number };

export type RegistryAuth = { username: string; password: string; serveraddress: string };

export type ReplicaSpec = {
  serviceId: string;
  serviceName: string;
  revision: number;
  replica: number;
  deploymentId: string | null;
  image: string;
  env: Record<string, string>;
  port: number;
  resources: ReplicaResources;
  /** The service's restart generation this replica was started in. */
  generation: number;
  labels: Record<string, string>;
};

/** A managed container as read back from Docker: everything here comes from labels and state. */
export type Replica = {
  id: string;
  name: string;
  serviceId: string;
  serviceName: string;
  revision: number;
  replica: number;
  /** The service's restart generation the replica was started in (0 before restarts existed). */
  generation: number;
  deploymentId: string | null;
  image: string;
  state: string; // created | running | exited | dead | restarting | paused | removing
  status: string; // docker's human text, e.g. "Up 3 minutes"
  hostPort: number | null;
  createdAt: Date;
};

/** What the metrics collector needs of a container beyond its labels. */
export type ReplicaRuntime = {
  id: string;
  running: boolean;
  /** Init process on the host, null unless running. */
  pid: number | null;
  restartCount: number;
  memoryLimitBytes: number | null;
};

/** Cumulative counters and current gauges of one container, as the kernel reports them. */
export type ContainerStats = {
  cpuUsageNs: number;
  memUsageBytes: number;
  /** Usage minus inactive file cache, as `docker stats` shows it. */
  memWorkingSetBytes: number;
  netRxBytes: number | null;
  netTxBytes: number | null;
  /** Null when the kernel does not account block I/O for the container. */
  blkReadBytes: number | null;
  blkWriteBytes: number | null;
};

export type ReplicaDetail = Replica & {
  exitCode: number | null;
  oomKilled: boolean;
  restartCount: number;
  startedAt: Date | null;
  finishedAt: Date | null;
  error: string;
};

export type EngineEvent = {
  action: string;
  containerId: string;
  serviceId: string | null;
  exitCode: string | null;
  time: number;
  /** Capstan itself stopped or removed this container (a rollout step, not an incident). */
  expected: boolean;
};

export class DockerError extends Error {
  constructor(
    message: string,
    readonly statusCode: number | null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

function statusOf(err: unknown): number | null {
  const code = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof code === 'number' ? code : null;
}

function messageOf(err: unknown): string {
  const json = (err as { json?: { message?: string } } | null)?.json;
  if (json?.message) return json.message;
  return err instanceof Error ? err.message : String(err);
}

function toReplica(c: Docker.ContainerInfo): Replica {
  const l = c.Labels ?? {};
  const published = c.Ports?.find((p) => p.PublicPort && (p.IP === '127.0.0.1' || p.IP === '0.0.0.0'));
  return {
    id: c.Id,
    name: (c.Names?.[0] ?? '').replace(/^\//, ''),
    serviceId: l[LABELS.service] ?? '',
    serviceName: l[LABELS.serviceName] ?? '',
    revision: Number(l[LABELS.revision] ?? 0),
    replica: Number(l[LABELS.replica] ?? 0),
    generation: Number(l[LABELS.restart] ?? 0),
    deploymentId: l[LABELS.deployment] || null,
    image: c.Image,
    state: c.State,
    status: c.Status,
    hostPort: published?.PublicPort ?? null,
    createdAt: new Date(c.Created * 1000),
  };
}

/** Splits "repo/name:tag" or "name@sha256:..." into what the pull API wants. */
export function parseImageRef(ref: string): { repo: string; tag: string; registry: string } {
  const at = ref.indexOf('@');
  const lastSlash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  let repo = ref;
  let tag = 'latest';
  if (at >= 0) {
    repo = ref.slice(0, at);
    tag = ref.slice(at + 1);
  } else if (colon > lastSlash) {
    repo = ref.slice(0, colon);
    tag = ref.slice(colon + 1);
  }
  const first = repo.split('/')[0] ?? '';
  const registry =
    repo.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost')
      ? first
      : 'docker.io';
  return { repo, tag, registry };
}

/**
 * Docker's HostConfig fields for a replica's resources. A CPU reservation becomes CPU shares (1024 per CPU:
 * the replica's weight when CPUs are contended); a memory reservation is Docker's soft limit. On an
 * update every field is sent, 0 clearing a limit that was removed (-1 for the PIDs limit).
 */
function resourceFields(r: ReplicaResources, update = false) {
  const bytes = (mb: number | null) => (mb ? mb * 1024 * 1024 : update ? 0 : undefined);
  const memory = bytes(r.memoryMb);
  return {
    NanoCpus: r.cpus ? Math.round(r.cpus * 1e9) : update ? 0 : undefined,
    Memory: memory,
    // Swap equal to the limit: no swap at all. -1 lifts it when the memory limit is lifted.
    MemorySwap: r.memoryMb ? memory : update ? -1 : undefined,
    MemoryReservation: bytes(r.memoryReservationMb),
    CpuShares: r.cpuReservation ? Math.max(2, Math.round(r.cpuReservation * 1024)) : update ? 0 : undefined,
    PidsLimit: r.pidsLimit ?? (update ? -1 : undefined),
  };
}

/** The one place that talks to the Docker engine. Returns plain objects, throws DockerError. */
export class DockerEngine {
  readonly api: Docker;

  /** Sees and touches only the containers of one installation. */
  constructor(
    readonly installationId: string,
    opts?: Docker.DockerOptions,
  ) {
    this.api = new Docker(opts);
  }

  private ownLabels(): string[] {
    return [`${LABELS.managedBy}=capstan`, `${LABELS.installation}=${this.installationId}`];
  }

  async ping(): Promise<{ ok: true; version: string } | { ok: false; error: string }> {
    try {
      const v = await this.api.version();
      return { ok: true, version: v.Version };
    } catch (err) {
      return { ok: false, error: messageOf(err) };
    }
  }

  /** Managed containers, of one service or only those of the given ids if asked. */
  async listReplicas(filter: { serviceId?: string; ids?: string[] } = {}): Promise<Replica[]> {
    const label = this.ownLabels();
    if (filter.serviceId) label.push(`${LABELS.service}=${filter.serviceId}`);
    if (filter.ids?.length === 0) return [];
    try {
      const list = await this.api.listContainers({
        all: true,
        filters: filter.ids ? { label, id: filter.ids } : { label },
      });
      return list.map(toReplica);
    } catch (err) {
      throw new DockerError(`Docker did not list containers: ${messageOf(err)}`, statusOf(err), {
        cause: err,
      });
    }
  }

  async inspectReplica(id: string): Promise<ReplicaDetail | null> {
    try {
      const c = await this.api.getContainer(id).inspect();
      const l = c.Config.Labels ?? {};
      const bindings = c.NetworkSettings.Ports ?? {};
      const first = Object.values(bindings).find((b) => b && b.length > 0)?.[0];
      const time = (s: string) => (s && !s.startsWith('0001') ? new Date(s) : null);
      return {
        id: c.Id,
        name: c.Name.replace(/^\//, ''),
        serviceId: l[LABELS.service] ?? '',
        serviceName: l[LABELS.serviceName] ?? '',
        revision: Number(l[LABELS.revision] ?? 0),
        replica: Number(l[LABELS.replica] ?? 0),
        generation: Number(l[LABELS.restart] ?? 0),
        deploymentId: l[LABELS.deployment] || null,
        image: c.Config.Image,
        state: c.State.Status,
        status: c.State.Status,
        hostPort: first?.HostPort ? Number(first.HostPort) : null,
        createdAt: new Date(c.Created),
        exitCode: this.exitCodeOf(c),
        oomKilled: c.State.OOMKilled,
        restartCount: c.RestartCount,
        startedAt: time(c.State.StartedAt),
        finishedAt: time(c.State.FinishedAt),
        error: c.State.Error ?? '',
      };
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw new DockerError(`Docker did not inspect ${id.slice(0, 12)}: ${messageOf(err)}`, statusOf(err), {
        cause: err,
      });
    }
  }

  async inspectRuntime(id: string): Promise<ReplicaRuntime | null> {
    try {
      const c = await this.api.getContainer(id).inspect();
      return {
        id: c.Id,
        running: c.State.Running,
        pid: c.State.Running && c.State.Pid > 0 ? c.State.Pid : null,
        restartCount: c.RestartCount,
        memoryLimitBytes: c.HostConfig.Memory ? c.HostConfig.Memory : null,
      };
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw new DockerError(`Docker did not inspect ${id.slice(0, 12)}: ${messageOf(err)}`, statusOf(err), {
        cause: err,
      });
    }
  }

  /** One reading of the stats API, without the one-second wait for a previous reading. */
  async statsOnce(id: string): Promise<ContainerStats | null> {
    let s: Docker.ContainerStats;
    try {
      s = await this.api.getContainer(id).stats({ stream: false, 'one-shot': true });
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw new DockerError(
        `Docker did not report stats of ${id.slice(0, 12)}: ${messageOf(err)}`,
        statusOf(err),
        {
          cause: err,
        },
      );
    }
    const mem = s.memory_stats ?? { usage: 0, stats: {} };
    const memStats = (mem.stats ?? {}) as Record<string, number | undefined>;
    const usage = mem.usage ?? 0;
    // cgroup v1 reports total_inactive_file, v2 inactive_file.
    const inactive = memStats.total_inactive_file ?? memStats.inactive_file ?? 0;
    const nets = Object.values(s.networks ?? {});
    const io = s.blkio_stats?.io_service_bytes_recursive ?? [];
    const ioSum = (op: string) =>
      io.filter((e) => e.op.toLowerCase() === op).reduce((sum, e) => sum + e.value, 0);
    return {
      cpuUsageNs: s.cpu_stats?.cpu_usage?.total_usage ?? 0,
      memUsageBytes: usage,
      memWorkingSetBytes: inactive < usage ? usage - inactive : usage,
      netRxBytes: nets.length ? nets.reduce((sum, n) => sum + n.rx_bytes, 0) : null,
      netTxBytes: nets.length ? nets.reduce((sum, n) => sum + n.tx_bytes, 0) : null,
      blkReadBytes: ioSum('read'),
      blkWriteBytes: ioSum('write'),
    };
  }

  async hasImage(ref: string): Promise<boolean> {
    try {
      await this.api.getImage(ref).inspect();
      return true;
    } catch (err) {
      if (statusOf(err) === 404) return false;
      throw new DockerError(`Docker did not inspect image ${ref}: ${messageOf(err)}`, statusOf(err), {
        cause: err,
      });
    }
  }

  /** Pulls the image unless it is present. Throws DockerError with a message a person can act on. */
  async ensureImage(ref: string, auth?: RegistryAuth): Promise<'present' | 'pulled'> {
    if (await this.hasImage(ref)) return 'present';
    const { repo, tag } = parseImageRef(ref);
    try {
      const pullRef = tag.startsWith('sha256:') ? `${repo}@${tag}` : `${repo}:${tag}`;
      const stream = (await this.api.pull(pullRef, { authconfig: auth })) as unknown as Readable;
      await new Promise<void>((resolve, reject) => {
        this.api.modem.followProgress(stream, (err: Error | null, output: { error?: string }[]) => {
          const failed = output?.find((o) => o.error);
          if (err) reject(err);
          else if (failed?.error) reject(new Error(failed.error));
          else resolve();
        });
      });
    } catch (err) {
      throw new DockerError(
        `Could not pull image ${ref}: ${messageOf(err)}. Check the image name and tag, that the registry is reachable from the Docker host, and its credentials under Settings.`,
        statusOf(err),
        { cause: err },
      );
    }
    if (!(await this.hasImage(ref)))
      throw new DockerError(`Image ${ref} is still absent after the pull`, null);
    return 'pulled';
  }

  async createReplica(spec: ReplicaSpec): Promise<string> {
    const suffix = Math.random().toString(36).slice(2, 7);
    const name = `capstan-${spec.serviceName}-r${spec.revision}-${spec.replica}-${suffix}`;
    const portKey = `${spec.port}/tcp`;
    try {
      const container = await this.api.createContainer({
        name,
        Image: spec.image,
        Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
        ExposedPorts: { [portKey]: {} },
        Labels: {
          ...spec.labels,
          [LABELS.managedBy]: 'capstan',
          [LABELS.installation]: this.installationId,
          [LABELS.service]: spec.serviceId,
          [LABELS.serviceName]: spec.serviceName,
          [LABELS.revision]: String(spec.revision),
          [LABELS.replica]: String(spec.replica),
          [LABELS.deployment]: spec.deploymentId ?? '',
          [LABELS.restart]: String(spec.generation),
        },
        HostConfig: {
          PortBindings: { [portKey]: [{ HostIp: '127.0.0.1', HostPort: '' }] },
          RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 5 },
          ...resourceFields(spec.resources),
          LogConfig: { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '3' } },
        },
      });
      try {
        await container.start();
      } catch (err) {
        // A container that never started is nobody's replica: gone, so the next pass creates it anew.
        await container.remove({ force: true }).catch(() => undefined);
        throw err;
      }
      return container.id;
    } catch (err) {
      throw new DockerError(
        `Could not start a replica of ${spec.serviceName}: ${messageOf(err)}`,
        statusOf(err),
        {
          cause: err,
        },
      );
    }
  }

  /** Changes a running replica's limits and reservations in place: no restart. */
  async updateResources(id: string, resources: ReplicaResources): Promise<void> {
    try {
      await this.api.getContainer(id).update(resourceFields(resources, true));
    } catch (err) {
      throw new DockerError(
        `Could not update the limits of ${id.slice(0, 12)}: ${messageOf(err)}`,
        statusOf(err),
        { cause: err },
      );
    }
  }

  /** The limits Docker applies to a container now, read back the way they were set. */
  async inspectResources(id: string): Promise<ReplicaResources | null> {
    try {
      const h = (await this.api.getContainer(id).inspect()).HostConfig;
      const mb = (b: number | undefined) => (b ? Math.round(b / 1024 / 1024) : null);
      return {
        cpus: h.NanoCpus ? h.NanoCpus / 1e9 : null,
        memoryMb: mb(h.Memory),
        cpuReservation: h.CpuShares ? h.CpuShares / 1024 : null,
        memoryReservationMb: mb(h.MemoryReservation),
        pidsLimit: h.PidsLimit && h.PidsLimit > 0 ? h.PidsLimit : null,
      };
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw new DockerError(`Docker did not inspect ${id.slice(0, 12)}: ${messageOf(err)}`, statusOf(err), {
        cause: err,
      });
    }
  }

  async hostCapacity(): Promise<HostCapacity> {
    try {
      const info = (await this.api.info()) as { NCPU?: number; MemTotal?: number };
      return { cpus: info.NCPU ?? 1, memoryBytes: info.MemTotal ?? 0 };
    } catch (err) {
      throw new DockerError(`Docker did not describe its host: ${messageOf(err)}`, statusOf(err), {
        cause: err,
      });
    }
  }

  /** Last exit code per container from die events: Docker reports 0 once a crashed container restarted. */
  private readonly lastExit = new Map<string, number>();

  private exitCodeOf(c: Docker.ContainerInspectInfo): number | null {
    if (!c.State.Running || c.State.Restarting) return c.State.ExitCode;
    return c.RestartCount > 0 ? (this.lastExit.get(c.Id) ?? null) : null;
  }

  /** Containers this process is stopping on purpose, so their kill/die events are not taken for crashes. */
  private readonly stopping = new Set<string>();

  /** Graceful stop (SIGTERM, then SIGKILL after the timeout), then removal. Absent is fine. */
  async removeReplica(id: string, stopTimeoutSeconds = 10): Promise<void> {
    const c = this.api.getContainer(id);
    this.stopping.add(id);
    setTimeout(() => this.stopping.delete(id), (stopTimeoutSeconds + 30) * 1000).unref();
    try {
      await c.stop({ t: stopTimeoutSeconds });
    } catch (err) {
      const code = statusOf(err);
      if (code !== 304 && code !== 404) {
        throw new DockerError(`Could not stop ${id.slice(0, 12)}: ${messageOf(err)}`, code, { cause: err });
      }
    }
    try {
      await c.remove({ force: true });
    } catch (err) {
      const code = statusOf(err);
      if (code !== 404 && code !== 409) {
        throw new DockerError(`Could not remove ${id.slice(0, 12)}: ${messageOf(err)}`, code, { cause: err });
      }
    }
  }

  async logsTail(id: string, lines = 40): Promise<string> {
    try {
      const buf = (await this.api
        .getContainer(id)
        .logs({ stdout: true, stderr: true, tail: lines, follow: false })) as unknown as Buffer;
      return demux(buf);
    } catch (err) {
      if (statusOf(err) === 404) return '';
      throw new DockerError(`Could not read logs of ${id.slice(0, 12)}: ${messageOf(err)}`, statusOf(err), {
        cause: err,
      });
    }
  }

  /** Timestamped log lines (stdout and stderr) of a container, oldest first. */
  async logLines(id: string, opts: { tail: number; sinceSeconds?: number }): Promise<LogLine[]> {
    try {
      const buf = (await this.api.getContainer(id).logs({
        stdout: true,
        stderr: true,
        timestamps: true,
        tail: opts.tail,
        since: opts.sinceSeconds ?? 0,
        follow: false,
      })) as unknown as Buffer;
      return parseLogFrames(buf);
    } catch (err) {
      if (statusOf(err) === 404) return [];
      throw new DockerError(`Could not read logs of ${id.slice(0, 12)}: ${messageOf(err)}`, statusOf(err), {
        cause: err,
      });
    }
  }

  /** Follows a container's log as it is written, until the signal aborts or the container goes. */
  async followLog(id: string, onLine: (line: LogLine) => void, signal: AbortSignal): Promise<void> {
    const stream = (await this.api.getContainer(id).logs({
      stdout: true,
      stderr: true,
      timestamps: true,
      follow: true,
      tail: 0,
    })) as unknown as Readable;
    const close = () => stream.destroy();
    signal.addEventListener('abort', close, { once: true });
    let pending: Buffer = Buffer.alloc(0);
    try {
      for await (const chunk of stream) {
        pending = Buffer.concat([pending, chunk as Buffer]);
        const { lines, rest } = takeFrames(pending);
        pending = rest;
        for (const l of lines) onLine(l);
      }
    } catch (err) {
      if (!signal.aborted) throw err;
    } finally {
      signal.removeEventListener('abort', close);
    }
  }

  /**
   * Streams container events of managed containers until the signal aborts or the stream ends. `onOpen`
   * is called once Docker has answered: events from then on reach `onEvent`.
   */
  async watchEvents(
    onEvent: (e: EngineEvent) => void,
    signal: AbortSignal,
    onOpen?: () => void,
  ): Promise<void> {
    const stream = (await this.api.getEvents({
      filters: { type: ['container'], label: this.ownLabels() },
      abortSignal: signal,
    })) as unknown as Readable;
    const close = () => stream.destroy();
    signal.addEventListener('abort', close, { once: true });
    // Aborted while Docker was answering: the listener above would never be called.
    if (signal.aborted) close();
    else onOpen?.();
    let pending = '';
    try {
      for await (const chunk of stream) {
        pending += chunk.toString();
        let nl: number;
        while ((nl = pending.indexOf('\n')) >= 0) {
          const line = pending.slice(0, nl).trim();
          pending = pending.slice(nl + 1);
          if (!line) continue;
          const raw = JSON.parse(line) as {
            Action?: string;
            id?: string;
            time?: number;
            Actor?: { Attributes?: Record<string, string> };
          };
          const attrs = raw.Actor?.Attributes ?? {};
          if (raw.Action === 'die' && raw.id && attrs.exitCode !== undefined) {
            this.lastExit.set(raw.id, Number(attrs.exitCode));
          }
          onEvent({
            action: raw.Action ?? '',
            containerId: raw.id ?? '',
            serviceId: attrs[LABELS.service] ?? null,
            exitCode: attrs.exitCode ?? null,
            time: raw.time ?? Math.floor(Date.now() / 1000),
            expected: this.stopping.has(raw.id ?? ''),
          });
        }
      }
    } finally {
      signal.removeEventListener('abort', close);
    }
  }
}

/** Docker multiplexes stdout/stderr in 8-byte framed chunks when there is no TTY. */
function demux(buf: Buffer): string {
  if (!Buffer.isBuffer(buf)) return String(buf ?? '');
  const out: Buffer[] = [];
  let i = 0;
  while (i + 8 <= buf.length) {
    const size = buf.readUInt32BE(i + 4);
    out.push(buf.subarray(i + 8, i + 8 + size));
    i += 8 + size;
  }
  return i === buf.length ? Buffer.concat(out).toString('utf8') : buf.toString('utf8');
}

export type LogLine = { at: Date; stream: 'stdout' | 'stderr'; text: string };

function toLine(raw: string, stream: LogLine['stream']): LogLine {
  const space = raw.indexOf(' ');
  const at = new Date(raw.slice(0, space));
  return Number.isNaN(at.getTime())
    ? { at: new Date(), stream, text: raw }
    : { at, stream, text: raw.slice(space + 1) };
}

/** Complete 8-byte framed chunks of a non-TTY log stream, as lines; the incomplete tail is returned. */
function takeFrames(buf: Buffer): { lines: LogLine[]; rest: Buffer } {
  const lines: LogLine[] = [];
  let i = 0;
  while (i + 8 <= buf.length) {
    const size = buf.readUInt32BE(i + 4);
    if (i + 8 + size > buf.length) break;
    const stream = buf[i] === 2 ? 'stderr' : 'stdout';
    for (const raw of buf
      .subarray(i + 8, i + 8 + size)
      .toString('utf8')
      .split('\n')) {
      if (raw) lines.push(toLine(raw, stream));
    }
    i += 8 + size;
  }
  return { lines, rest: buf.subarray(i) };
}

function parseLogFrames(buf: Buffer): LogLine[] {
  if (!Buffer.isBuffer(buf)) return [];
  return takeFrames(buf).lines;
}
