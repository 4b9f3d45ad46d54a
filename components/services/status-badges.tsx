import type { Deployment } from '@/components/router-types';
import { Badge, type BadgeTone } from '@/components/ui/badge';

type ServiceHealth = 'healthy' | 'degraded' | 'down' | 'deploying' | 'idle' | 'scaled-to-zero';
type ReplicaHealth = 'healthy' | 'unhealthy' | 'starting' | 'stopped';
type DeploymentStatus = Deployment['status'];

const SERVICE: Record<ServiceHealth, { tone: BadgeTone; label: string; hint: string }> = {
  healthy: { tone: 'green', label: 'Healthy', hint: 'Every desired replica passes its health check' },
  degraded: { tone: 'amber', label: 'Degraded', hint: 'Some desired replicas are not healthy' },
  down: { tone: 'red', label: 'Down', hint: 'No healthy replica of the current revision' },
  deploying: { tone: 'indigo', label: 'Deploying', hint: 'A deployment is in progress' },
  idle: { tone: 'neutral', label: 'Idle', hint: 'Not deployed yet' },
  'scaled-to-zero': { tone: 'neutral', label: 'Scaled to zero', hint: 'No replica runs: the count is 0' },
};

export function HealthBadge({ health }: { health: ServiceHealth }) {
  const look = SERVICE[health];
  return (
    <Badge tone={look.tone} dot pulse={health === 'deploying'} title={look.hint} data-status={health}>
      {look.label}
    </Badge>
  );
}

const REPLICA: Record<ReplicaHealth, { tone: BadgeTone; label: string }> = {
  healthy: { tone: 'green', label: 'healthy' },
  unhealthy: { tone: 'red', label: 'unhealthy' },
  starting: { tone: 'neutral', label: 'starting' },
  stopped: { tone: 'neutral', label: 'stopped' },
};

export function ReplicaHealthBadge({ health }: { health: ReplicaHealth }) {
  const look = REPLICA[health];
  return (
    <Badge tone={look.tone} dot pulse={health === 'starting'} data-status={health}>
      {look.label}
    </Badge>
  );
}

const DEPLOYMENT: Record<DeploymentStatus, { tone: BadgeTone; label: string }> = {
  queued: { tone: 'neutral', label: 'queued' },
  pending: { tone: 'neutral', label: 'pending' },
  in_progress: { tone: 'indigo', label: 'in progress' },
  succeeded: { tone: 'green', label: 'succeeded' },
  failed: { tone: 'red', label: 'failed' },
  cancelled: { tone: 'neutral', label: 'cancelled' },
};

export function DeploymentStatusBadge({ status }: { status: DeploymentStatus }) {
  const look = DEPLOYMENT[status];
  return (
    <Badge tone={look.tone} dot pulse={status === 'in_progress' || status === 'pending'} data-status={status}>
      {look.label}
    </Badge>
  );
}

/** "system:reconciler" reads as "system (reconciler)". */
export function ActorName({ actor, className }: { actor: string | null; className?: string }) {
  if (!actor) return <span className={className}>unknown</span>;
  if (actor.startsWith('system:')) {
    return (
      <span className={className} title={actor}>
        <span className="text-zinc-500 dark:text-zinc-400">system</span> · {actor.slice('system:'.length)}
      </span>
    );
  }
  return (
    <span className={className} title={actor}>
      {actor}
    </span>
  );
}
