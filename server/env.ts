import path from 'node:path';
import { z } from 'zod';
import { parseAddressRange, splitList, TrustedProxies } from './http/client-address';

const schema = z.object({
  DATABASE_URL: z.string().url().optional(),
  CAPSTAN_DATA_DIR: z.string().default('./data'),
  CAPSTAN_SECRET_KEY: z
    .string()
    .regex(/^[0-9a-f]{64}$/i, 'CAPSTAN_SECRET_KEY must be 64 hex characters (32 bytes)')
    .optional(),
  CAPSTAN_RECONCILE_INTERVAL_MS: z.coerce.number().int().min(200).default(2000),
  CAPSTAN_PROBE_INTERVAL_MS: z.coerce.number().int().min(100).default(1000),
  CAPSTAN_ENGINE: z.enum(['on', 'off']).default('on'),
  CAPSTAN_COLLECT_INTERVAL_MS: z.coerce.number().int().min(500).default(5000),
  CAPSTAN_ROLLUP_INTERVAL_MS: z.coerce.number().int().min(1000).default(60_000),
  CAPSTAN_METRICS_RAW_RETENTION_HOURS: z.coerce.number().int().min(1).default(24),
  CAPSTAN_METRICS_1M_RETENTION_DAYS: z.coerce.number().int().min(1).default(7),
  CAPSTAN_METRICS_1H_RETENTION_DAYS: z.coerce.number().int().min(7).default(90),
  /** The bearer token GET /api/metrics wants; without it, one is generated into the data dir. */
  CAPSTAN_METRICS_TOKEN: z.string().min(16, 'CAPSTAN_METRICS_TOKEN needs at least 16 characters').optional(),
  /** `true` serves GET /api/metrics to anyone, without a token. */
  CAPSTAN_METRICS_PUBLIC: z.enum(['true', 'false']).default('false'),
  /** Proxies whose X-Forwarded-For / -Host / -Proto are believed: IPs or CIDRs, comma-separated. */
  CAPSTAN_TRUSTED_PROXIES: z
    .string()
    .default('')
    .superRefine((list, ctx) => {
      for (const entry of splitList(list)) {
        if (!parseAddressRange(entry))
          ctx.addIssue({ code: 'custom', message: `"${entry}" is not an IP address or CIDR range` });
      }
    }),
  CAPSTAN_SECURE_COOKIES: z.enum(['true', 'false']).default('false'),
  /** Largest request body the API reads (bytes); larger ones are refused with 413 before parsing. */
  CAPSTAN_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(64 * 1024)
    .default(1024 * 1024),
  /** Most calls in one batched tRPC request; the console batches at most 10. */
  CAPSTAN_MAX_BATCH_CALLS: z.coerce.number().int().min(10).max(1000).default(20),
});

export type Env = z.infer<typeof schema>;

let cached: Env | undefined;

export function env(): Env {
  if (!cached) {
    const parsed = schema.safeParse(process.env);
    if (!parsed.success) {
      const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
      throw new Error(`Capstan configuration is invalid:\n${lines}`);
    }
    cached = parsed.data;
  }
  return cached;
}

export function dataDir(): string {
  return path.resolve(env().CAPSTAN_DATA_DIR);
}

let trusted: TrustedProxies | undefined;

/** CAPSTAN_TRUSTED_PROXIES, parsed once. */
export function trustedProxies(): TrustedProxies {
  trusted ??= TrustedProxies.parse(env().CAPSTAN_TRUSTED_PROXIES);
  return trusted;
}
