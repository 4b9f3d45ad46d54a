import type { StoredSpec } from '@/db/schema';
import { Invalid } from '../errors';
import type { SecretBox } from '../secrets/box';
import { strategyOrDefault, type ServiceSpec } from './schema';
import { describeChanges, diffSpecs } from './spec-diff';

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

/**
 * One line a person reads in the revision history: what changed from `prev`, the revision that was running
 * (null: the service is new).
 */
export function summarizeChange(prev: StoredSpec | null, next: StoredSpec): string {
  return describeChanges(diffSpecs(prev, next));
}

export const strategyOf = (spec: StoredSpec) => strategyOrDefault(spec.strategy);
