import type { DeploymentEvidence, StoredSpec } from '@/db/schema';
import { DockerError, type Replica } from '@/server/docker/engine';
import { asSystem, type Deps } from '@/server/services/context';
import {
  failDeployment,
  markInProgress,
  promoteQueued,
  succeedDeployment,
} from '@/server/services/deployments/progress';
import { recordEvent } from '@/server/services/events/record';
import { registryAuthFor } from '@/server/services/registries/credentials';
import { resourcesOrDefault } from '@/server/services/service/schema';
import { imageRef, openEnv, strategyOf } from '@/server/services/service/spec';
import { markReplicaRevision } from '@/server/services/service/templates';
import type { ImagePulls } from './image-pulls';
import type { Action, ServiceIntent } from './planner/types';
import type { TrafficPlan } from './traffic-plan';

export type Applied = 'progress' | 'idle';

/**
 * Carries out a plan for one service through the replica backend and the proxy, recording each step as an
 * event (and each automatic decision in the audit log, as the system). Slow work never runs here: pulls
 * and graceful stops go on in the background and the next observation sees them finish.
 */
export class Executor {
  /** Containers being removed in the background (never started, crashed, not in traffic). */
  private readonly removing = new Set<string>();

  constructor(
    private readonly deps: Deps,
    private readonly traffic: TrafficPlan | null,
    private readonly images: ImagePulls,
    private readonly onBackgroundDone: () => void,
  ) {}

  async apply(intent: ServiceIntent, containers: Replica[], actions: Action[]): Promise<Applied> {
    const ctx = asSystem(this.deps, 'reconciler');
    const template = intent.template;
    const deploymentId = intent.deployment?.id ?? null;
    const note = (kind: string, message: string, data?: Record<string, unknown>) =>
      recordEvent(this.deps.db, { serviceId: intent.serviceId, deploymentId, kind, message, data });
    const byId = new Map(containers.map((c) => [c.id, c]));
    let result: Applied = 'idle';
    let started = false;

    // Retirements are independent of each other: begun together, so a scale-down drains its replicas at
    // once instead of one after another behind the proxy's queue.
    const retirements = actions.filter((a) => a.type === 'retire');
    const outcomes = new Map(
      await Promise.all(
        retirements.map(async (a) => {
          const c = byId.get(a.containerId);
          if (!c) return [a.containerId, 'gone'] as const;
          if (!this.traffic) {
            // Nothing routes to it: stopped here, so the next step sees it gone.
            await this.deps.docker.removeReplica(c.id, 10);
            return [a.containerId, 'stopped'] as const;
          }
          return [a.containerId, await this.traffic.retire(c, deploymentId, a.reason)] as const;
        }),
      ),
    );

    // New replicas are created and started together too: a scale-up takes about one replica's start, not
    // the sum of them. One that fails does not lose the others' records; its error is raised after them.
    const startActions = actions.filter((a) => a.type === 'start');
    const settled = template
      ? await Promise.allSettled(
          startActions.map((a) => this.start(intent, template, a.index, a.revision, deploymentId)),
        )
      : [];
    const starts = new Map<number, string>();
    settled.forEach((r, i) => {
      if (r.status === 'fulfilled' && r.value !== null) starts.set(startActions[i]!.index, r.value);
    });
    const failedStart = settled.find((r) => r.status === 'rejected');

    for (const a of actions) {
      switch (a.type) {
        case 'promote-queued':
          await promoteQueued(ctx, a.deploymentId);
          result = 'progress';
          break;
        case 'begin-deployment':
          if (template)
            await markInProgress(ctx, a.deploymentId, strategyOf(template).progressDeadlineSeconds);
          result = 'progress';
          break;
        case 'pull':
          if (template)
            this.images.request(a.image, () => registryAuthFor(this.deps, template.image), intent.serviceId);
          break;
        case 'start': {
          const id = starts.get(a.index);
          if (!id) break;
          await note(
            'replica.started',
            `Replica ${a.index} of revision ${a.revision} started (${id.slice(0, 12)}): ${a.reason}`,
            { containerId: id, replica: a.index, revision: a.revision },
          );
          started = true;
          result = 'progress';
          break;
        }
        case 'remove': {
          const c = byId.get(a.containerId);
          if (!c || this.removing.has(c.id)) break;
          await note(a.event ?? 'replica.removed', a.reason, {
            containerId: c.id,
            replica: c.replica,
            revision: c.revision,
          });
          this.removeInBackground(c.id);
          result = 'progress';
          break;
        }
        case 'retire': {
          const c = byId.get(a.containerId);
          if (!c || outcomes.get(a.containerId) !== 'stopped') break;
          result = 'progress';
          await note(
            'replica.stopped',
            `Replica ${c.replica} of revision ${c.revision} stopped (${c.id.slice(0, 12)}): ${a.reason}`,
            { containerId: c.id, replica: c.replica, revision: c.revision },
          );
          break;
        }
        case 'update-limits': {
          const c = byId.get(a.containerId);
          if (!c || !template) break;
          const resources = resourcesOrDefault(template.resources);
          await this.deps.docker.updateResources(c.id, resources);
          await markReplicaRevision(this.deps.db, {
            containerId: c.id,
            serviceId: intent.serviceId,
            revision: a.revision,
          });
          await note(
            'replica.updated',
            `Replica ${c.replica} now runs revision ${a.revision}'s limits, updated in place without a restart (${c.id.slice(0, 12)})`,
            { containerId: c.id, replica: c.replica, revision: a.revision, resources },
          );
          result = 'progress';
          break;
        }
        case 'fail-deployment': {
          const evidence = a.containerId
            ? await this.evidence(a.containerId, template)
            : a.error
              ? { error: a.error }
              : {};
          await failDeployment(ctx, a.deploymentId, a.reason, evidence);
          result = 'progress';
          break;
        }
        case 'succeed-deployment':
          // The last old replica retired in this pass must be out of traffic (its stop begun), not draining.
          if (a.afterRetiring.some((id) => outcomes.get(id) === 'draining')) break;
          await succeedDeployment(ctx, a.deploymentId, { healthy: a.healthy, seconds: a.seconds });
          result = 'progress';
          break;
      }
    }
    if (started)
      this.deps.bus.publish({ type: 'service', serviceId: intent.serviceId, reason: 'replicas-started' });
    if (failedStart) throw failedStart.reason;
    return result;
  }

  /** Starts one replica; null when its image turned out to be gone (the next pass pulls it again). */
  private async start(
    intent: ServiceIntent,
    template: StoredSpec,
    index: number,
    revision: number,
    deploymentId: string | null,
  ): Promise<string | null> {
    const ref = imageRef(template);
    try {
      return await this.deps.docker.createReplica({
        serviceId: intent.serviceId,
        serviceName: intent.name,
        revision,
        replica: index,
        generation: intent.generation,
        deploymentId,
        image: ref,
        env: openEnv(template, this.deps.box),
        port: template.port,
        resources: resourcesOrDefault(template.resources),
        labels: template.labels,
      });
    } catch (err) {
      if (err instanceof DockerError && err.statusCode === 404) {
        this.images.missing(ref);
        return null;
      }
      throw err;
    }
  }

  /** Removes a container no service wants (its service was deleted), in the background. */
  removeOrphan(id: string): void {
    if (!this.removing.has(id)) this.removeInBackground(id, 10);
  }

  private removeInBackground(id: string, stopTimeoutSeconds = 0): void {
    this.removing.add(id);
    void this.deps.docker
      .removeReplica(id, stopTimeoutSeconds)
      .catch(() => undefined)
      .finally(() => {
        this.removing.delete(id);
        this.onBackgroundDone();
      });
  }

  /** What a person needs to see why a replica failed: how it ended, its probe, its last log lines. */
  private async evidence(containerId: string, template: StoredSpec | null): Promise<DeploymentEvidence> {
    const [detail, logsTail] = await Promise.all([
      this.deps.docker.inspectReplica(containerId).catch(() => null),
      this.deps.docker.logsTail(containerId, 30).catch(() => ''),
    ]);
    const probe = this.deps.probes.get(containerId);
    const check = template?.healthCheck;
    return {
      exitCode: detail?.exitCode ?? null,
      oomKilled: detail?.oomKilled ?? false,
      ...(probe?.lastError && check && check.type !== 'none'
        ? { probe: `${check.type}${check.type === 'http' ? ` ${check.path}` : ''}: ${probe.lastError}` }
        : {}),
      logsTail: logsTail.slice(-4000),
    };
  }
}
