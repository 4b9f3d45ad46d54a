import type { z } from 'zod';
import { strategySchema } from './schema';

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
