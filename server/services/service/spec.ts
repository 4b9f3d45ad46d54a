import type { StoredSpec } from '@/db/schema';
import { Invalid } from '../errors';
import type { SecretBox } from '../secrets/box';
import { resourcesOrDefault, strategyChanges, strategyOrDefault, type ServiceSpec } from './schema';

/** Turns a validated spec into its stored form: secrets sealed, kept secrets carried over from `previous`. */
export function toStoredSpec(spec: ServiceSpec, box: SecretBox, previous: StoredSpec | null): StoredSpec {
  const env = spec.env.map((v) => {
    if (!v.secret) return { name: v.name, value: v.value ?? '', secret: false };
    if (v.value !== undefined) return { name: v.name, value: box.seal(v.value), secret: true };
    const kept = previous?.env.find((p) => p.name === v.name && p.secret);
    if (!kept) throw new Invalid(`Secret ${v.name} needs a value.`);
    return kept;
  });
  return {
    image: spec.image,
    tag: spec.tag,
    port: spec.port,
    env,
    healthCheck: spec.healthCheck,
    strategy: spec.strategy,
    resources: spec.resources,
    labels: spec.labels,
    endpointPort: spec.endpointPort ?? previous?.endpointPort ?? null,
  };
}

/** What a browser may see: secret values never leave the server. */
export function publicSpec(spec: StoredSpec) {
  return { ...spec, env: spec.env.map((v) => (v.secret ? { ...v, value: null } : v)) };
}
export type PublicSpec = ReturnType<typeof publicSpec>;

export function openEnv(spec: StoredSpec, box: SecretBox): Record<string, string> {
  return Object.fromEntries(spec.env.map((v) => [v.name, v.secret ? box.open(v.value) : v.value]));
}

export function imageRef(spec: Pick<StoredSpec, 'image' | 'tag'>): string {
  return `${spec.image}:${spec.tag}`;
}

/** One line a person reads in the revision history: what changed from the previous revision. */
export function summarizeChange(prev: StoredSpec | null, next: StoredSpec): string {
  if (!prev) return `created with ${imageRef(next)}`;
  const parts: string[] = [];
  if (imageRef(prev) !== imageRef(next)) parts.push(`image ${imageRef(prev)} → ${imageRef(next)}`);
  const names = new Set([...prev.env.map((e) => e.name), ...next.env.map((e) => e.name)]);
  const envChanged = [...names].filter((n) => {
    const a = prev.env.find((e) => e.name === n);
    const b = next.env.find((e) => e.name === n);
    return a?.value !== b?.value || a?.secret !== b?.secret;
  });
  if (envChanged.length) parts.push(`env ${envChanged.join(', ')}`);
  if (prev.port !== next.port) parts.push(`port ${prev.port} → ${next.port}`);
  if (JSON.stringify(prev.healthCheck) !== JSON.stringify(next.healthCheck)) parts.push('health check');
  if (JSON.stringify(prev.resources) !== JSON.stringify(next.resources)) parts.push('resources');
  parts.push(...strategyChanges(strategyOrDefault(prev.strategy), strategyOrDefault(next.strategy)));
  if (JSON.stringify(prev.labels) !== JSON.stringify(next.labels)) parts.push('labels');
  if ((prev.endpointPort ?? null) !== (next.endpointPort ?? null))
    parts.push(`endpoint port ${next.endpointPort}`);
  return parts.length ? parts.join('; ') : 'no change (redeploy)';
}

export const strategyOf = (spec: StoredSpec) => strategyOrDefault(spec.strategy);

/** Structural equality of JSON values, key order ignored (jsonb reorders keys). */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** True when the two templates differ, and only in limits and reservations Docker changes in place. */
export function onlyLiveChanges(running: StoredSpec, next: StoredSpec): boolean {
  const rest = (s: StoredSpec) => {
    const { resources: _r, replicas: _n, ...others } = s;
    return { ...others, strategy: strategyOrDefault(s.strategy), endpointPort: s.endpointPort ?? null };
  };
  const ra = resourcesOrDefault(running.resources);
  const rb = resourcesOrDefault(next.resources);
  return sameJson(rest(running), rest(next)) && !sameJson(ra, rb);
}
