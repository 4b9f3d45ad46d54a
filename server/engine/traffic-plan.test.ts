import { describe, expect, it, vi } from 'vitest';
import type { Replica } from '@/server/docker/engine';
import type { Deps } from '@/server/services/context';
import { TrafficPlan } from './traffic-plan';

// Decision logic only: what retire() answers as a replica's stop fails, is tried again and finishes.
const replica: Replica = {
  id: 'old',
  name: 'old',
  serviceId: 'svc',
  serviceName: 'svc',
  revision: 1,
  replica: 0,
  generation: 0,
  deploymentId: null,
  image: 'capstan-sample:v1',
  state: 'running',
  status: 'Up',
  hostPort: 30000,
  createdAt: new Date(),
};
const settle = () => new Promise((r) => setTimeout(r, 0));

describe('traffic plan: retiring a replica', () => {
  it('reports a stop as begun once, though a failed stop is tried again', async () => {
    const removeReplica = vi
      .fn<(id: string) => Promise<void>>()
      .mockRejectedValueOnce(new Error('engine busy'))
      .mockResolvedValue(undefined);
    const plan = new TrafficPlan({ proxy: null, docker: { removeReplica } } as unknown as Deps);

    expect(await plan.retire(replica, null)).toBe('stopped');
    await settle();
    // The first stop failed: the next pass tries again, but the stop was already recorded as begun.
    expect(await plan.retire(replica, null)).toBe('stopping');
    expect(removeReplica).toHaveBeenCalledTimes(2);
    await settle();
    expect(await plan.retire(replica, null)).toBe('gone');
    expect(removeReplica).toHaveBeenCalledTimes(2);
  });
});
