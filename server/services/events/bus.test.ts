import { Client } from 'pg';
import { describe, expect, it } from 'vitest';
import { waitFor } from '@/server/testing/harness';
import { EventBus, type LiveEvent } from './bus';

const url = process.env.TEST_DATABASE_URL;

/** Everything a bus delivers to one subscriber, from now on. */
function collect(bus: EventBus) {
  const seen: LiveEvent[] = [];
  const abort = new AbortController();
  void (async () => {
    try {
      for await (const e of bus.listen(abort.signal)) seen.push(e);
    } catch {
      /* aborted */
    }
  })();
  return { seen, stop: () => abort.abort() };
}

const event = (reason: string): LiveEvent => ({ type: 'service', serviceId: 's', reason });

describe('the event bus in one process', () => {
  it('delivers a publish to every subscriber, synchronously for the caller', async () => {
    const bus = new EventBus();
    const a = collect(bus);
    const b = collect(bus);
    await new Promise((r) => setImmediate(r));
    bus.publish(event('one'));
    await new Promise((r) => setImmediate(r));
    expect(a.seen).toEqual([event('one')]);
    expect(b.seen).toEqual([event('one')]);
    a.stop();
    b.stop();
  });
});

// Two buses stand for two processes (a web process and a worker) on one PostgreSQL database.
describe.runIf(Boolean(url))('the event bus across processes on PostgreSQL', () => {
  it("delivers one process's events to the other, once each, in order, and not back to the sender twice", async () => {
    const web = new EventBus();
    const worker = new EventBus();
    await Promise.all([web.shareThrough(url!), worker.shareThrough(url!)]);
    const atWeb = collect(web);
    const atWorker = collect(worker);
    try {
      await new Promise((r) => setImmediate(r));
      for (let i = 0; i < 5; i++) worker.publish(event(`w${i}`));
      web.publish(event('from-web'));
      const want = ['w0', 'w1', 'w2', 'w3', 'w4', 'from-web'];
      await waitFor('the web process to hear the worker', async () =>
        atWeb.seen.length >= want.length ? true : undefined,
      );
      await waitFor('the worker to hear the web process', async () =>
        atWorker.seen.length >= want.length ? true : undefined,
      );
      // Late duplicates, if any, would arrive within moments.
      await new Promise((r) => setTimeout(r, 300));
      const reasons = (seen: LiveEvent[]) => seen.map((e) => (e.type === 'service' ? e.reason : e.type));
      expect(reasons(atWeb.seen).sort()).toEqual([...want].sort());
      expect(reasons(atWorker.seen).sort()).toEqual([...want].sort());
      expect(reasons(atWeb.seen).filter((r) => r.startsWith('w'))).toEqual(want.slice(0, 5));
    } finally {
      atWeb.stop();
      atWorker.stop();
      await Promise.all([web.close(), worker.close()]);
    }
  });

  it('listens again after PostgreSQL ends its connection', async () => {
    const web = new EventBus();
    const worker = new EventBus();
    const logged: string[] = [];
    await Promise.all([web.shareThrough(url!, (m) => logged.push(m)), worker.shareThrough(url!)]);
    const atWeb = collect(web);
    const admin = new Client({ connectionString: url });
    await admin.connect();
    try {
      // An administrator (or a restart) ends the connections that listen on the channel.
      const { rows } = await admin.query<{ pid: number }>(
        `select pid from pg_stat_activity where application_name = 'capstan-events' and query ilike 'listen %'`,
      );
      expect(rows.length).toBeGreaterThanOrEqual(2);
      await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where pid = any($1)', [
        rows.map((r) => r.pid),
      ]);
      await waitFor('the bus to say it lost its connection', async () => logged.length > 0);
      await waitFor(
        'the web process to hear the worker again',
        async () => {
          worker.publish(event('after'));
          await new Promise((r) => setTimeout(r, 200));
          return atWeb.seen.some((e) => e.type === 'service' && e.reason === 'after');
        },
        20_000,
      );
      expect(logged.join('\n')).toMatch(/paused[\s\S]*shared with other processes again/);
    } finally {
      atWeb.stop();
      await admin.end();
      await Promise.all([web.close(), worker.close()]);
    }
  });
});
