import {
  STRATEGY_FIELDS,
  strategyOrDefault,
  type RolloutStrategy,
  type StrategyField,
} from '@/server/services/service/schema';

export {
  DEFAULT_STRATEGY,
  STRATEGY_FIELDS,
  strategyChanges,
  strategyOrDefault,
  type RolloutStrategy,
  type StrategyField,
} from '@/server/services/service/schema';

/** One line for a header or a collapsed section: "max surge 1 · max unavailable 0 · …". */
export function summarizeStrategy(s: Record<StrategyField, number | string>): string {
  return STRATEGY_FIELDS.map((f) => `${f.name} ${String(s[f.key]).trim() || '—'}${f.unit}`).join(' · ');
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
