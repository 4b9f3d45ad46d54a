import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type DbHandle } from '@/db/client';
import { migrate } from '@/db/migrate';
import { replicaHealth } from '@/db/schema';
import { probeStates, ProbeStore, readProbeStates } from './probe-store';

let handle: DbHandle;
beforeAll(async () => {
  handle = await openDb({ kind: 'pglite', dir: null });
  await migrate(handle);
});
afterAll(async () => handle?.close());

const serviceId = crypto.randomUUID();
const target = (id: string) => ({ id, serviceId });
const thresholds = { healthy: 2, unhealthy: 1 };

describe('probe verdicts shared through the database', () => {
  it('writes each change through, refreshes an unchanged verdict only now and then, and deletes the gone', async () => {
    await handle.db.delete(replicaHealth);
    const store = new ProbeStore({ db: handle.db, flushMs: 10_000, refreshMs: 60_000 });
    store.record(target('a'), true, { latencyMs: 3 }, thresholds);
    store.record(target('b'), false, { error: 'ECONNREFUSED' }, thresholds);
    // Nothing is written on the probe tick itself.
    expect(await readProbeStates(handle.db, ['a', 'b'])).toEqual(new Map());
    await store.flush();
    let shared = await readProbeStates(handle.db, ['a', 'b']);
    expect(shared.get('a')).toMatchObject({ healthy: false, lastResult: 'ok', streak: 1, latencyMs: 3 });
    expect(shared.get('b')).toMatchObject({ healthy: false, lastResult: 'fail', lastError: 'ECONNREFUSED' });

    // a turns healthy on its second success: a change, written at the next flush.
    store.record(target('a'), true, { latencyMs: 4 }, thresholds);
    // b fails the same way again: no change, and the refresh is not due.
    const before = shared.get('b')!.lastCheckedAt;
    store.record(target('b'), false, { error: 'ECONNREFUSED' }, thresholds);
    await store.flush();
    shared = await readProbeStates(handle.db, ['a', 'b']);
    expect(shared.get('a')).toMatchObject({ healthy: true, streak: 2 });
    expect(shared.get('a')!.healthySince).toBe(store.get('a')!.healthySince);
    expect(shared.get('b')!.lastCheckedAt).toBe(before);

    store.forget(new Set(['a']));
    await store.flush();
    shared = await readProbeStates(handle.db, ['a', 'b']);
    expect([...shared.keys()]).toEqual(['a']);
  });

  it('refreshes an unchanged verdict once the refresh interval is up', async () => {
    await handle.db.delete(replicaHealth);
    const store = new ProbeStore({ db: handle.db, flushMs: 10_000, refreshMs: 0 });
    store.record(target('c'), true, { latencyMs: 1 }, { healthy: 1, unhealthy: 1 });
    await store.flush();
    const first = (await readProbeStates(handle.db, ['c'])).get('c')!;
    await new Promise((r) => setTimeout(r, 20));
    store.record(target('c'), true, { latencyMs: 9 }, { healthy: 1, unhealthy: 1 });
    await store.flush();
    const second = (await readProbeStates(handle.db, ['c'])).get('c')!;
    expect(second.lastCheckedAt).toBeGreaterThan(first.lastCheckedAt!);
    expect(second).toMatchObject({ latencyMs: 9, streak: 2 });
  });

  it('sweeps rows another process left behind when it first learns which containers run', async () => {
    await handle.db.delete(replicaHealth);
    const before = new ProbeStore({ db: handle.db });
    before.record(target('old'), true, {}, { healthy: 1, unhealthy: 1 });
    before.record(target('kept'), true, {}, { healthy: 1, unhealthy: 1 });
    await before.flush();
    // A new process: it never saw 'old', which is gone now.
    const after = new ProbeStore({ db: handle.db });
    after.forget(new Set(['kept']));
    await after.flush();
    expect([...(await readProbeStates(handle.db, ['old', 'kept'])).keys()]).toEqual(['kept']);
  });

  it('logs a failed write and goes on; the probe tick never sees it', async () => {
    const broken = await openDb({ kind: 'pglite', dir: null }); // no migrations: no table
    const logged: string[] = [];
    const store = new ProbeStore({ db: broken.db, log: (m) => logged.push(m) });
    expect(() => store.record(target('d'), true, {}, thresholds)).not.toThrow();
    await store.flush();
    store.record(target('e'), true, {}, thresholds);
    await store.flush();
    expect(logged, logged.join('\n')).toHaveLength(1);
    expect(logged[0]).toMatch(/probe verdicts were not written to the database: .*replica_health/);
    expect(store.get('d')?.lastResult).toBe('ok');
    await broken.close();
  });

  it("reads this process's own verdicts first and the shared table's for the rest", async () => {
    await handle.db.delete(replicaHealth);
    const worker = new ProbeStore({ db: handle.db });
    worker.record(target('w'), true, {}, { healthy: 1, unhealthy: 1 });
    await worker.flush();
    const web = new ProbeStore({ db: handle.db });
    const seen = await probeStates({ db: handle.db, probes: web }, ['w', 'nothing']);
    expect(seen.get('w')?.healthy).toBe(true);
    expect(seen.get('nothing')).toBeUndefined();
    const local = new ProbeStore();
    local.record(target('w'), false, { error: 'HTTP 503' }, { healthy: 1, unhealthy: 1 });
    expect((await probeStates({ db: handle.db, probes: local }, ['w'])).get('w')?.healthy).toBe(false);
  });
});
