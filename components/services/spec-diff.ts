import type { ServiceSpecView } from '@/components/router-types';
import { strategyChanges, strategyOrDefault } from './rollout-strategy';

const ref = (s: Pick<ServiceSpecView, 'image' | 'tag'>) => `${s.image}:${s.tag}`;

/**
 * What deploying `to` changes compared with `from`, one line per change, for confirm dialogs.
 * Secret values never reach the browser, so a changed secret shows only as "may differ".
 */
export function specChanges(from: ServiceSpecView | null, to: ServiceSpecView): string[] {
  if (!from) return [`image ${ref(to)}`, `${to.replicas} replica(s)`];
  const out: string[] = [];
  if (ref(from) !== ref(to)) out.push(`image ${ref(from)} → ${ref(to)}`);
  if (from.replicas !== to.replicas) out.push(`replicas ${from.replicas} → ${to.replicas}`);
  if (from.port !== to.port) out.push(`port ${from.port} → ${to.port}`);
  const names = [...new Set([...from.env.map((e) => e.name), ...to.env.map((e) => e.name)])].sort();
  for (const name of names) {
    const a = from.env.find((e) => e.name === name);
    const b = to.env.find((e) => e.name === name);
    if (!a && b) out.push(`adds ${b.secret ? 'secret ' : ''}${name}`);
    else if (a && !b) out.push(`removes ${name}`);
    else if (a && b && a.secret !== b.secret) out.push(`${name} becomes ${b.secret ? 'secret' : 'plain'}`);
    else if (a && b && !a.secret && a.value !== b.value) out.push(`${name}: "${a.value}" → "${b.value}"`);
  }
  if (JSON.stringify(from.healthCheck) !== JSON.stringify(to.healthCheck)) out.push('health check settings');
  if (JSON.stringify(from.resources) !== JSON.stringify(to.resources)) {
    const r = (x: ServiceSpecView['resources']) =>
      `${x.cpus ?? '∞'} CPU, ${x.memoryMb ? `${x.memoryMb} MiB` : '∞ memory'}`;
    out.push(`resources ${r(from.resources)} → ${r(to.resources)}`);
  }
  out.push(...strategyChanges(strategyOrDefault(from.strategy), strategyOrDefault(to.strategy)));
  if (JSON.stringify(from.labels) !== JSON.stringify(to.labels)) out.push('labels');
  return out;
}
