import { describe, expect, it } from 'vitest';
import type { Replica } from '@/server/docker/engine';
import type { ProbeState } from '../health/probe-store';
import { replicaView, serviceHealth } from './replicas';

const NOW = Date.parse('2026-01-01T12:00:00Z');

function replica(over: Partial<Replica> = {}): Replica {
  return {
    id: 'c1',
    name: 'capstan-web-r1-0',
    serviceId: 'svc',
    serviceName: 'web',
    revision: 1,
    replica: 0,
    generation: 0,
    deploymentId: null,
    image: 'capstan-sample:v1',
    state: 'running',
    status: 'Up 3 seconds',
    hostPort: 32768,
    createdAt: new Date(NOW - 3000),
    ...over,
  };
}

function probes(state: Partial<ProbeState> | null) {
  const full: ProbeState | undefined = state
    ? {
        containerId: 'c1',
        healthy: false,
        streak: 1,
        lastResult: null,
        lastError: null,
        lastCheckedAt: NOW,
        latencyMs: null,
        healthySince: null,
        ...state,
      }
    : undefined;
  return { probes: new Map(full ? [['c1', full]] : []) };
}

describe('a replica as the console shows it', () => {
  const failed = { healthy: false, lastResult: 'fail' as const, lastError: 'ECONNREFUSED' };
  it.each([
    ['no verdict yet', null, 10, 'starting'],
    ['failed probes inside its start period', failed, 10, 'starting'],
    ['failed probes after its start period', failed, 2, 'unhealthy'],
    ['failed probes with no start period', failed, 0, 'unhealthy'],
    ['healthy inside its start period', { healthy: true, lastResult: 'ok' as const }, 10, 'healthy'],
  ])('%s: %s', (_, state, startPeriodSeconds, health) => {
    expect(replicaView(probes(state), replica(), startPeriodSeconds, NOW).health).toBe(health);
  });

  it('is stopped when it does not run, whatever its last verdict', () => {
    const v = replicaView(probes({ healthy: true }), replica({ state: 'exited' }), 10, NOW);
    expect(v.health).toBe('stopped');
  });

  it('keeps the last probe error to show, also while starting', () => {
    expect(replicaView(probes(failed), replica(), 10, NOW).lastError).toBe('ECONNREFUSED');
  });
});

describe("a service's health", () => {
  const base = { undeployed: false, desired: 2, ready: 2, deploying: false, neverServed: false };
  it.each([
    ['every desired replica ready', {}, 'healthy'],
    ['some ready', { ready: 1 }, 'degraded'],
    ['none ready', { ready: 0 }, 'down'],
    ['scaled to zero', { desired: 0, ready: 0 }, 'scaled-to-zero'],
    ['never deployed', { undeployed: true, ready: 0 }, 'idle'],
    ['a first deploy that failed', { undeployed: true, ready: 0, neverServed: true }, 'down'],
    ['a deployment under way', { deploying: true, ready: 0 }, 'deploying'],
  ])('%s: %s', (_, over, health) => {
    expect(serviceHealth({ ...base, ...over })).toBe(health);
  });
});
