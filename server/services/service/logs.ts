import { z } from 'zod';
import type { LogLine, Replica } from '@/server/docker/engine';
import type { ServiceContext } from '../context';
import { safeText } from '../safe-text';
import { loadService } from './load';

export const logsInputSchema = z.object({
  serviceId: z.string().uuid(),
  /** One replica's container, or every replica of the service. */
  containerId: z
    .string()
    .regex(/^[0-9a-f]{12,64}$/, 'Not a container id')
    .optional(),
  lines: z.number().int().min(1).max(5000).default(200),
  search: safeText('Search').trim().max(200, 'Search can have at most 200 characters').default(''),
});

export type ServiceLogLine = LogLine & { containerId: string; replica: string };

async function replicasOf(ctx: ServiceContext, serviceId: string, containerId?: string) {
  await loadService(ctx.db, serviceId);
  const all = await ctx.docker.listReplicas({ serviceId });
  return containerId ? all.filter((r) => r.id.startsWith(containerId)) : all;
}

/** The last lines of a service's replicas, merged by time, optionally only those containing `search`. */
export async function tailLogs(ctx: ServiceContext, input: z.infer<typeof logsInputSchema>) {
  const replicas = await replicasOf(ctx, input.serviceId, input.containerId);
  const needle = input.search.toLowerCase();
  // Searching reads further back, so a rare match is still found.
  const read = needle ? Math.min(input.lines * 10, 20_000) : input.lines;
  const perReplica = await Promise.all(
    replicas.map(async (r) =>
      (await ctx.docker.logLines(r.id, { tail: read })).map((l) => ({
        ...l,
        containerId: r.id,
        replica: `r${r.revision}-${r.replica}`,
      })),
    ),
  );
  const merged = perReplica
    .flat()
    .filter((l) => !needle || l.text.toLowerCase().includes(needle))
    .sort((a, b) => a.at.getTime() - b.at.getTime());
  return { lines: merged.slice(-input.lines), replicas: replicas.map((r) => ({ id: r.id, name: r.name })) };
}

/**
 * Follows the logs of every current replica of a service (or one), yielding lines as they come. An unknown
 * service is refused (NotFound) before the stream starts, not inside it.
 */
export async function followLogs(
  ctx: ServiceContext,
  input: { serviceId: string; containerId?: string },
  signal: AbortSignal,
): Promise<AsyncGenerator<ServiceLogLine>> {
  return follow(ctx, await replicasOf(ctx, input.serviceId, input.containerId), signal);
}

async function* follow(
  ctx: ServiceContext,
  replicas: Replica[],
  signal: AbortSignal,
): AsyncGenerator<ServiceLogLine> {
  const queue: ServiceLogLine[] = [];
  let wake: (() => void) | null = null;
  const push = (l: ServiceLogLine) => {
    queue.push(l);
    wake?.();
  };
  const followers = replicas.map((r) =>
    ctx.docker
      .followLog(
        r.id,
        (l) => push({ ...l, containerId: r.id, replica: `r${r.revision}-${r.replica}` }),
        signal,
      )
      .catch(() => undefined),
  );
  const done = Promise.all(followers);
  while (!signal.aborted) {
    while (queue.length) yield queue.shift()!;
    const ended = await Promise.race([
      new Promise<'line'>((r) => (wake = () => r('line'))),
      done.then(() => 'ended' as const),
    ]);
    wake = null;
    if (ended === 'ended' && queue.length === 0) return;
  }
}

/** Plain text for a download: one line per log line, with time, replica and stream. */
export function logsAsText(lines: ServiceLogLine[]): string {
  return lines.map((l) => `${l.at.toISOString()} ${l.replica} ${l.stream} ${l.text}`).join('\n') + '\n';
}
