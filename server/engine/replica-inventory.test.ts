import { describe, expect, it } from 'vitest';
import type { EngineEvent, Replica } from '@/server/docker/engine';
import { ReplicaInventory } from './replica-inventory';

const replica = (id: string, state = 'running'): Replica => ({
  id,
  name: `capstan-web-r1-0-${id}`,
  serviceId: 'svc',
  serviceName: 'web',
  revision: 1,
  replica: 0,
  generation: 0,
  deploymentId: null,
  image: 'capstan-sample:v1',
  state,
  status: state,
  hostPort: null,
  createdAt: new Date(0),
});

/** Docker as the inventory sees it: containers to list, and an event stream the test opens and closes. */
class FakeDocker {
  readonly containers = new Map<string, Replica>();
  readonly listings: (string[] | 'all')[] = [];
  private emit: ((e: EngineEvent) => void) | null = null;
  private end: ((err?: Error) => void) | null = null;
  private opened: (() => void) | null = null;
  private readonly waiting: (() => void)[] = [];

  async listReplicas(filter: { ids?: string[] } = {}): Promise<Replica[]> {
    this.listings.push(filter.ids ?? 'all');
    const all = [...this.containers.values()];
    return filter.ids ? all.filter((r) => filter.ids!.includes(r.id)) : all;
  }

  watchEvents(onEvent: (e: EngineEvent) => void, signal: AbortSignal, onOpen?: () => void) {
    return new Promise<void>((resolve, reject) => {
      this.emit = onEvent;
      this.opened = onOpen ?? null;
      this.end = (err) => {
        this.emit = null;
        if (err) reject(err);
        else resolve();
      };
      signal.addEventListener('abort', () => this.end?.(), { once: true });
      for (const w of this.waiting.splice(0)) w();
    });
  }

  /** Waits for the inventory to ask for the stream, then answers it. */
  async open(): Promise<void> {
    if (!this.emit) await new Promise<void>((r) => this.waiting.push(r));
    this.opened?.();
  }

  event(action: string, containerId: string): void {
    this.emit?.({ action, containerId, serviceId: 'svc', exitCode: null, time: 0, expected: false });
  }

  fail(): void {
    this.end?.(new Error('connection reset'));
  }
}

async function setUp(resyncEvery = 12) {
  const docker = new FakeDocker();
  const abort = new AbortController();
  const inventory = new ReplicaInventory(docker, { resyncEvery, signal: abort.signal });
  docker.containers.set('a', replica('a'));
  const first = await inventory.read();
  await docker.open();
  // The stream opened after the first listing: what happened in between is listed once more.
  const second = await inventory.read();
  expect([first.listing, second.listing]).toEqual(['full', 'full']);
  docker.listings.length = 0;
  return { docker, inventory, stop: () => abort.abort() };
}

const ids = (read: { replicas: Replica[] }) => read.replicas.map((r) => r.id).sort();

describe('the replica inventory', () => {
  it('lists nothing while no event comes, and only the containers events name', async () => {
    const { docker, inventory, stop } = await setUp();
    expect(await inventory.read()).toMatchObject({ listing: 'none', changed: new Set() });
    expect(docker.listings).toEqual([]);

    docker.containers.set('b', replica('b', 'created'));
    docker.event('create', 'b');
    docker.containers.set('b', replica('b'));
    docker.event('start', 'b');
    docker.containers.set('a', replica('a', 'exited'));
    docker.event('die', 'a');
    const read = await inventory.read();
    expect(read.listing).toBe('changed');
    expect(read.changed).toEqual(new Set(['a', 'b']));
    expect(docker.listings).toEqual([['b', 'a']]);
    expect(read.replicas.map((r) => [r.id, r.state]).sort()).toEqual([
      ['a', 'exited'],
      ['b', 'running'],
    ]);

    docker.containers.delete('a');
    docker.event('destroy', 'a');
    expect(ids(await inventory.read())).toEqual(['b']);
    stop();
  });

  it('ignores the events of commands run in a container', async () => {
    const { docker, inventory, stop } = await setUp();
    for (const action of [
      'exec_create: /bin/check',
      'exec_start: /bin/check',
      'exec_die',
      'attach',
      'resize',
    ])
      docker.event(action, 'a');
    expect((await inventory.read()).listing).toBe('none');
    docker.event('health_status: unhealthy', 'a');
    expect((await inventory.read()).listing).toBe('changed');
    stop();
  });

  it('heals a missed event with the periodic full listing', async () => {
    const { docker, inventory, stop } = await setUp(3);
    docker.containers.set('missed', replica('missed'));
    docker.containers.delete('a');
    const seen = [];
    for (let i = 0; i < 3; i++) {
      const read = await inventory.read();
      seen.push([read.listing, ids(read)]);
    }
    expect(seen).toEqual([
      ['none', ['a']],
      ['none', ['a']],
      ['full', ['missed']],
    ]);
    stop();
  });

  it('lists in full while the stream is closed, and once more when it is back', async () => {
    const { docker, inventory, stop } = await setUp();
    docker.fail();
    await new Promise((r) => setImmediate(r));
    docker.containers.set('b', replica('b'));
    expect(await inventory.read()).toMatchObject({ listing: 'full' });
    expect(ids(await inventory.read())).toEqual(['a', 'b']);
    // Reconnected (after the backoff): whatever happened before it opened is listed once more.
    await docker.open();
    expect((await inventory.read()).listing).toBe('full');
    expect((await inventory.read()).listing).toBe('none');
    stop();
  });

  it('names the changed containers again after a failed listing', async () => {
    const { docker, inventory, stop } = await setUp();
    docker.event('start', 'a');
    const list = docker.listReplicas.bind(docker);
    docker.listReplicas = () => Promise.reject(new Error('Docker did not list containers'));
    await expect(inventory.read()).rejects.toThrow('did not list');
    docker.listReplicas = list;
    expect(await inventory.read()).toMatchObject({ listing: 'full', changed: new Set(['a']) });
    stop();
  });
});
