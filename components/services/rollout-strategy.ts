import type { z } from 'zod';
import { strategySchema } from '@/server/services/service/schema';

export type RolloutStrategy = z.output<typeof strategySchema>;
export type StrategyField = keyof RolloutStrategy;

/** The schema's own defaults: what a service gets when nobody chose a strategy. */
export const DEFAULT_STRATEGY: RolloutStrategy = strategySchema.parse({});

/** Revisions stored before strategies existed have none: the defaults apply to them. */
export const strategyOrDefault = (s: RolloutStrategy | undefined | null): RolloutStrategy =>
  s ?? DEFAULT_STRATEGY;

/** How each field is named and measured wherever a person reads it: form, diff, service header. */
export const STRATEGY_FIELDS: { key: StrategyField; name: string; unit: '' | ' s' }[] = [
  { key: 'maxSurge', name: 'max surge', unit: '' },
  { key: 'maxUnavailable', name: 'max unavailable', unit: '' },
  { key: 'minReadySeconds', name: 'min ready', unit: ' s' },
  { key: 'progressDeadlineSeconds', name: 'progress deadline', unit: ' s' },
];

/** One line for a header or a collapsed section: "max surge 1 · max unavailable 0 · …". */
export function summarizeStrategy(s: Record<StrategyField, number | string>): string {
  return STRATEGY_FIELDS.map((f) => `${f.name} ${String(s[f.key]).trim() || '—'}${f.unit}`).join(' · ');
}

/** "max surge 1 → 2", one line per field that differs. */
export function strategyChanges(from: RolloutStrategy, to: RolloutStrategy): string[] {
  return STRATEGY_FIELDS.filter((f) => from[f.key] !== to[f.key]).map(
    (f) => `${f.name} ${from[f.key]}${f.unit} → ${to[f.key]}${f.unit}`,
  );
}

/** The form keeps what was typed, so a half-typed number is not rewritten under the cursor. */
export type StrategyForm = Record<StrategyField, string>;

export function strategyToForm(s: RolloutStrategy | undefined | null): StrategyForm {
  const v = strategyOrDefault(s);
  return {
    maxSurge: String(v.maxSurge),
    maxUnavailable: String(v.maxUnavailable),
    minReadySeconds: String(v.minReadySeconds),
    progressDeadlineSeconds: String(v.progressDeadlineSeconds),
  };
}

/** Blank and junk become NaN, so the schema reports them next to the field. */
const num = (s: string) => (s.trim() === '' ? Number.NaN : Number(s));

export function strategyFromForm(f: StrategyForm): RolloutStrategy {
  return {
    maxSurge: num(f.maxSurge),
    maxUnavailable: num(f.maxUnavailable),
    minReadySeconds: num(f.minReadySeconds),
    progressDeadlineSeconds: num(f.progressDeadlineSeconds),
  };
}
