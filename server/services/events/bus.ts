import crypto from 'node:crypto';
import { EventEmitter, on } from 'node:events';
import type { Client } from 'pg';

export type LiveEvent =
  | { type: 'service'; serviceId: string; reason: string }
  | { type: 'deployment'; serviceId: string; deploymentId: string; status: string }
  | { type: 'container'; serviceId: string; action: string; containerId: string }
  | { type: 'engine'; docker: 'up' | 'down' };

/** The PostgreSQL channel every Capstan process of an installation (one database) shares. */
export const EVENTS_CHANNEL = 'capstan_events';

const RECONNECT_MIN_MS = 500;
const RECONNECT_MAX_MS = 10_000;

type Wire = { origin: string; event: LiveEvent };

/**
 * Fan-out of state changes to live subscribers (SSE, the control loop's wake-ups). In one process by
 * default; after `shareThrough(url)`, also across processes on the same PostgreSQL database (a web process
 * with CAPSTAN_ENGINE=off and a worker): each publish is sent with NOTIFY and every process's LISTEN
 * connection re-emits what the others sent. A process hears its own events once, from its own emitter.
 */
export class EventBus {
  private readonly emitter = new EventEmitter();
  private readonly origin = crypto.randomUUID();
  private shared: {
    url: string;
    log: (msg: string) => void;
    /** The connection of the latest attempt, connecting or connected. */
    client: Client | null;
    ready: boolean;
    /** Publishes in order, one NOTIFY at a time, on the listening connection. */
    sending: Promise<void>;
    retryMs: number;
    timer: NodeJS.Timeout | null;
    closed: boolean;
    lastError: string | null;
  } | null = null;

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  publish(event: LiveEvent): void {
    this.emitter.emit('event', event);
    const s = this.shared;
    if (!s || s.closed) return;
    const payload = JSON.stringify({ origin: this.origin, event } satisfies Wire);
    s.sending = s.sending.then(async () => {
      const client = s.client;
      // Reconnecting: other processes miss this event, as they miss anything while they reconnect.
      if (!client || !s.ready) return;
      try {
        await client.query('select pg_notify($1, $2)', [EVENTS_CHANNEL, payload]);
      } catch (err) {
        this.lost(client, err);
      }
    });
  }

  async *listen(signal?: AbortSignal): AsyncGenerator<LiveEvent> {
    for await (const [event] of on(this.emitter, 'event', { signal })) {
      yield event as LiveEvent;
    }
  }

  /** Shares events with every other process on this PostgreSQL database. Resolves once listening. */
  async shareThrough(url: string, log: (msg: string) => void = (m) => console.error(`capstan: ${m}`)) {
    if (this.shared) return;
    this.shared = {
      url,
      log,
      client: null,
      ready: false,
      sending: Promise.resolve(),
      retryMs: RECONNECT_MIN_MS,
      timer: null,
      closed: false,
      lastError: null,
    };
    await this.connect();
  }

  /** Stops listening to other processes; local subscribers keep working. */
  async close(): Promise<void> {
    const s = this.shared;
    if (!s) return;
    s.closed = true;
    if (s.timer) clearTimeout(s.timer);
    await s.sending;
    const client = s.client;
    s.client = null;
    s.ready = false;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const s = this.shared;
    if (!s || s.closed) return;
    const { Client } = await import('pg');
    // A connection that hangs fails its queries after a while and is replaced, instead of holding publishes.
    const client = new Client({
      connectionString: s.url,
      application_name: 'capstan-events',
      keepAlive: true,
      query_timeout: 5000,
    });
    s.client = client;
    s.ready = false;
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, new Error('connection closed')));
    client.on('notification', (n) => {
      if (n.channel !== EVENTS_CHANNEL || !n.payload) return;
      let wire: Wire;
      try {
        wire = JSON.parse(n.payload) as Wire;
      } catch {
        return;
      }
      if (wire.origin !== this.origin) this.emitter.emit('event', wire.event);
    });
    try {
      await client.connect();
      await client.query(`listen ${EVENTS_CHANNEL}`);
    } catch (err) {
      this.lost(client, err);
      return;
    }
    if (s.closed || s.client !== client) {
      await client.end().catch(() => undefined);
      return;
    }
    s.ready = true;
    s.retryMs = RECONNECT_MIN_MS;
    if (s.lastError) s.log('live events are shared with other processes again');
    s.lastError = null;
  }

  /** A broken connection is dropped and a new one opened, after a growing pause. */
  private lost(client: Client, err: unknown) {
    const s = this.shared;
    if (!s || s.closed || s.client !== client) return;
    s.client = null;
    s.ready = false;
    client.removeAllListeners('notification');
    void client.end().catch(() => undefined);
    const msg = err instanceof Error ? err.message : String(err);
    if (msg !== s.lastError) s.log(`live events from other processes paused (${msg}); reconnecting`);
    s.lastError = msg;
    const delay = s.retryMs;
    s.retryMs = Math.min(s.retryMs * 2, RECONNECT_MAX_MS);
    s.timer = setTimeout(() => {
      s.timer = null;
      void this.connect();
    }, delay);
    s.timer.unref();
  }
}
