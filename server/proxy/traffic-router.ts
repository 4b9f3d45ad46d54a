import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import {
  backendName,
  containerIdOfServer,
  DEFAULT_WEIGHT,
  formatAddress,
  renderConfig,
  serverArgs,
  serverName,
  serviceIdOfBackend,
  serviceIdOfFrontend,
  shapeHashOf,
  validateBackends,
} from './config';
import { HaproxyProcess, pathsIn, writeAtomic, type HaproxyPaths } from './haproxy';
import { freeUdpPort, RequestLog, type TrafficWindow } from './request-log';
import { num, type RuntimeApi, type StatRow } from './runtime-api';
import {
  ProxyError,
  type Backend,
  type ProxyHealth,
  type ProxyStats,
  type ServerStats,
  type ServiceStats,
  type SyncResult,
} from './types';

export type TrafficRouterOptions = {
  /** Holds the config, sockets, pid file and log. One router (one Capstan) per directory. */
  dir: string;
  haproxyBin?: string;
  /** Where the service endpoints listen. */
  bindHost?: string;
  /** Notable events: started, adopted, reloaded. */
  log?: (msg: string) => void;
};

type Observed = {
  server: string;
  state: 'ready' | 'drain' | 'maint';
  weight: number;
  address: string;
  /** Requests in flight on the server plus requests queued for it. */
  sessions: number;
  row: StatRow;
};

function stateOf(status: string | undefined): Observed['state'] {
  if (status?.startsWith('MAINT')) return 'maint';
  if (status?.startsWith('DRAIN')) return 'drain';
  return 'ready';
}

// `show stat` row types.
const SERVER = '2';
const LISTENER = '3';

/** Servers per backend as the current worker reports them. */
function observe(rows: StatRow[]): Map<string, Map<string, Observed>> {
  const byBackend = new Map<string, Map<string, Observed>>();
  for (const row of rows) {
    const px = row.pxname ?? '';
    if (row.svname === 'BACKEND' && !byBackend.has(px)) byBackend.set(px, new Map());
    if (row.type !== SERVER) continue;
    const servers = byBackend.get(px) ?? new Map<string, Observed>();
    byBackend.set(px, servers);
    servers.set(row.svname ?? '', {
      server: row.svname ?? '',
      state: stateOf(row.status),
      weight: num(row.uweight),
      address: row.addr ?? '',
      sessions: num(row.scur) + num(row.qcur),
      row,
    });
  }
  return byBackend;
}

/** The addresses the current worker listens on (`option socket-stats` lists each bind). */
function listening(rows: StatRow[]): Set<string> {
  return new Set(rows.filter((r) => r.type === LISTENER).map((r) => r.addr ?? ''));
}

function bindError(host: string, port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(null)));
  });
}

/**
 * The traffic layer: one HAProxy serving a stable endpoint per service. Level-triggered: `sync` reads
 * what HAProxy serves now and changes only the difference, so it can run any number of times, from a
 * fresh process, after a crash at any line. Servers change through the runtime API; only a service
 * coming or going rewrites the config and reloads, seamlessly.
 */
export class TrafficRouter {
  private readonly paths: HaproxyPaths;
  private readonly proc: HaproxyProcess;
  private readonly api: RuntimeApi;
  private readonly bindHost: string;
  private masterPid: number | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  /** Full container ids by `<backend>/<server>`: HAProxy only knows the short ones. */
  private readonly fullIds = new Map<string, string>();
  private requestLog: RequestLog | null = null;
  /** Where HAProxy sends its request log; kept in the directory so a restart renders the same config. */
  private logPort: number | null = null;
  /**
   * The shape (everything but the server lines) of the last configuration HAProxy accepted from this
   * process. Server lines come from validated backends, so a config of the same shape needs no new check.
   */
  private validatedShape: string | null = null;
  private logFailed = false;

  constructor(private readonly opts: TrafficRouterOptions) {
    this.paths = pathsIn(opts.dir);
    this.bindHost = opts.bindHost ?? '127.0.0.1';
    if (net.isIP(this.bindHost) === 0)
      throw new ProxyError(`bind host ${this.bindHost} is not an IP address`, 'invalid');
    this.proc = new HaproxyProcess(this.paths, opts.haproxyBin ?? '/usr/sbin/haproxy');
    this.api = this.proc.api;
  }

  /** The HAProxy master's pid once started or adopted. */
  get pid(): number | null {
    return this.masterPid;
  }

  /** Starts HAProxy, or adopts the one a previous Capstan process left serving. Idempotent. */
  start(): Promise<void> {
    return this.serial(() => this.ensureRunning());
  }

  /** Makes HAProxy serve exactly these backends. */
  sync(backends: Backend[]): Promise<SyncResult> {
    return this.serial(async () => {
      validateBackends(backends);
      await this.ensureRunning();
      const result: SyncResult = { reloaded: false, actions: [], pendingRemoval: [], refused: [] };
      const render = (list: Backend[]) =>
        renderConfig(list, {
          adminSocket: this.paths.adminSocket,
          bindHost: this.bindHost,
          requestLogPort: this.logPort,
        });
      let config = render(backends);
      const info = await this.api.showInfo();
      if (shapeHashOf(info.description) !== config.shapeHash) {
        const rows = await this.api.showStat();
        result.refused = await this.portProblems(backends, listening(rows));
        if (result.refused.length > 0) {
          const refused = new Set(result.refused.map((r) => r.serviceId));
          backends = backends.filter((b) => !refused.has(b.serviceId));
          config = render(backends);
        }
      }
      if (shapeHashOf(info.description) !== config.shapeHash) {
        const rows = await this.api.showStat();
        const before = new Set([...observe(rows).keys()].map(serviceIdOfBackend).filter((s) => s !== null));
        const previous = this.readConfig();
        await this.writeConfig(config);
        try {
          await this.proc.reload(this.masterPid!, config.shapeHash);
        } catch (err) {
          // The file on disk stays what the worker serves, so nothing else ever reloads into the failure.
          if (previous !== null) writeAtomic(this.paths.config, previous);
          throw err;
        }
        result.reloaded = true;
        const added = backends.filter((b) => !before.has(b.serviceId)).map((b) => `+${b.serviceId}`);
        const kept = new Set(backends.map((b) => b.serviceId));
        const removed = [...before].filter((s) => !kept.has(s)).map((s) => `-${s}`);
        const what = [...added, ...removed].join(' ') || 'settings changed';
        result.actions.push(`reload (${what})`);
        this.opts.log?.(`proxy reloaded: ${what}`);
      } else {
        await this.writeConfig(config);
      }
      this.writeBackends(backends);
      await this.applyServers(backends, result);
      // Forget the ids of servers that are gone; keep those still on their way out.
      const leaving = new Set(result.pendingRemoval.map((p) => `${backendName(p.serviceId)}/${p.server}`));
      this.rememberIds(backends, (key) => leaving.has(key));
      return result;
    });
  }

  /** Stops new requests to one replica; the ones in flight finish. A replica HAProxy does not have is a no-op. */
  drain(serviceId: string, containerId: string): Promise<void> {
    return this.serial(async () => {
      const be = backendName(serviceId);
      // With HAProxy down nothing reaches the replica: only the files below need to know.
      const rows = this.proc.runningMaster() ? await this.api.showStat() : [];
      const current = observe(rows).get(be)?.get(serverName(containerId));
      if (current && current.state === 'ready')
        await this.api.change(`set server ${be}/${current.server} state drain`);
      // A later reload must not bring it back: the config on disk says drain too.
      const backends = this.lastSynced();
      const server = backends
        ?.find((b) => b.serviceId === serviceId)
        ?.servers.find((s) => serverName(s.id) === serverName(containerId));
      if (backends && server && server.state !== 'drain') {
        server.state = 'drain';
        this.logPort ??= await this.requestLogPort();
        await this.writeConfig(
          renderConfig(backends, {
            adminSocket: this.paths.adminSocket,
            bindHost: this.bindHost,
            requestLogPort: this.logPort,
          }),
        );
        this.writeBackends(backends);
      }
    });
  }

  /**
   * Requests in flight to (or queued for) one replica, across the current worker and the workers a
   * reload left finishing their connections: 0 means it can be stopped without cutting anyone off.
   */
  activeSessions(serviceId: string, containerId: string): Promise<number> {
    return this.serial(async () => {
      if (!this.proc.runningMaster()) return 0;
      const proc = await this.api.showProc();
      const be = backendName(serviceId);
      const name = serverName(containerId);
      let total =
        observe(await this.api.showStat())
          .get(be)
          ?.get(name)?.sessions ?? 0;
      for (const pid of proc.oldWorkers) {
        // An old worker may exit between `show proc` and this question: then it has nothing left.
        const rows = await this.api.showStat(pid).catch(() => []);
        total += observe(rows).get(be)?.get(name)?.sessions ?? 0;
      }
      return total;
    });
  }

  /** Per service and per replica counters of the current worker (they restart at 0 after a reload). */
  stats(): Promise<ProxyStats> {
    return this.serial(async () => {
      const pid = this.proc.runningMaster();
      if (!pid) return { up: false, workerPid: null, services: [] };
      let rows: StatRow[];
      try {
        rows = await this.api.showStat();
      } catch {
        return { up: false, workerPid: null, services: [] };
      }
      const services = new Map<string, ServiceStats>();
      const entry = (serviceId: string) => {
        let s = services.get(serviceId);
        if (!s) {
          s = { serviceId, requests: 0, errors5xx: 0, sessions: 0, servers: [] };
          services.set(serviceId, s);
        }
        return s;
      };
      for (const row of rows) {
        const px = row.pxname ?? '';
        if (row.svname === 'FRONTEND') {
          const serviceId = serviceIdOfFrontend(px);
          if (!serviceId) continue;
          const s = entry(serviceId);
          s.requests = num(row.req_tot);
          s.errors5xx = num(row.hrsp_5xx);
        } else if (row.svname === 'BACKEND') {
          const serviceId = serviceIdOfBackend(px);
          if (serviceId) entry(serviceId).sessions = num(row.scur) + num(row.qcur);
        }
      }
      for (const [be, servers] of observe(rows)) {
        const serviceId = serviceIdOfBackend(be);
        if (!serviceId) continue;
        const list: ServerStats[] = [...servers.values()].map((o) => ({
          id: this.containerIdOf(be, o.server),
          server: o.server,
          requests: num(o.row.req_tot) || num(o.row.stot),
          errors5xx: num(o.row.hrsp_5xx),
          sessions: o.sessions,
          state: o.state,
          weight: o.weight,
          address: o.address,
        }));
        entry(serviceId).servers = list.sort((a, b) => (a.server < b.server ? -1 : 1));
      }
      const workerPid = Number((await this.api.showInfo().catch(() => null))?.Pid) || null;
      return { up: true, workerPid, services: [...services.values()] };
    });
  }

  /** Whether HAProxy runs and its current worker answers, with what a health page wants to show. */
  health(): Promise<ProxyHealth> {
    return this.serial(async () => {
      const masterPid = this.proc.runningMaster();
      if (!masterPid) return { ok: false, error: 'HAProxy is not running' };
      try {
        const proc = await this.api.showProc();
        const info = await this.api.showInfo();
        return {
          ok: true,
          version: info.Version,
          masterPid,
          workerPid: Number(info.Pid),
          reloads: proc.reloads,
          failedReloads: proc.failedReloads,
          oldWorkers: proc.oldWorkers.length,
        };
      } catch (err) {
        return { ok: false, error: err instanceof Error ? err.message : String(err), masterPid };
      }
    });
  }

  /**
   * Requests, 5xx answers and latencies per service and replica since the previous call, from HAProxy's
   * request log. The first call starts following the log and returns nothing; only the process that samples
   * metrics calls it, so nothing accumulates elsewhere.
   */
  takeTraffic(): TrafficWindow[] {
    if (this.requestLog)
      return this.requestLog.take().map((w) => {
        const be = backendName(w.serviceId);
        const replicas = [...w.replicas].map(
          ([id, counts]) => [this.containerIdOf(be, serverName(id)), counts] as const,
        );
        return { ...w, replicas: new Map(replicas) };
      });
    if (this.logPort === null || this.logFailed) return [];
    const log = new RequestLog(this.logPort);
    this.requestLog = log;
    log.start().catch((err: Error) => {
      this.logFailed = true;
      if (this.requestLog === log) this.requestLog = null;
      this.opts.log?.(`proxy: request metrics off, port ${this.logPort} unavailable (${err.message})`);
    });
    return [];
  }

  /** Stops following the request log, leaving HAProxy running. */
  close(): void {
    this.requestLog?.stop();
    this.requestLog = null;
  }

  /** Stops HAProxy (closing its connections). For tests and uninstall; a Capstan restart must not call it. */
  stop(): Promise<void> {
    return this.serial(async () => {
      this.close();
      const pid = this.proc.runningMaster();
      if (pid) await this.proc.stop(pid);
      this.masterPid = null;
    });
  }

  private async ensureRunning(): Promise<void> {
    this.logPort ??= await this.requestLogPort();
    const pid = this.proc.runningMaster();
    if (pid) {
      if (pid !== this.masterPid) {
        // A master that is alive but mid-reload answers within moments; one that never answers is not ours to kill.
        await this.api.showInfo().catch(async () => {
          await new Promise((r) => setTimeout(r, 500));
          await this.api.showInfo();
        });
        this.masterPid = pid;
        this.rememberIds(this.lastSynced() ?? []);
        this.opts.log?.(`proxy: adopted the running HAProxy master (pid ${pid})`);
      }
      return;
    }
    // Nothing serves: start empty rather than on addresses that may belong to other containers by now.
    // The sync that follows adds the services (one reload) and their servers.
    const config = renderConfig([], {
      adminSocket: this.paths.adminSocket,
      bindHost: this.bindHost,
      requestLogPort: this.logPort,
    });
    fs.mkdirSync(this.paths.dir, { recursive: true, mode: 0o700 });
    await this.writeConfig(config);
    this.masterPid = await this.proc.launch();
    this.opts.log?.(`proxy: started HAProxy (master pid ${this.masterPid})`);
  }

  private async requestLogPort(): Promise<number> {
    const file = path.join(this.paths.dir, 'request-log-port');
    const saved = Number(fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : NaN);
    if (Number.isInteger(saved) && saved > 0 && saved < 65536) return saved;
    const port = await freeUdpPort();
    fs.mkdirSync(this.paths.dir, { recursive: true, mode: 0o700 });
    writeAtomic(file, `${port}\n`);
    return port;
  }

  /** Runtime API only: add, re-address, re-weight, drain, take out and delete servers. */
  private async applyServers(backends: Backend[], result: SyncResult): Promise<void> {
    const observed = observe(await this.api.showStat());
    const run = async (command: string, ok?: RegExp) => {
      await this.api.change(command, ok);
      result.actions.push(command);
    };
    for (const b of backends) {
      const be = backendName(b.serviceId);
      const have = observed.get(be);
      if (!have) throw new ProxyError(`HAProxy serves no backend for service ${b.serviceId}`, 'unavailable');
      const wanted = new Set(b.servers.map((s) => serverName(s.id)));
      const drains: string[] = [];
      // Servers join and get ready before others drain or leave, so the backend never runs empty.
      for (const s of b.servers) {
        const target = `${be}/${serverName(s.id)}`;
        const weight = s.weight ?? DEFAULT_WEIGHT;
        const current = have.get(serverName(s.id));
        if (!current) {
          // A new server starts in maintenance: it gets traffic only once its state is set.
          await run(`add server ${target} ${serverArgs(s)}`, /^New server registered\./);
        } else {
          if (!sameAddress(current.address, s.host, s.port))
            await run(`set server ${target} addr ${s.host} port ${s.port}`, /changed|no need to change/);
          if (current.weight !== weight) await run(`set server ${target} weight ${weight}`);
        }
        if ((current?.state ?? 'maint') === s.state) continue;
        if (s.state === 'ready') await run(`set server ${target} state ready`);
        else drains.push(target);
      }
      for (const target of drains) await run(`set server ${target} state drain`);
      for (const [name, current] of have) {
        if (wanted.has(name)) continue;
        const target = `${be}/${name}`;
        if (current.state !== 'maint') await run(`set server ${target} state maint`);
        try {
          await run(`del server ${target}`, /^Server deleted\./);
        } catch (err) {
          // Still has connections: out of rotation already, deleted by a later sync once they finish.
          if (!(err instanceof ProxyError) || err.kind !== 'rejected') throw err;
          result.pendingRemoval.push({ serviceId: b.serviceId, server: name, sessions: current.sessions });
        }
      }
    }
  }

  /**
   * A new listener that cannot bind fails the whole reload, and while the new process retries the bind
   * HAProxy pauses the old worker's listeners: every service refuses connections for about two seconds.
   * So a port another process holds is found here, before anything changes, and its service left out.
   */
  private async portProblems(
    backends: Backend[],
    bound: Set<string>,
  ): Promise<{ serviceId: string; error: string }[]> {
    const refused: { serviceId: string; error: string }[] = [];
    for (const b of backends) {
      const address = formatAddress(this.bindHost, b.listenPort);
      if (bound.has(address)) continue;
      const error = await bindError(this.bindHost, b.listenPort);
      if (error)
        refused.push({
          serviceId: b.serviceId,
          error: `its endpoint ${address} cannot be served: ${error === 'EADDRINUSE' ? 'another process listens on that port' : error}`,
        });
    }
    return refused;
  }

  private readConfig(): string | null {
    try {
      return fs.readFileSync(this.paths.config, 'utf8');
    } catch {
      return null;
    }
  }

  /**
   * Validates, then replaces the config file if its bytes change. Never reloads by itself. A config whose
   * shape HAProxy already accepted differs only in server lines and is written without a new check: the
   * check starts a process (~50 ms), and a rollout writes the file twice per replica it replaces.
   */
  private async writeConfig({ text, shapeHash }: { text: string; shapeHash: string }): Promise<void> {
    if (this.readConfig() === text) return;
    if (shapeHash === this.validatedShape) {
      writeAtomic(this.paths.config, text);
      return;
    }
    const next = `${this.paths.config}.next`;
    fs.writeFileSync(next, text, { mode: 0o600 });
    try {
      await this.proc.validate(next);
      fs.renameSync(next, this.paths.config);
      this.validatedShape = shapeHash;
    } finally {
      fs.rmSync(next, { force: true });
    }
  }

  private writeBackends(backends: Backend[]): void {
    const text = `${JSON.stringify(backends, null, 2)}\n`;
    let current: string | null = null;
    try {
      current = fs.readFileSync(this.paths.backends, 'utf8');
    } catch {
      /* first sync */
    }
    if (current !== text) writeAtomic(this.paths.backends, text);
  }

  private lastSynced(): Backend[] | null {
    try {
      return JSON.parse(fs.readFileSync(this.paths.backends, 'utf8')) as Backend[];
    } catch {
      return null;
    }
  }

  /** The full id of the container a server is named after, or the short id in its name. */
  private containerIdOf(backend: string, server: string): string {
    return this.fullIds.get(`${backend}/${server}`) ?? containerIdOfServer(server) ?? server;
  }

  private rememberIds(backends: Backend[], keep: (key: string) => boolean = () => true): void {
    for (const key of this.fullIds.keys()) if (!keep(key)) this.fullIds.delete(key);
    for (const b of backends)
      for (const s of b.servers) this.fullIds.set(`${backendName(b.serviceId)}/${serverName(s.id)}`, s.id);
  }

  /** Runs one operation at a time: two syncs interleaving their reads and writes would undo each other. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

/** `show stat` writes `addr` as `host:port`, IPv6 hosts in brackets. */
function sameAddress(observed: string, host: string, port: number): boolean {
  return observed === formatAddress(host, port) || observed === `${host}:${port}`;
}
