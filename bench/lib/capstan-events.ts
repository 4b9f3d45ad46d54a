import { and, eq, gte } from 'drizzle-orm';
import { deployments, events } from '@/db/schema';
import type { Harness } from '@/server/testing/harness';
import { docker, poll } from './docker-cli';

export type Step = typeof events.$inferSelect;

/** A deployment's end (succeeded, failed or cancelled), polled every 10 ms. */
export async function finished(h: Harness, id: string) {
  return poll(
    'deployment',
    async () => {
      const [d] = await h.db.select().from(deployments).where(eq(deployments.id, id));
      return d && ['succeeded', 'failed', 'cancelled'].includes(d.status) ? d : undefined;
    },
    180_000,
  );
}

/** The events recorded for a deployment. */
export async function deploymentSteps(h: Harness, deploymentId: string): Promise<Step[]> {
  return h.db.select().from(events).where(eq(events.deploymentId, deploymentId));
}

/** The events recorded for a service since a moment, oldest first. */
export async function serviceSteps(h: Harness, serviceId: string, since: Date): Promise<Step[]> {
  const steps = await h.db
    .select()
    .from(events)
    .where(and(eq(events.serviceId, serviceId), gte(events.at, since)));
  return steps.sort((a, b) => a.at.getTime() - b.at.getTime() || a.id - b.id);
}

/** The container an event is about, if any. */
export const containerOf = (s: Step) => s.data?.containerId as string | undefined;

/** Docker's `Created` time of a container, or null once it is gone. */
export async function createdAt(id: string): Promise<Date | null> {
  const out = await docker('inspect', '-f', '{{.Created}}', id).catch(() => '');
  const t = new Date(out);
  return out && !Number.isNaN(t.getTime()) ? t : null;
}

/**
 * Σ over the new replicas in `steps` (those with a replica.started event) of (container created → first
 * healthy probe), in seconds.
 */
export async function startPlusHealthy(steps: Step[]): Promise<number> {
  let sum = 0;
  for (const each of startToHealthy(steps, await createdTimes(steps))) sum += each.seconds;
  return sum;
}

/** Docker's `Created` time of each replica started in `steps` (the start event's time once it is gone). */
export async function createdTimes(steps: Step[]): Promise<Map<string, number>> {
  const times = new Map<string, number>();
  for (const started of steps.filter((s) => s.kind === 'replica.started')) {
    const id = containerOf(started)!;
    const created = await createdAt(id);
    times.set(id, Math.min(created?.getTime() ?? Infinity, started.at.getTime()));
  }
  return times;
}

/** Each replica started in `steps` that became healthy: container created → first healthy probe. */
export function startToHealthy(steps: Step[], created: Map<string, number>) {
  const out: { containerId: string; seconds: number; healthyAt: number }[] = [];
  for (const [id, at] of created) {
    const healthy = steps.find((s) => s.kind === 'replica.healthy' && containerOf(s) === id);
    if (!healthy) continue;
    out.push({
      containerId: id,
      seconds: (healthy.at.getTime() - at) / 1000,
      healthyAt: healthy.at.getTime(),
    });
  }
  return out;
}

/** Prints recorded steps with their times, and Docker's own create and start time of each new replica. */
export async function printTimeline(steps: Step[], title: string) {
  steps = [...steps].sort((a, b) => a.at.getTime() - b.at.getTime() || a.id - b.id);
  const zero = steps[0]?.at.getTime() ?? 0;
  console.log(`\n${title}`);
  const lines: { at: number; text: string }[] = steps.map((s) => ({
    at: s.at.getTime() - zero,
    text: `${s.kind.padEnd(20)} ${s.message}`,
  }));
  for (const s of steps.filter((x) => x.kind === 'replica.started')) {
    const id = containerOf(s)!;
    const out = await docker('inspect', '-f', '{{.Created}} {{.State.StartedAt}}', id).catch(() => '');
    const [created, startedAt] = out.split(' ').map((t) => new Date(t).getTime() - zero);
    if (created !== undefined && !Number.isNaN(created))
      lines.push({ at: created, text: `${'(docker) created'.padEnd(20)} ${id.slice(0, 12)}` });
    if (startedAt !== undefined && !Number.isNaN(startedAt))
      lines.push({ at: startedAt, text: `${'(docker) started'.padEnd(20)} ${id.slice(0, 12)}` });
  }
  lines.sort((a, b) => a.at - b.at);
  for (const l of lines) console.log(`${String(l.at).padStart(6)} ms  ${l.text}`);
}
