import crypto from 'node:crypto';
import net from 'node:net';
import { ProxyError, type Backend, type BackendServer } from './types';

export const DEFAULT_WEIGHT = 100;

/**
 * One line per request: backend, server (`<NOSRV>` when none was chosen), status (-1 when the client went
 * away first), and total active time in ms (request received → response sent, idle time excluded).
 */
export const REQUEST_LOG_FORMAT = '%b %s %ST %Ta';

// HAProxy proxy and server names allow letters, digits and `_.:-`; nothing else reaches a CLI command line.
const SERVICE_ID = /^[A-Za-z0-9_.:-]{1,64}$/;
const CONTAINER_ID = /^[0-9a-f]{12,64}$/;
const SHAPE_PREFIX = 'capstan:';

export const frontendName = (serviceId: string) => `fe_${serviceId}`;
export const backendName = (serviceId: string) => `be_${serviceId}`;
export const shortId = (containerId: string) => containerId.slice(0, 12);
export const serverName = (containerId: string) => `r_${shortId(containerId)}`;

/** The short container id a server is named after; null for anything else (e.g. `<NOSRV>`). */
export function containerIdOfServer(server: string): string | null {
  return server.startsWith('r_') && server.length > 2 ? server.slice(2) : null;
}

export function serviceIdOfBackend(proxyName: string): string | null {
  return proxyName.startsWith('be_') ? proxyName.slice(3) : null;
}

export function serviceIdOfFrontend(proxyName: string): string | null {
  return proxyName.startsWith('fe_') ? proxyName.slice(3) : null;
}

/** `host:port` as HAProxy writes and parses it (IPv6 in brackets). */
export function formatAddress(host: string, port: number): string {
  return net.isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The shape hash a running worker was started with, read back from `show info`'s description. */
export function shapeHashOf(description: string | undefined): string | null {
  return description?.startsWith(SHAPE_PREFIX) ? description.slice(SHAPE_PREFIX.length) : null;
}

/** Rejects anything HAProxy would choke on, before anything is changed. */
export function validateBackends(backends: Backend[]): void {
  const fail = (msg: string): never => {
    throw new ProxyError(msg, 'invalid');
  };
  const ids = new Set<string>();
  const ports = new Map<number, string>();
  for (const b of backends) {
    if (!SERVICE_ID.test(b.serviceId)) fail(`service id ${JSON.stringify(b.serviceId)} is not a valid name`);
    if (ids.has(b.serviceId)) fail(`service ${b.serviceId} is listed twice`);
    ids.add(b.serviceId);
    if (!Number.isInteger(b.listenPort) || b.listenPort < 1 || b.listenPort > 65535)
      fail(`service ${b.serviceId}: listen port ${b.listenPort} is out of range`);
    const other = ports.get(b.listenPort);
    if (other) fail(`services ${other} and ${b.serviceId} both want port ${b.listenPort}`);
    ports.set(b.listenPort, b.serviceId);
    const names = new Set<string>();
    for (const s of b.servers) {
      const where = `service ${b.serviceId}, server ${JSON.stringify(s.id)}`;
      if (!CONTAINER_ID.test(s.id)) fail(`${where}: not a container id`);
      if (names.has(serverName(s.id))) fail(`${where}: listed twice`);
      names.add(serverName(s.id));
      if (net.isIP(s.host) === 0) fail(`${where}: host ${JSON.stringify(s.host)} is not an IP address`);
      if (!Number.isInteger(s.port) || s.port < 1 || s.port > 65535) fail(`${where}: port out of range`);
      const w = s.weight ?? DEFAULT_WEIGHT;
      if (!Number.isInteger(w) || w < 0 || w > 256) fail(`${where}: weight ${w} is not in 0..256`);
      if (s.state !== 'ready' && s.state !== 'drain') fail(`${where}: unknown state ${String(s.state)}`);
    }
  }
}

/** The arguments of a `server` line and of `add server`, which must agree. */
export function serverArgs(s: BackendServer): string {
  return `${formatAddress(s.host, s.port)} weight ${s.weight ?? DEFAULT_WEIGHT}`;
}

// A description is free text from a user; keep it inside single quotes (no escapes, no $VAR expansion).
function quoteText(text: string): string {
  return `'${text.replace(/[^A-Za-z0-9 _.,:/()+-]/g, '_').slice(0, 100)}'`;
}

// Inside double quotes HAProxy expands escapes and variables: keep to plain punctuation.
function replyText(text: string): string {
  return text.replace(/[^A-Za-z0-9 _.,:/()+-]/g, '_').slice(0, 300);
}

/**
 * How requests are balanced, retried and timed out (`defaults` lines). A request that meets a server gone
 * between two probes is retried on another one. Also the settings of the benchmark's Swarm front.
 */
export const BALANCING_DEFAULTS = [
  'option redispatch 1',
  'balance roundrobin',
  'retries 3',
  'retry-on conn-failure empty-response',
  'timeout connect 3s',
  'timeout client 30s',
  'timeout server 30s',
  'timeout http-request 10s',
  'timeout http-keep-alive 10s',
  'timeout queue 10s',
] as const;

/** Replaying a request that a server may have half-processed is only safe when it changes nothing. */
export const RETRY_ONLY_SAFE_METHODS =
  'http-request disable-l7-retry unless METH_GET || METH_HEAD || METH_OPTIONS';

export type ConfigPaths = {
  adminSocket: string;
  /** The UDP port on 127.0.0.1 that request log lines go to; none are sent without one. */
  requestLogPort?: number | null;
};

/**
 * The whole HAProxy configuration for these backends. Deterministic: the same input gives the same
 * bytes. Its shape (everything but the server lines) is hashed into `global.description`, so a running
 * worker tells which shape it serves and a server-only change never needs a reload.
 */
export function renderConfig(
  backends: Backend[],
  opts: ConfigPaths & { bindHost: string },
): { text: string; shapeHash: string } {
  const lines: { text: string; server?: true }[] = [];
  const add = (text: string) => lines.push({ text });
  add('global');
  add(`  stats socket '${opts.adminSocket}' mode 600 level admin expose-fd listeners`);
  add('  stats timeout 30s');
  // Old workers finish in-flight requests after a reload, but not forever.
  add('  hard-stop-after 30s');
  add('  log stderr format iso local0 info');
  add('');
  add('defaults');
  add('  mode http');
  if (opts.requestLogPort) {
    // Every request, one datagram each, to Capstan's request log (request-log.ts). Workers left finishing
    // their connections after a reload log there too.
    add(`  log 127.0.0.1:${opts.requestLogPort} len 1024 format raw local0 info`);
    add(`  log-format "${REQUEST_LOG_FORMAT}"`);
  }
  add('  option dontlognull');
  add('  option forwardfor');
  // During a reload the old worker answers one more request on each idle keep-alive connection, with
  // `Connection: close`, instead of closing it under a client that may be sending on it right then.
  add('  option idle-close-on-response');
  // No HAProxy health checks: Capstan's prober decides and sets each server's state.
  for (const line of BALANCING_DEFAULTS) add(`  ${line}`);
  const sorted = [...backends].sort((a, b) => (a.serviceId < b.serviceId ? -1 : 1));
  for (const b of sorted) {
    add('');
    add(`frontend ${frontendName(b.serviceId)}`);
    add(`  description ${quoteText(b.name)}`);
    add(`  bind ${formatAddress(opts.bindHost, b.listenPort)}`);
    // Lists each listener in `show stat`, so a sync knows which ports are already HAProxy's.
    add('  option socket-stats');
    add(`  default_backend ${backendName(b.serviceId)}`);
    add('');
    add(`backend ${backendName(b.serviceId)}`);
    add(`  description ${quoteText(b.name)}`);
    add(`  ${RETRY_ONLY_SAFE_METHODS}`);
    // With no server ready, HAProxy's own 503 page says nothing; a person reads why instead.
    if (b.emptyReply)
      add(
        `  http-request return status 503 content-type "text/plain; charset=utf-8" string "${replyText(b.emptyReply)}" if { nbsrv eq 0 }`,
      );
    const servers = [...b.servers].sort((x, y) => (serverName(x.id) < serverName(y.id) ? -1 : 1));
    for (const s of servers) {
      // A draining server starts out of rotation; the runtime pass after the reload sets it to drain.
      const disabled = s.state === 'drain' ? ' disabled' : '';
      lines.push({ text: `  server ${serverName(s.id)} ${serverArgs(s)}${disabled}`, server: true });
    }
  }
  const shape = lines
    .filter((l) => !l.server)
    .map((l) => l.text)
    .join('\n');
  const shapeHash = crypto.createHash('sha256').update(shape).digest('hex').slice(0, 16);
  const text = [
    '# Written by Capstan (server/proxy); rewritten on every change.',
    lines[0]!.text,
    `  description ${SHAPE_PREFIX}${shapeHash}`,
    ...lines.slice(1).map((l) => l.text),
    '',
  ].join('\n');
  return { text, shapeHash };
}
