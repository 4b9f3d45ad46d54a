import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployments } from '@/db/schema';
import { makeHarness, sampleSpec, waitFor, type Harness } from '@/server/testing/harness';
import { createService } from './create';
import { followLogs, logsAsText, tailLogs } from './logs';

let h: Harness;
beforeAll(async () => {
  h = await makeHarness();
  h.loop().start();
});
afterAll(async () => h?.close());

describe('container logs', () => {
  it('tails, searches and follows the logs of every replica, and renders them for download', async () => {
    const dev = await h.as('developer');
    const { service, deployment } = await createService(dev, {
      name: `logs-${Math.random().toString(36).slice(2, 7)}`,
      description: '',
      protected: false,
      deploy: true,
      replicas: 2,
      spec: sampleSpec({ env: [{ name: 'LOG_REQUESTS', value: '1', secret: false }] }),
    });
    await waitFor('deployed', async () => {
      const [d] = await h.db.select().from(deployments).where(eq(deployments.id, deployment!.id));
      return d?.status === 'succeeded';
    });

    const tail = await tailLogs(dev, { serviceId: service.id, lines: 50, search: '' });
    expect(tail.replicas).toHaveLength(2);
    const starts = tail.lines.filter((l) => l.text.includes('listening on :8080'));
    expect(new Set(starts.map((l) => l.replica))).toEqual(new Set(['r1-0', 'r1-1']));
    expect(tail.lines.every((l, i) => i === 0 || l.at >= tail.lines[i - 1]!.at)).toBe(true);

    const none = await tailLogs(dev, { serviceId: service.id, lines: 50, search: 'no-such-text-anywhere' });
    expect(none.lines).toEqual([]);

    const ac = new AbortController();
    const followed: string[] = [];
    const following = (async () => {
      for await (const line of await followLogs(dev, { serviceId: service.id }, ac.signal)) {
        followed.push(line.text);
        if (line.text.includes('/marker-path')) break;
      }
    })();
    const port = (await h.docker.listReplicas({ serviceId: service.id }))[0]!.hostPort;
    await waitFor('the marker line to be followed', async () => {
      await fetch(`http://127.0.0.1:${port}/marker-path`).catch(() => null);
      return followed.some((t) => t.includes('/marker-path'));
    });
    ac.abort();
    await following;

    const text = logsAsText(tail.lines);
    expect(text.split('\n')[0]).toMatch(/^\d{4}-\d\d-\d\dT.* r1-\d (stdout|stderr) /);
  });
});
