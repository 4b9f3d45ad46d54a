import { describe, expect, it } from 'vitest';
import type { StoredSpec } from '@/db/schema';
import { plan } from './plan';
import type { Action, ActiveDeployment, ObservedReplica, PlanInput, ServiceIntent } from './types';

const NOW = 1_000_000;

const template = (over: Partial<StoredSpec> = {}): StoredSpec => ({
  image: 'capstan-sample',
  tag: 'v2',
  port: 8080,
  env: [],
  healthCheck: {
    type: 'http',
    path: '/healthz',
    intervalSeconds: 1,
    timeoutSeconds: 1,
    healthyThreshold: 1,
    unhealthyThreshold: 3,
    startPeriodSeconds: 10,
  },
  strategy: { maxSurge: 1, maxUnavailable: 0, minReadySeconds: 0, progressDeadlineSeconds: 300 },
  resources: { cpus: null, memoryMb: null },
  labels: {},
  endpointPort: 21000,
  ...over,
});

const intent = (over: Partial<ServiceIntent> = {}): ServiceIntent => ({
  serviceId: 'svc',
  name: 'api',
  replicas: 3,
  revision: 2,
  generation: 0,
  template: template(),
  liveFrom: [],
  deployment: null,
  queuedDeploymentId: null,
  ...over,
});

const deployment = (over: Partial<ActiveDeployment> = {}): ActiveDeployment => ({
  id: 'd1',
  kind: 'deploy',
  status: 'in_progress',
  toRevision: 2,
  startedAt: NOW - 5000,
  deadlineAt: NOW + 300_000,
  ...over,
});

let seq = 0;
/** A replica: `r(2, 0)` is replica 0 of revision 2, running and healthy. */
const r = (revision: number, index: number, over: Partial<ObservedReplica> = {}): ObservedReplica => ({
  id: `c${revision}-${index}-${seq++}`,
  index,
  revision,
  generation: 0,
  state: 'running',
  createdAt: NOW - 60_000 + seq,
  health: { healthy: true, healthySince: NOW - 30_000, failing: false, lastError: null, streak: 5 },
  retiring: 'no',
  restartRequested: false,
  crash: null,
  ...over,
});
const starting = { healthy: false, healthySince: null, failing: false, lastError: null, streak: 0 };

const run = (i: Partial<PlanInput> & { intent: ServiceIntent }) =>
  plan({ now: NOW, replicas: [], image: 'present', ...i });
const kinds = (actions: Action[]) => actions.map((a) => a.type);
const starts = (actions: Action[]) =>
  actions.flatMap((a) => (a.type === 'start' ? [a.index] : [])).sort((x, y) => x - y);
const retired = (actions: Action[]) =>
  actions.flatMap((a) => (a.type === 'retire' || a.type === 'remove' ? [a.containerId] : []));

describe('scaling without a rollout', () => {
  it('starts only the missing replicas and leaves the running ones alone (4 → 8)', () => {
    const running = [0, 1, 2, 3].map((i) => r(2, i));
    const { actions } = run({ intent: intent({ replicas: 8 }), replicas: running });
    expect(starts(actions)).toEqual([4, 5, 6, 7]);
    expect(retired(actions)).toEqual([]);
  });

  it('retires the extra replicas, unhealthy ones and the highest indexes first (8 → 2)', () => {
    const running = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => r(2, i));
    running[1] = r(2, 1, { health: { ...starting, failing: true, lastError: 'HTTP 500', streak: 3 } });
    const { actions } = run({ intent: intent({ replicas: 2 }), replicas: running });
    expect(starts(actions)).toEqual([]);
    const gone = retired(actions);
    expect(gone).toHaveLength(6);
    expect(gone[0]).toBe(running[1]!.id);
    const kept = running.filter((c) => !gone.includes(c.id)).map((c) => c.index);
    expect(kept).toEqual([0, 2]);
    // Running replicas are drained first, never removed outright.
    expect(actions.every((a) => a.type !== 'remove')).toBe(true);
  });

  it('scales to zero by retiring every replica; nothing to start', () => {
    const running = [0, 1].map((i) => r(2, i));
    const { actions } = run({ intent: intent({ replicas: 0 }), replicas: running });
    expect(kinds(actions)).toEqual(['retire', 'retire']);
  });

  it('fills the lowest free indexes', () => {
    const { actions } = run({ intent: intent({ replicas: 3 }), replicas: [r(2, 1)] });
    expect(starts(actions)).toEqual([0, 2]);
  });

  it('does nothing when converged', () => {
    const { actions, waiting } = run({ intent: intent(), replicas: [0, 1, 2].map((i) => r(2, i)) });
    expect(actions).toEqual([]);
    expect(waiting).toBe(false);
  });

  it('pulls the image first when no replica of the template exists, and waits', () => {
    const res = run({ intent: intent({ replicas: 1 }), image: 'unknown' });
    expect(res.actions).toEqual([{ type: 'pull', image: 'capstan-sample:v2' }]);
    expect(res.waiting).toBe(true);
  });

  it('pulls again when the image vanished, even with replicas of the template running', () => {
    const res = run({ intent: intent({ replicas: 2 }), replicas: [r(2, 0)], image: 'missing' });
    expect(kinds(res.actions)).toEqual(['pull']);
  });

  it('says why it is blocked when the image cannot be pulled, outside a rollout', () => {
    const res = run({ intent: intent({ replicas: 1 }), image: { failed: 'no such host' } });
    expect(res.actions).toEqual([]);
    expect(res.blocked).toContain('no such host');
  });
});

describe('replicas that went wrong', () => {
  it('replaces a replica that stopped for good, outside a rollout', () => {
    const dead = r(2, 1, { state: 'exited', crash: { exitCode: 137, oomKilled: true, restartCount: 5 } });
    const { actions } = run({ intent: intent(), replicas: [r(2, 0), dead, r(2, 2)] });
    expect(actions[0]).toMatchObject({ type: 'remove', containerId: dead.id, event: 'replica.replaced' });
    expect((actions[0] as { reason: string }).reason).toContain('OOM killed');
    expect(starts(actions)).toEqual([1]);
  });

  it('removes a container that was created but never started', () => {
    const half = r(2, 2, { state: 'created' });
    const { actions } = run({ intent: intent(), replicas: [r(2, 0), r(2, 1), half] });
    expect(actions[0]).toMatchObject({ type: 'remove', containerId: half.id });
    expect(starts(actions)).toEqual([2]);
  });

  it('replaces a replica Docker is stuck removing, and leaves the removal to Docker', () => {
    const stuck = r(2, 1, { state: 'removing' });
    const { actions } = run({ intent: intent(), replicas: [r(2, 0), stuck, r(2, 2)] });
    expect(actions).toEqual([{ type: 'start', index: 1, revision: 2, reason: '3 replica(s) wanted' }]);
  });

  it('drains the younger of two replicas with one index', () => {
    const older = r(2, 0, { createdAt: NOW - 10_000 });
    const younger = r(2, 0, { createdAt: NOW - 1000 });
    const { actions } = run({ intent: intent({ replicas: 1 }), replicas: [younger, older] });
    expect(retired(actions)).toEqual([younger.id]);
  });

  it('restarts one replica on request: drains it and starts its replacement', () => {
    const asked = r(2, 1, { restartRequested: true });
    const { actions } = run({ intent: intent(), replicas: [r(2, 0), asked, r(2, 2)] });
    expect(actions.find((a) => a.type === 'retire')).toMatchObject({ containerId: asked.id });
    expect(starts(actions)).toEqual([1]);
  });

  it('keeps following replicas already on their way out', () => {
    const leaving = r(1, 0, { retiring: 'draining' });
    const { actions, waiting } = run({ intent: intent({ replicas: 1 }), replicas: [r(2, 0), leaving] });
    expect(actions).toEqual([{ type: 'retire', containerId: leaving.id, reason: 'continues retiring' }]);
    expect(waiting).toBe(true);
  });
});

describe('a rolling update', () => {
  const active = deployment();

  it('surges one new replica while every old one serves (maxSurge 1, maxUnavailable 0)', () => {
    const old = [0, 1, 2].map((i) => r(1, i));
    const { actions, waiting } = run({ intent: intent({ deployment: active }), replicas: old });
    expect(starts(actions)).toEqual([0]);
    expect(retired(actions)).toEqual([]);
    expect(waiting).toBe(true);
  });

  it('retires one old replica once a new one is available, and starts the next in its place', () => {
    const old = [0, 1, 2].map((i) => r(1, i));
    const { actions } = run({ intent: intent({ deployment: active }), replicas: [...old, r(2, 0)] });
    expect(retired(actions)).toEqual([old[2]!.id]);
    expect(starts(actions)).toEqual([1]);
  });

  it('waits for minReadySeconds before counting a new replica as available', () => {
    const t = template({
      strategy: { maxSurge: 1, maxUnavailable: 0, minReadySeconds: 5, progressDeadlineSeconds: 300 },
    });
    const fresh = r(2, 0, { health: { ...starting, healthy: true, healthySince: NOW - 1000 } });
    const { actions } = run({
      intent: intent({ deployment: active, template: t }),
      replicas: [...[0, 1, 2].map((i) => r(1, i)), fresh],
    });
    expect(retired(actions)).toEqual([]);
  });

  it('retires unhealthy old replicas first, and they do not hold availability', () => {
    const sick = r(1, 0, { health: { ...starting, failing: true, lastError: 'HTTP 500', streak: 3 } });
    const old = [sick, r(1, 1), r(1, 2)];
    const { actions } = run({ intent: intent({ deployment: active }), replicas: old });
    expect(retired(actions)).toEqual([sick.id]);
    expect(starts(actions)).toEqual([0, 1]);
  });

  it('succeeds once the new replicas are available and no old one is left', () => {
    const res = run({
      intent: intent({ deployment: active }),
      replicas: [...[0, 1, 2].map((i) => r(2, i)), r(1, 0, { retiring: 'stopping' })],
    });
    expect(res.actions.at(-1)).toMatchObject({ type: 'succeed-deployment', deploymentId: 'd1', healthy: 3 });
  });

  it('succeeds in the pass that retires the last old replica, once that one is out of traffic', () => {
    const last = r(1, 0);
    const res = run({
      intent: intent({ deployment: active }),
      replicas: [...[0, 1, 2].map((i) => r(2, i)), last],
    });
    expect(retired(res.actions)).toEqual([last.id]);
    expect(res.actions.at(-1)).toMatchObject({ type: 'succeed-deployment', afterRetiring: [last.id] });
  });

  it('converges to a count changed during the rollout (3 → 5)', () => {
    const res = run({
      intent: intent({ deployment: active, replicas: 5 }),
      replicas: [r(1, 0), r(1, 1), r(2, 0), r(2, 1), r(2, 2)],
    });
    // 3 new + 2 old is 5 running; the surge allows one more, and old ones retire only while 5 stay available.
    expect(starts(res.actions)).toEqual([3]);
    expect(retired(res.actions)).toEqual([]);
    const done = run({
      intent: intent({ deployment: active, replicas: 5 }),
      replicas: [0, 1, 2, 3, 4].map((i) => r(2, i)),
    });
    expect(done.actions.at(-1)).toMatchObject({ type: 'succeed-deployment', healthy: 5 });
  });

  it('scales down during a rollout by retiring new extras and old replicas (5 → 2)', () => {
    const res = run({
      intent: intent({ deployment: active, replicas: 2 }),
      replicas: [r(1, 0), r(1, 1), r(2, 0), r(2, 1), r(2, 2)],
    });
    expect(retired(res.actions)).toHaveLength(3);
    expect(starts(res.actions)).toEqual([]);
  });

  it('fails on a crashed new replica with its exit code, and plans nothing else', () => {
    const crashed = r(2, 0, { state: 'exited', crash: { exitCode: 3, oomKilled: false, restartCount: 2 } });
    const res = run({
      intent: intent({ deployment: active }),
      replicas: [r(1, 0), r(1, 1), r(1, 2), crashed],
    });
    expect(res.actions).toEqual([
      {
        type: 'fail-deployment',
        deploymentId: 'd1',
        reason: 'replica 0 crashed: exited with code 3 after 2 restart(s)',
        containerId: crashed.id,
      },
    ]);
  });

  it('waits for the exit code of a replica that restarted already', () => {
    const restarted = r(2, 0, {
      crash: { exitCode: null, oomKilled: false, restartCount: 1 },
      health: starting,
    });
    const res = run({
      intent: intent({ deployment: active }),
      replicas: [r(1, 0), r(1, 1), r(1, 2), restarted],
    });
    expect(kinds(res.actions)).not.toContain('fail-deployment');
  });

  it('fails on a new replica failing its health check, naming the check result', () => {
    const failing = r(2, 0, { health: { ...starting, failing: true, lastError: 'HTTP 503', streak: 3 } });
    const res = run({
      intent: intent({ deployment: active }),
      replicas: [r(1, 0), r(1, 1), r(1, 2), failing],
    });
    expect(res.actions[0]).toMatchObject({
      type: 'fail-deployment',
      reason: 'replica 0 failed its health check 3 times in a row (HTTP 503)',
    });
  });

  it('fails once the progress deadline passed', () => {
    const late = deployment({ deadlineAt: NOW - 1 });
    const res = run({ intent: intent({ deployment: late }), replicas: [r(1, 0), r(1, 1), r(1, 2)] });
    expect(res.actions[0]).toMatchObject({ type: 'fail-deployment', containerId: null });
  });

  it('fails when the image cannot be pulled, with the error as evidence', () => {
    const res = run({
      intent: intent({ deployment: active, replicas: 1 }),
      replicas: [r(1, 0)],
      image: { failed: 'pull access denied' },
    });
    expect(res.actions).toEqual([
      {
        type: 'fail-deployment',
        deploymentId: 'd1',
        reason: 'image pull failed',
        containerId: null,
        error: 'pull access denied',
      },
    ]);
  });

  it('begins a pending deployment and promotes a queued one only when none is active', () => {
    const pending = run({
      intent: intent({ deployment: deployment({ status: 'pending' }) }),
      replicas: [r(1, 0), r(1, 1), r(1, 2)],
    });
    expect(pending.actions[0]).toEqual({ type: 'begin-deployment', deploymentId: 'd1' });
    const queued = run({ intent: intent({ queuedDeploymentId: 'q1' }), replicas: [r(2, 0)] });
    expect(queued.actions).toEqual([{ type: 'promote-queued', deploymentId: 'q1' }]);
  });
});

describe('a rolling restart and a live update', () => {
  it('replaces the replicas of the previous generation one at a time', () => {
    const restart = deployment({ kind: 'restart' });
    const old = [0, 1, 2].map((i) => r(2, i, { generation: 0 }));
    const first = run({ intent: intent({ deployment: restart, generation: 1 }), replicas: old });
    expect(starts(first.actions)).toEqual([0]);
    const second = run({
      intent: intent({ deployment: restart, generation: 1 }),
      replicas: [...old, r(2, 0, { generation: 1 })],
    });
    expect(retired(second.actions)).toEqual([old[2]!.id]);
    expect(second.actions.find((a) => a.type === 'retire')).toMatchObject({
      reason: 'Replica 2 is replaced by the rolling restart',
    });
  });

  it('updates the limits of replicas in place when only the limits changed: no start, no stop', () => {
    const live = deployment({ kind: 'live', toRevision: 3 });
    const running = [0, 1].map((i) => r(2, i));
    const res = run({
      intent: intent({ deployment: live, revision: 3, liveFrom: [2], replicas: 2 }),
      replicas: running,
    });
    expect(kinds(res.actions)).toEqual(['update-limits', 'update-limits', 'succeed-deployment']);
  });

  it('retires everything when the service has no revision', () => {
    const res = run({ intent: intent({ revision: null, template: null }), replicas: [r(1, 0), r(1, 1)] });
    expect(kinds(res.actions)).toEqual(['retire', 'retire']);
  });
});
