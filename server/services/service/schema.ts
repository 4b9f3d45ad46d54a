import { z } from 'zod';
import { registryHostProblem } from '../registries/schema';
import { safeText } from '../safe-text';

const IMAGE_RE =
  /^(?:[a-z0-9.-]+(?::[0-9]+)?\/)?[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/;

export const serviceNameSchema = z
  .string()
  .trim()
  .min(2, 'Name needs at least 2 characters')
  .max(40, 'Name can have at most 40 characters')
  .regex(/^[a-z][a-z0-9-]*[a-z0-9]$/, 'Use lowercase letters, digits and dashes, starting with a letter');

export const envVarSchema = z.object({
  name: z
    .string()
    .trim()
    .min(1, 'Variable name is required')
    .max(128)
    .regex(
      /^[A-Za-z_][A-Za-z0-9_]*$/,
      'Variable names use letters, digits and _ and do not start with a digit',
    ),
  /** Omitted on a secret that already exists: keep the stored value. */
  value: safeText('Variable value').max(32_768, 'Value is too long (32 KiB at most)').optional(),
  secret: z.boolean().default(false),
});

/** A number of seconds within bounds; every refusal names the field, a blank one included. */
const seconds = (name: string, min: number, max: number) => {
  const message = `${name} must be ${min}–${max} seconds`;
  return z.number({ error: message }).min(min, message).max(max, message);
};
const wholeNumber = (name: string, min: number, max: number) => {
  const message = `${name} must be a whole number ${min}–${max}`;
  return z.number({ error: message }).int(message).min(min, message).max(max, message);
};

export const healthCheckSchema = z.object({
  type: z.enum(['http', 'tcp', 'none']).default('http'),
  path: z
    .string()
    .trim()
    .regex(/^\/[\x21-\x7e]*$/, 'Health path must start with / and have no spaces')
    .default('/healthz'),
  intervalSeconds: seconds('Health check interval', 0.2, 300).default(2),
  timeoutSeconds: seconds('Health check timeout', 0.1, 60).default(1),
  healthyThreshold: wholeNumber('Healthy after', 1, 10).default(1),
  unhealthyThreshold: wholeNumber('Unhealthy after', 1, 10).default(3),
  /** Failures in the first seconds of a replica's life do not fail a deploy (boot time). */
  startPeriodSeconds: seconds('Start period', 0, 600).default(10),
});

export const strategySchema = z
  .object({
    /** Extra replicas of the new revision that may run above the desired count during a rollout. */
    maxSurge: z
      .number({ error: 'Max surge must be a whole number 0–50' })
      .int('Max surge must be a whole number 0–50')
      .min(0, 'Max surge must be a whole number 0–50')
      .max(50, 'Max surge must be a whole number 0–50')
      .default(1),
    /** Replicas below the desired count that may be unavailable during a rollout (0: start-first). */
    maxUnavailable: z
      .number({ error: 'Max unavailable must be a whole number 0–50' })
      .int('Max unavailable must be a whole number 0–50')
      .min(0, 'Max unavailable must be a whole number 0–50')
      .max(50, 'Max unavailable must be a whole number 0–50')
      .default(0),
    /** A new replica counts as available only after being healthy this long. */
    minReadySeconds: z
      .number({ error: 'Min ready must be 0–600 seconds' })
      .min(0, 'Min ready must be 0–600 seconds')
      .max(600, 'Min ready must be 0–600 seconds')
      .default(0),
    /** The deployment fails (and rolls back) if it has not finished by then. */
    progressDeadlineSeconds: z
      .number({ error: 'Progress deadline must be a whole number of seconds, 10–3600' })
      .int('Progress deadline must be a whole number of seconds, 10–3600')
      .min(10, 'Progress deadline must be a whole number of seconds, 10–3600')
      .max(3600, 'Progress deadline must be a whole number of seconds, 10–3600')
      .default(300),
  })
  .refine((s) => s.maxSurge + s.maxUnavailable > 0, 'Max surge and max unavailable cannot both be 0');

export const MAX_REPLICAS = 50;
export const replicaCountSchema = z
  .number({ error: `Replicas must be a whole number 0–${MAX_REPLICAS}` })
  .int(`Replicas must be a whole number 0–${MAX_REPLICAS}`)
  .min(0, `Replicas must be a whole number 0–${MAX_REPLICAS}`)
  .max(MAX_REPLICAS, `Replicas must be a whole number 0–${MAX_REPLICAS}`);

/**
 * Per-replica limits (enforced by the kernel, changed live without a restart) and reservations (what the
 * replica is promised: checked against the host's capacity before a scale or deploy is accepted).
 */
export const resourcesSchema = z
  .object({
    cpus: z
      .number({ error: 'CPU limit must be a number of CPUs, at least 0.01' })
      .min(0.01, 'CPU limit must be at least 0.01 CPUs')
      .max(1024, 'CPU limit can be at most 1024 CPUs')
      .nullable()
      .default(null),
    memoryMb: z
      .number({ error: 'Memory limit must be a whole number of MiB, at least 6' })
      .int('Memory limit must be a whole number of MiB')
      .min(6, 'Memory limit must be at least 6 MiB')
      .max(4_194_304, 'Memory limit can be at most 4 TiB')
      .nullable()
      .default(null),
    cpuReservation: z
      .number({ error: 'CPU reservation must be a number of CPUs' })
      .min(0.01, 'CPU reservation must be at least 0.01 CPUs')
      .max(1024, 'CPU reservation can be at most 1024 CPUs')
      .nullable()
      .default(null),
    memoryReservationMb: z
      .number({ error: 'Memory reservation must be a whole number of MiB' })
      .int('Memory reservation must be a whole number of MiB')
      .min(6, 'Memory reservation must be at least 6 MiB')
      .max(4_194_304, 'Memory reservation can be at most 4 TiB')
      .nullable()
      .default(null),
    pidsLimit: z
      .number({ error: 'PIDs limit must be a whole number, at least 8' })
      .int('PIDs limit must be a whole number')
      .min(8, 'PIDs limit must be at least 8')
      .max(4_194_304, 'PIDs limit can be at most 4194304')
      .nullable()
      .default(null),
  })
  .refine((r) => r.cpus === null || r.cpuReservation === null || r.cpuReservation <= r.cpus, {
    message: 'CPU reservation cannot be more than the CPU limit',
    path: ['cpuReservation'],
  })
  .refine(
    (r) => r.memoryMb === null || r.memoryReservationMb === null || r.memoryReservationMb <= r.memoryMb,
    { message: 'Memory reservation cannot be more than the memory limit', path: ['memoryReservationMb'] },
  );
export type Resources = z.output<typeof resourcesSchema>;
export const NO_RESOURCES: Resources = {
  cpus: null,
  memoryMb: null,
  cpuReservation: null,
  memoryReservationMb: null,
  pidsLimit: null,
};
/** Revisions stored before reservations and the PIDs limit existed lack them: null applies. */
export const resourcesOrDefault = (r: Partial<Resources> | undefined | null): Resources => ({
  ...NO_RESOURCES,
  ...r,
});

/** A spec is read with every list of services: these keep it small (a request body is 1 MiB by default). */
const MAX_ENV_VARS = 200;
const MAX_ENV_BYTES = 128 * 1024;
const MAX_LABELS = 64;
const MAX_LABEL_KEY = 128;

export const serviceSpecSchema = z.object({
  image: z
    .string()
    .trim()
    .min(1, 'Image is required')
    .max(255)
    .regex(IMAGE_RE, 'Image must look like name, org/name or registry.example.com/org/name (no tag here)')
    .superRefine((image, ctx) => {
      // Docker reads the first part as a registry when it has a dot or a port or is localhost.
      const [first, ...rest] = image.split('/');
      if (rest.length === 0 || !first || !(/[.:]/.test(first) || first === 'localhost')) return;
      const problem = registryHostProblem(first);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
  tag: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, 'Tag must be letters, digits, _ . - (e.g. v1 or 1.2.3)'),
  port: z
    .number({ error: 'Port must be 1–65535' })
    .int('Port must be a whole number 1–65535')
    .min(1, 'Port must be 1–65535')
    .max(65535, 'Port must be 1–65535'),
  env: z
    .array(envVarSchema)
    .max(MAX_ENV_VARS, `A service can have at most ${MAX_ENV_VARS} environment variables`)
    .default([])
    .refine(
      (vars) => new Set(vars.map((v) => v.name)).size === vars.length,
      'Each variable name may appear once',
    )
    .refine(
      (vars) => vars.reduce((sum, v) => sum + (v.value?.length ?? 0), 0) <= MAX_ENV_BYTES,
      `Environment values can have at most ${MAX_ENV_BYTES / 1024} KiB together`,
    ),
  healthCheck: healthCheckSchema.default(healthCheckSchema.parse({})),
  strategy: strategySchema.default(strategySchema.parse({})),
  resources: resourcesSchema.default(NO_RESOURCES),
  /** Stable endpoint port on 127.0.0.1; chosen by Capstan when absent, kept across revisions. */
  endpointPort: z
    .number()
    .int()
    .min(1024, 'Endpoint port must be 1024–65535')
    .max(65535)
    .nullable()
    .default(null),
  labels: z
    .record(
      z
        .string()
        .max(MAX_LABEL_KEY, `Label keys can have at most ${MAX_LABEL_KEY} characters`)
        .regex(/^[a-z0-9][a-z0-9._-]*$/, 'Label keys use lowercase letters, digits, . _ -'),
      safeText('Label value').max(256, 'Label values can have at most 256 characters'),
      // Zod reports a bad key as "Invalid key in record"; the key's own message says what is expected.
      { error: (issue) => (issue.code === 'invalid_key' ? issue.issues[0]?.message : undefined) },
    )
    .default({})
    .refine((l) => Object.keys(l).length <= MAX_LABELS, `A service can have at most ${MAX_LABELS} labels`)
    .refine(
      (l) => !Object.keys(l).some((k) => k.startsWith('capstan.')),
      'Label keys starting with capstan. are reserved',
    ),
});
export type ServiceSpecInput = z.input<typeof serviceSpecSchema>;
export type ServiceSpec = z.output<typeof serviceSpecSchema>;

/** Why a change is made, as a person writes it: kept with the deployment and the events. */
const reasonSchema = safeText('Reason').trim().max(500, 'Reason can have at most 500 characters').default('');

/** Revisions are numbered in an integer column (32 bits). */
const MAX_REVISION = 2_147_483_647;

export const createServiceSchema = z.object({
  name: serviceNameSchema,
  description: safeText('Description')
    .trim()
    .max(500, 'Description can have at most 500 characters')
    .default(''),
  protected: z.boolean().default(false),
  spec: serviceSpecSchema,
  /** The initial replica count; later changed by scaling, never by a deploy. */
  replicas: replicaCountSchema.default(1),
  deploy: z.boolean().default(true),
});

export const deployServiceSchema = z.object({
  serviceId: z.string().uuid(),
  spec: serviceSpecSchema,
  reason: reasonSchema,
  /** When another deployment is under way: wait for it instead of refusing. */
  queue: z.boolean().default(false),
});

export const redeployRevisionSchema = z.object({
  serviceId: z.string().uuid(),
  revision: z
    .number({ error: `Revision must be a whole number 1–${MAX_REVISION}` })
    .int(`Revision must be a whole number 1–${MAX_REVISION}`)
    .min(1, `Revision must be a whole number 1–${MAX_REVISION}`)
    .max(MAX_REVISION, `Revision must be a whole number 1–${MAX_REVISION}`),
  reason: reasonSchema,
  queue: z.boolean().default(false),
});

export const scaleServiceSchema = z.object({
  serviceId: z.string().uuid(),
  replicas: replicaCountSchema,
  reason: reasonSchema,
});

export const restartServiceSchema = z.object({
  serviceId: z.string().uuid(),
  reason: reasonSchema,
});

export const restartReplicaSchema = z.object({
  serviceId: z.string().uuid(),
  containerId: z.string().regex(/^[0-9a-f]{12,64}$/, 'Container id must be 12–64 hex characters'),
  reason: reasonSchema,
});

export const cancelDeploymentSchema = z.object({
  deploymentId: z.string().uuid(),
  reason: reasonSchema,
});

export const serviceIdSchema = z.object({ serviceId: z.string().uuid() });

export type RolloutStrategy = z.output<typeof strategySchema>;
export type StrategyField = keyof RolloutStrategy;

/** The schema's own defaults: what a service gets when nobody chose a strategy. */
export const DEFAULT_STRATEGY: RolloutStrategy = strategySchema.parse({});

/** Revisions stored before strategies existed have none: the defaults apply to them. */
export const strategyOrDefault = (s: RolloutStrategy | undefined | null): RolloutStrategy =>
  s ?? DEFAULT_STRATEGY;

/** How each field is named and measured wherever a person reads it: form, diff, history, header. */
export const STRATEGY_FIELDS: { key: StrategyField; name: string; unit: '' | ' s' }[] = [
  { key: 'maxSurge', name: 'max surge', unit: '' },
  { key: 'maxUnavailable', name: 'max unavailable', unit: '' },
  { key: 'minReadySeconds', name: 'min ready', unit: ' s' },
  { key: 'progressDeadlineSeconds', name: 'progress deadline', unit: ' s' },
];

/** "max surge 1 → 2", one line per field that differs. */
export function strategyChanges(from: RolloutStrategy, to: RolloutStrategy): string[] {
  return STRATEGY_FIELDS.filter((f) => from[f.key] !== to[f.key]).map(
    (f) => `${f.name} ${from[f.key]}${f.unit} → ${to[f.key]}${f.unit}`,
  );
}
