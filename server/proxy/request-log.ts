import dgram from 'node:dgram';
import { serviceIdOfBackend } from './config';

/** What one service's endpoint served since the last `take()`. */
export type TrafficWindow = {
  serviceId: string;
  requests: number;
  /** Answers with status 500–599, HAProxy's own 503 (no server) included. */
  errors5xx: number;
  /** How many requests took each whole number of milliseconds. */
  latencyMs: Map<number, number>;
};

/** One log line, or null for anything that is not ours (blank lines, other proxies). */
export function parseRequestLine(
  line: string,
): { serviceId: string; status: number; latencyMs: number | null } | null {
  const parts = line.trim().split(' ');
  if (parts.length !== 4) return null;
  const serviceId = serviceIdOfBackend(parts[0]!);
  const status = Number(parts[2]);
  const ta = Number(parts[3]);
  if (!serviceId || !Number.isInteger(status)) return null;
  return { serviceId, status, latencyMs: Number.isInteger(ta) && ta >= 0 ? ta : null };
}

/**
 * Receives HAProxy's request log (one UDP datagram per request on 127.0.0.1) and counts requests, 5xx
 * answers and latencies per service until they are taken. Every worker logs there, old ones finishing
 * their connections after a reload included. Requests logged while nothing listens are not counted.
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

  /** Counts since the previous call, per service that served anything. */
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
        w = { serviceId: r.serviceId, requests: 0, errors5xx: 0, latencyMs: new Map() };
        this.windows.set(r.serviceId, w);
      }
      w.requests++;
      if (r.status >= 500 && r.status <= 599) w.errors5xx++;
      if (r.latencyMs !== null) w.latencyMs.set(r.latencyMs, (w.latencyMs.get(r.latencyMs) ?? 0) + 1);
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
