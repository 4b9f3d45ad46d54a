import { z } from 'zod';

/** Inputs of the metrics verbs: zod only, so forms and pickers in client code can import them. */

export const metricRanges = ['15m', '1h', '24h', '7d'] as const;
export type MetricRange = (typeof metricRanges)[number];

export const metricSeriesInput = z.object({
  serviceId: z.string().uuid(),
  range: z.enum(metricRanges).default('1h'),
  /** service: one line per metric, aggregated across replicas; replicas: one line per container. */
  view: z.enum(['service', 'replicas']).default('service'),
});

export const uptimeWindows = ['24h', '7d', '30d'] as const;
export type UptimeWindow = (typeof uptimeWindows)[number];

export const uptimeInput = z.object({ serviceId: z.string().uuid().optional() }).default({});

export const burnWindows = ['5m', '30m', '1h', '6h'] as const;
export type BurnWindow = (typeof burnWindows)[number];

export const sloInput = z.object({ serviceId: z.string().uuid() });

export const setSloTargetInput = z.object({
  serviceId: z.string().uuid(),
  /** Availability objective in percent, e.g. 99.9; null removes it. */
  targetPercent: z
    .number()
    .min(50, 'An availability objective below 50 % is not an objective')
    .max(99.999, 'At most 99.999 %: above that a 30-day error budget is shorter than one sample')
    .nullable(),
});

export const doraInput = z
  .object({
    serviceId: z.string().uuid().optional(),
    weeks: z.number().int().min(1).max(52).default(8),
  })
  .default({ weeks: 8 });
