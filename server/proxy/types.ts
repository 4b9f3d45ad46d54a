/** A replica as the traffic router sees it: where to send requests, and whether new ones may go there. */
export type BackendServer = {
  /** Docker container id (full or at least the 12-character short id). */
  id: string;
  /** An IP address (the router does no DNS). */
  host: string;
  port: number;
  /** 0..256, default 100. Relative share of new requests among the ready servers. */
  weight?: number;
  /** `ready` takes new requests; `drain` finishes what it has and gets nothing new. */
  state: 'ready' | 'drain';
};

/** One service's stable endpoint: `bindHost:listenPort`, forwarded to its servers. */
export type Backend = {
  serviceId: string;
  /** Human name, shown in HAProxy's stats page and logs. */
  name: string;
  listenPort: number;
  servers: BackendServer[];
  /** What a request gets, as a 503 body, while no server is ready (e.g. the service is scaled to zero). */
  emptyReply?: string;
};

export type SyncResult = {
  /** The configuration changed shape (a service came or went) and HAProxy reloaded seamlessly. */
  reloaded: boolean;
  /** What was changed, one line per runtime command, for the audit trail. */
  actions: string[];
  /** Servers taken out of rotation that still had sessions: removed by a later sync. */
  pendingRemoval: { serviceId: string; server: string; sessions: number }[];
  /**
   * Services left out because their endpoint cannot be served (a port another process holds): every other
   * service is served as asked, so one service's problem never holds up the rest.
   */
  refused: { serviceId: string; error: string }[];
};

export type ServerStats = {
  /** Full container id when this router was told it, else the 12-character short id. */
  id: string;
  /** HAProxy's name for it, `r_<short id>`. */
  server: string;
  requests: number;
  errors5xx: number;
  /** Requests in flight on it right now (plus any queued for it). */
  sessions: number;
  /** `ready`, `drain` or `maint` (taken out, about to be removed). */
  state: string;
  weight: number;
  address: string;
};

export type ServiceStats = {
  serviceId: string;
  /** Requests that reached the endpoint, and the 5xx answers clients got (HAProxy's own 503s included). */
  requests: number;
  errors5xx: number;
  sessions: number;
  servers: ServerStats[];
};

/** Counters belong to the current HAProxy worker: they restart from zero after a reload. */
export type ProxyStats = { up: boolean; workerPid: number | null; services: ServiceStats[] };

export type ProxyHealth = {
  ok: boolean;
  error?: string;
  version?: string;
  masterPid?: number;
  workerPid?: number;
  reloads?: number;
  failedReloads?: number;
  /** Workers from before the last reload that are still finishing their connections. */
  oldWorkers?: number;
};

export type ProxyErrorKind =
  | 'invalid' // bad input: nothing was changed
  | 'unavailable' // HAProxy is not running or does not answer
  | 'rejected' // HAProxy refused a runtime command
  | 'reload-failed'; // the new configuration did not start; the previous one keeps serving

/** The one error type of server/proxy. Its message is safe to show (no secrets, no config dumps). */
export class ProxyError extends Error {
  constructor(
    message: string,
    readonly kind: ProxyErrorKind,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ProxyError';
  }
}
