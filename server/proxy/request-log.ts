import dgram from 'node:dgram';
import { containerIdOfServer, serviceIdOfBackend } from './config';

/** Requests, 5xx answers and latencies counted over a window. */
export type RequestCounts = {
  requests: number;
  /** Answers with status 500–599, HAProxy's own 503 (no server) included. */
  errors5xx: number;
  /** How many requests took each whole number of milliseconds. */
  latencyMs: Map<number, number>;
};

/** What one service's endpoint served since the last `take()`. */
export type TrafficWindow = RequestCounts & {
  serviceId: string;
  /**
   * The same per replica that answered, by container id: the short id HAProxy's server is named after
   * (the traffic router gives the full one where it knows it). What no server answered counts only above.
   */
  replicas: Map<string, RequestCounts>;
};

/** One log line, or null for anything that is not ours (blank lines, other proxies). */
export function parseRequestLine(line: string): {
  serviceId: string;
  containerId: string | null;
  status: number;
  latencyMs: number | null;
} | null {
  const parts = line.trim().split(' ');
  if (parts.length !== 4) return null;
  const serviceId = serviceIdOfBackend(parts[0]!);
  const status = Number(parts[2]);
  const ta = Number(parts[3]);
  if (!serviceId || !Number.isInteger(status)) return null;
  return {
    serviceId,
    containerId: containerIdOfServer(parts[1]!),
    status,
    latencyMs: Number.isInteger(ta) && ta >= 0 ? ta : null,
  };
}

const noCounts = (): RequestCounts => ({ requests: 0, errors5xx: 0, latencyMs: new Map() });

function count(c: RequestCounts, status: number, latencyMs: number | null) {
  c.requests++;
  if (status >= 500 && status <= 599) c.errors5xx++;
  if (latencyMs !== null) c.latencyMs.set(latencyMs, (c.latencyMs.get(latencyMs) ?? 0) + 1);
}

/**
 * Receives HAProxy's request log (one UDP datagram per request on 127.0.0.1) and counts requests, 5xx
 * answers and latencies per service and replica until they are taken. Every worker logs there, old ones
 * finishing their connections after a reload included. Requests logged while nothing listens are not
 * counted.
 */
export class RequestLog {
  private socket: dgram.Socket | null = null;
  private windows = new Map<string, TrafficWindow>();

  constructor(private readonly port: number) {}

  /** Starts listening; rejects when the port is taken (e.g. by another Capstan process on this proxy). */
  async start(): Promise<void> {
    if (this.socket) return;
    const socket = dgram.createSocket('udp4');
    socket.on('message', (msg) => this.ingest(msg.toString('utf8')));
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(this.port, '127.0.0.1', () => {
        socket.off('error', reject);
        resolve();
      });
    });
    socket.on('error', () => undefined);
    socket.unref();
    this.socket = socket;
  }

  stop(): void {
    this.socket?.close();
    this.socket = null;
  }

  /** Counts since the previous call, per service that served anything and its replicas. */
  take(): TrafficWindow[] {
    const out = [...this.windows.values()];
    this.windows = new Map();
    return out;
  }

  /** Counts log lines as if received (one or more, newline-terminated). */
  ingest(text: string): void {
    for (const line of text.split('\n')) {
      const r = parseRequestLine(line);
      if (!r) continue;
      let w = this.windows.get(r.serviceId);
      if (!w) {
        w = { serviceId: r.serviceId, ...noCounts(), replicas: new Map() };
        this.windows.set(r.serviceId, w);
      }
      count(w, r.status, r.latencyMs);
      if (r.containerId === null) continue;
      let replica = w.replicas.get(r.containerId);
      if (!replica) {
        replica = noCounts();
        w.replicas.set(r.containerId, replica);
      }
      count(replica, r.status, r.latencyMs);
    }
  }
}

/** A UDP port on 127.0.0.1 that nothing uses right now. */
export async function freeUdpPort(): Promise<number> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => resolve());
  });
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}
