import type { StoredSpec } from '@/db/schema';
import {
  resourcesOrDefault,
  STRATEGY_FIELDS,
  strategyOrDefault,
  type Resources,
  type RolloutStrategy,
  type StrategyField,
} from './schema';

/**
 * The one place that says how two specs differ, field by field: the revision history's summary, the deploy
 * form's "what changes" list, the rollback dialog and the choice between a live update and a rollout.
 * Pure (no database, no Docker), so the browser runs the same code as the server.
 */

type HealthCheck = StoredSpec['healthCheck'];
type HealthCheckField = keyof HealthCheck;
type ResourceField = keyof Resources;

/**
 * A spec as the server stores it (secret values sealed) or as a browser sees it (secret values null).
 * A secret whose value is null is "kept": it is not compared, since nobody here can see it.
 */
export type DiffableSpec = {
  image: string;
  tag: string;
  port: number;
  env: readonly { name: string; value: string | null; secret: boolean }[];
  healthCheck: HealthCheck;
  /** Legacy revisions carry a replica count; it is intent on the service now and never compared. */
  replicas?: number;
  strategy?: RolloutStrategy | null;
  resources?: Partial<Resources> | null;
  labels?: Record<string, string> | null;
  endpointPort?: number | null;
};

export type EnvChange =
  | { field: 'env'; name: string; change: 'added' | 'removed'; secret: boolean }
  /** A secret's value is never carried, not even sealed: only that it changed. */
  | { field: 'env'; name: string; change: 'changed'; secret: true }
  | { field: 'env'; name: string; change: 'changed'; secret: false; from: string; to: string }
  | { field: 'env'; name: string; change: 'made secret' | 'made plain'; secret: boolean };

export type SpecChange =
  | { field: 'created'; image: string }
  | { field: 'image'; from: string; to: string }
  | { field: 'port'; from: number; to: number }
  | EnvChange
  | { field: 'healthCheck'; key: HealthCheckField; from: string | number; to: string | number }
  | { field: 'resources'; key: ResourceField; from: number | null; to: number | null }
  | { field: 'strategy'; key: StrategyField; from: number; to: number }
  /** null: the label is absent on that side. */
  | { field: 'label'; key: string; from: string | null; to: string | null }
  | { field: 'endpointPort'; from: number | null; to: number | null };

export const HEALTH_CHECK_FIELDS: { key: HealthCheckField; name: string; unit: '' | ' s' }[] = [
  { key: 'type', name: 'type', unit: '' },
  { key: 'path', name: 'path', unit: '' },
  { key: 'intervalSeconds', name: 'interval', unit: ' s' },
  { key: 'timeoutSeconds', name: 'timeout', unit: ' s' },
  { key: 'healthyThreshold', name: 'healthy threshold', unit: '' },
  { key: 'unhealthyThreshold', name: 'unhealthy threshold', unit: '' },
  { key: 'startPeriodSeconds', name: 'start period', unit: ' s' },
];

export const RESOURCE_FIELDS: { key: ResourceField; name: string; unit: string }[] = [
  { key: 'cpus', name: 'CPU limit', unit: ' CPU' },
  { key: 'memoryMb', name: 'memory limit', unit: ' MiB' },
  { key: 'cpuReservation', name: 'CPU reservation', unit: ' CPU' },
  { key: 'memoryReservationMb', name: 'memory reservation', unit: ' MiB' },
  { key: 'pidsLimit', name: 'PIDs limit', unit: '' },
];

/** Docker's container update API changes these on a running container (reservations: memory reservation, CPU shares). */
const LIVE_RESOURCE_FIELDS: ReadonlySet<ResourceField> = new Set([
  'cpus',
  'memoryMb',
  'cpuReservation',
  'memoryReservationMb',
  'pidsLimit',
]);

const imageOf = (s: Pick<DiffableSpec, 'image' | 'tag'>) => `${s.image}:${s.tag}`;
const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

type EnvVar = DiffableSpec['env'][number];

function envChange(name: string, a: EnvVar | undefined, b: EnvVar | undefined): EnvChange | null {
  if (!a) return b ? { field: 'env', name, change: 'added', secret: b.secret } : null;
  if (!b) return { field: 'env', name, change: 'removed', secret: a.secret };
  if (a.secret !== b.secret)
    return { field: 'env', name, change: b.secret ? 'made secret' : 'made plain', secret: b.secret };
  // A sealed value that differs is a new value; null on the new side is a kept secret nobody here can see.
  if (b.secret)
    return b.value !== null && b.value !== a.value
      ? { field: 'env', name, change: 'changed', secret: true }
      : null;
  const [va, vb] = [a.value ?? '', b.value ?? ''];
  return va !== vb ? { field: 'env', name, change: 'changed', secret: false, from: va, to: vb } : null;
}

/**
 * What changes from `from` to `to`, one entry per field that differs. Fields are compared one by one,
 * never as JSON text: PostgreSQL's jsonb does not keep the key order a spec was written with.
 * `from === null` (a new service) is the single change `created`.
 */
export function diffSpecs(from: DiffableSpec | null, to: DiffableSpec): SpecChange[] {
  if (!from) return [{ field: 'created', image: imageOf(to) }];
  const out: SpecChange[] = [];

  if (imageOf(from) !== imageOf(to)) out.push({ field: 'image', from: imageOf(from), to: imageOf(to) });
  if (from.port !== to.port) out.push({ field: 'port', from: from.port, to: to.port });

  const names = [...new Set([...from.env, ...to.env].map((e) => e.name))].sort(byCodePoint);
  for (const name of names) {
    const change = envChange(
      name,
      from.env.find((e) => e.name === name),
      to.env.find((e) => e.name === name),
    );
    if (change) out.push(change);
  }

  for (const { key } of HEALTH_CHECK_FIELDS) {
    const a = from.healthCheck[key];
    const b = to.healthCheck[key];
    if (a !== b) out.push({ field: 'healthCheck', key, from: a, to: b });
  }

  const ra = resourcesOrDefault(from.resources);
  const rb = resourcesOrDefault(to.resources);
  for (const { key } of RESOURCE_FIELDS) {
    const a = ra[key] ?? null;
    const b = rb[key] ?? null;
    if (a !== b) out.push({ field: 'resources', key, from: a, to: b });
  }

  const sa = strategyOrDefault(from.strategy);
  const sb = strategyOrDefault(to.strategy);
  for (const { key } of STRATEGY_FIELDS) {
    if (sa[key] !== sb[key]) out.push({ field: 'strategy', key, from: sa[key], to: sb[key] });
  }

  const la = from.labels ?? {};
  const lb = to.labels ?? {};
  const keys = [...new Set([...Object.keys(la), ...Object.keys(lb)])].sort(byCodePoint);
  for (const key of keys) {
    const a = Object.hasOwn(la, key) ? la[key]! : null;
    const b = Object.hasOwn(lb, key) ? lb[key]! : null;
    if (a !== b) out.push({ field: 'label', key, from: a, to: b });
  }

  const ea = from.endpointPort ?? null;
  const eb = to.endpointPort ?? null;
  if (ea !== eb) out.push({ field: 'endpointPort', from: ea, to: eb });

  return out;
}

/** Plain values can be long (32 KiB): a line shows their start. */
function quote(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 39)}…` : value);
}

function describeEnv(c: EnvChange): string {
  switch (c.change) {
    case 'added':
      return `env ${c.name} added${c.secret ? ' (secret)' : ''}`;
    case 'removed':
      return `env ${c.name} removed`;
    case 'changed':
      return c.secret ? `env ${c.name} changed (secret)` : `env ${c.name} ${quote(c.from)} → ${quote(c.to)}`;
    case 'made secret':
    case 'made plain':
      return `env ${c.name} ${c.change}`;
  }
}

/** One change as a person reads it: "health check path /healthz → /ready". */
export function describeChange(c: SpecChange): string {
  switch (c.field) {
    case 'created':
      return `created with ${c.image}`;
    case 'image':
      return `image ${c.from} → ${c.to}`;
    case 'port':
      return `port ${c.from} → ${c.to}`;
    case 'env':
      return describeEnv(c);
    case 'healthCheck': {
      const f = HEALTH_CHECK_FIELDS.find((x) => x.key === c.key)!;
      return `health check ${f.name} ${c.from}${f.unit} → ${c.to}${f.unit}`;
    }
    case 'resources': {
      const f = RESOURCE_FIELDS.find((x) => x.key === c.key)!;
      const show = (v: number | null) => (v === null ? 'none' : `${v}${f.unit}`);
      return `${f.name} ${show(c.from)} → ${show(c.to)}`;
    }
    case 'strategy': {
      const f = STRATEGY_FIELDS.find((x) => x.key === c.key)!;
      return `${f.name} ${c.from}${f.unit} → ${c.to}${f.unit}`;
    }
    case 'label':
      if (c.from === null) return `label ${c.key} added (${quote(c.to ?? '')})`;
      if (c.to === null) return `label ${c.key} removed`;
      return `label ${c.key} ${quote(c.from)} → ${quote(c.to)}`;
    case 'endpointPort': {
      const show = (v: number | null) => (v === null ? 'auto' : String(v));
      return `endpoint port ${show(c.from)} → ${show(c.to)}`;
    }
  }
}

/** One line per change, for the lists in the deploy form and the rollback dialog. */
export function changeLines(changes: readonly SpecChange[]): string[] {
  return changes.map(describeChange);
}

/** The revision history's one-line summary: "image a:v1 → a:v2; health check path /healthz → /ready". */
export function describeChanges(changes: readonly SpecChange[]): string {
  return changes.length ? changeLines(changes).join('; ') : 'no change';
}

/**
 * True when there is a change and every change is a limit Docker updates on a running container. Lifting a
 * limit (a value → none) is not: Docker's update API reads 0 as "leave as it is", so that change rolls.
 */
export function onlyLiveChanges(changes: readonly SpecChange[]): boolean {
  return (
    changes.length > 0 &&
    changes.every((c) => c.field === 'resources' && LIVE_RESOURCE_FIELDS.has(c.key) && c.to !== null)
  );
}
