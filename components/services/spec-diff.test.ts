import { describe, expect, it } from 'vitest';
import type { ServiceSpecView } from '@/components/router-types';
import { specChanges } from './spec-diff';

const base: ServiceSpecView = {
  image: 'capstan-sample',
  tag: 'v1',
  port: 8080,
  env: [{ name: 'MODE', value: 'fast', secret: false }],
  healthCheck: {
    type: 'http',
    path: '/healthz',
    intervalSeconds: 2,
    timeoutSeconds: 1,
    healthyThreshold: 1,
    unhealthyThreshold: 3,
    startPeriodSeconds: 10,
  },
  replicas: 2,
  strategy: { maxSurge: 1, maxUnavailable: 0, minReadySeconds: 0, progressDeadlineSeconds: 300 },
  resources: { cpus: null, memoryMb: null },
  labels: {},
  endpointPort: 20001,
};
const withStrategy = (strategy: Partial<NonNullable<ServiceSpecView['strategy']>>): ServiceSpecView => ({
  ...base,
  strategy: { ...base.strategy!, ...strategy },
});

describe('specChanges: rollout strategy', () => {
  it('lists nothing when the strategy is the same', () => {
    expect(specChanges(base, withStrategy({}))).toEqual([]);
  });

  it('says which budget changed and from what', () => {
    expect(specChanges(base, withStrategy({ maxSurge: 2 }))).toEqual(['max surge 1 → 2']);
  });

  it('gives one line per changed field, with seconds where the field is a duration', () => {
    const to = withStrategy({ maxUnavailable: 1, minReadySeconds: 1.5, progressDeadlineSeconds: 600 });
    expect(specChanges(base, to)).toEqual([
      'max unavailable 0 → 1',
      'min ready 0 s → 1.5 s',
      'progress deadline 300 s → 600 s',
    ]);
  });

  it('lists strategy lines after the image and replica changes', () => {
    const to = { ...withStrategy({ maxSurge: 3 }), tag: 'v2', replicas: 4 };
    expect(specChanges(base, to)).toEqual([
      'image capstan-sample:v1 → capstan-sample:v2',
      'replicas 2 → 4',
      'max surge 1 → 3',
    ]);
  });

  it('reads a revision stored before strategies existed as the defaults', () => {
    const legacy: ServiceSpecView = { ...base, strategy: undefined };
    expect(specChanges(legacy, base)).toEqual([]);
    expect(specChanges(legacy, withStrategy({ minReadySeconds: 5 }))).toEqual(['min ready 0 s → 5 s']);
    expect(specChanges(withStrategy({ maxSurge: 2 }), legacy)).toEqual(['max surge 2 → 1']);
  });
});
