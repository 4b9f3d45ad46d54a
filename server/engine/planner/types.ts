import type { DeploymentKind, StoredSpec } from '@/db/schema';

/** What a service should be: read from its row, its target revision and its active deployment. */
export type ServiceIntent = {
  serviceId: string;
  name: string;
  /** Replicas wanted, whatever revision they run. */
  replicas: number;
  /** The revision replicas should run; null: nothing should run. */
  revision: number | null;
  /** Replicas started in an older generation are replaced (a rolling restart). */
  generation: number;
  template: StoredSpec | null;
  /** Older revisions whose replicas become this template by a live update of their limits. */
  liveFrom: number[];
  deployment: ActiveDeployment | null;
  queuedDeploymentId: string | null;
};

export type ActiveDeployment = {
  id: string;
  kind: DeploymentKind;
  status: 'pending' | 'in_progress';
  toRevision: number;
  startedAt: number | null;
  deadlineAt: number | null;
};

/** One container of the service as observed now: Docker's state, the prober's verdict, the proxy's view. */
export type ObservedReplica = {
  id: string;
  index: number;
  /** The revision it embodies: its label's, or the one a live update of its limits made it. */
  revision: number;
  generation: number;
  state: string; // created | running | restarting | exited | dead | paused | removing
  createdAt: number;
  health: ReplicaHealth;
  /**
   * On its way out: `draining` while its requests finish (it serves nothing new), `stopping` once it is out
   * of traffic and its stop has begun (a rollout is past it).
   */
  retiring: 'no' | 'draining' | 'stopping';
  /** Someone asked for this one replica to be restarted. */
  restartRequested: boolean;
  /** Inspected for replicas a rollout judges: a crash shows here before Docker's state does. */
  crash: CrashInfo | null;
};

export type ReplicaHealth = {
  /** Passed its check (or has none and runs). */
  healthy: boolean;
  healthySince: number | null;
  /** Failed `unhealthyThreshold` checks in a row after its start period. */
  failing: boolean;
  lastError: string | null;
  streak: number;
};

export type CrashInfo = {
  exitCode: number | null;
  oomKilled: boolean;
  restartCount: number;
};

/** What the executor knows of the template's image. */
export type ImageState = 'present' | 'unknown' | 'pulling' | 'missing' | { failed: string };

export type PlanInput = {
  now: number;
  intent: ServiceIntent;
  replicas: ObservedReplica[];
  image: ImageState;
};

/** A step the executor takes. Each carries the reason a person reads in the events. */
export type Action =
  | { type: 'promote-queued'; deploymentId: string }
  | { type: 'begin-deployment'; deploymentId: string }
  | { type: 'pull'; image: string }
  | { type: 'start'; index: number; revision: number; reason: string }
  /** Out of traffic already (never started, crashed, duplicate, not wanted): removed at once. */
  | { type: 'remove'; containerId: string; reason: string; event?: string }
  /** Drained out of traffic, then stopped. */
  | { type: 'retire'; containerId: string; reason: string }
  | { type: 'update-limits'; containerId: string; revision: number }
  | {
      type: 'fail-deployment';
      deploymentId: string;
      reason: string;
      /** The replica whose end is the evidence; or an error message when no replica is. */
      containerId: string | null;
      error?: string;
    }
  | {
      type: 'succeed-deployment';
      deploymentId: string;
      healthy: number;
      seconds: number;
      /** Outdated replicas retired in this same pass: it succeeds only once none of them is still draining. */
      afterRetiring: string[];
    };

export type PlanResult = {
  actions: Action[];
  /** Nothing to do now, but a rollout waits on a replica (starting, turning healthy, draining). */
  waiting: boolean;
  /** Why the service cannot converge now (e.g. its image cannot be pulled), for a person to read. */
  blocked?: string;
};

/**
 * How a revision change rolls out. A strategy sees the replicas sorted into current (of the target template)
 * and outdated, and decides which to start and which to retire; the planner around it handles everything
 * every strategy shares (queue, never-started containers, crashes, scale, restarts, failure, success).
 */
export interface RolloutStrategy {
  readonly name: string;
  step(input: StrategyInput): { start: number; retire: ObservedReplica[] };
}

export type StrategyInput = {
  now: number;
  replicas: number;
  maxSurge: number;
  maxUnavailable: number;
  minReadySeconds: number;
  current: ObservedReplica[];
  outdated: ObservedReplica[];
};
