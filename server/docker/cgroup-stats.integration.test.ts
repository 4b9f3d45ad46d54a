import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeHarness, waitFor, type Harness } from '@/server/testing/harness';
import { CgroupStatsReader } from './cgroup-stats';

let h: Harness;
beforeAll(async () => {
  h = await makeHarness();
});
afterAll(async () => h?.close());

/** Files this process holds open whose path names the container. */
function openFilesOf(containerId: string): string[] {
  return fs
    .readdirSync('/proc/self/fd')
    .map((fd) => {
      try {
        return fs.readlinkSync(`/proc/self/fd/${fd}`);
      } catch {
        return '';
      }
    })
    .filter((target) => target.includes(containerId));
}

describe('cgroup files of a real container', () => {
  it('are read anew on every reading, and closed once the container is gone', async () => {
    const id = await h.docker.createReplica({
      serviceId: '00000000-0000-0000-0000-000000000000',
      serviceName: 'cgroup-files',
      revision: 1,
      replica: 0,
      deploymentId: null,
      image: 'capstan-sample:v1',
      env: { CPU_BURN: '1' },
      port: 8080,
      resources: {
        cpus: null,
        memoryMb: null,
        cpuReservation: null,
        memoryReservationMb: null,
        pidsLimit: null,
      },
      generation: 0,
      labels: {},
    });
    const runtime = await h.docker.inspectRuntime(id);
    const reader = new CgroupStatsReader();
    const first = await reader.read(id, runtime!.pid);
    expect(first).not.toBeNull();
    expect(openFilesOf(id).length).toBeGreaterThan(0);
    // A busy container's CPU counter moves between two readings through the same open files.
    await waitFor('the CPU counter to move', async () => {
      const next = await reader.read(id, runtime!.pid);
      return next !== null && next.cpuUsageNs > first!.cpuUsageNs;
    });

    await h.docker.removeReplica(id, 0);
    expect(await reader.read(id, runtime!.pid)).toBeNull();
    expect(openFilesOf(id)).toEqual([]);
  });
});
