'use client';

import { useId } from 'react';
import { Field, type ControlProps } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { CollapsibleSection, type SectionControl } from './collapsible-section';
import {
  DEFAULT_STRATEGY,
  summarizeStrategy,
  type StrategyField,
  type StrategyForm,
} from './rollout-strategy';

type Props = SectionControl & {
  value: StrategyForm;
  onChange: (value: StrategyForm) => void;
  errorFor: (field: StrategyField) => string | undefined;
  /** A problem with the strategy as a whole (surge and unavailable both 0): shown beside both budgets. */
  strategyError?: string;
};

const LIMITS: Record<
  StrategyField,
  { min: number; max: number; step: string; inputMode: 'numeric' | 'decimal' }
> = {
  maxSurge: { min: 0, max: 50, step: '1', inputMode: 'numeric' },
  maxUnavailable: { min: 0, max: 50, step: '1', inputMode: 'numeric' },
  minReadySeconds: { min: 0, max: 600, step: '0.5', inputMode: 'decimal' },
  progressDeadlineSeconds: { min: 10, max: 3600, step: '1', inputMode: 'numeric' },
};

/** The collapsible "Rollout strategy" section: how fast a deploy replaces replicas, and when it gives up. */
export function RolloutStrategyFields({ value, onChange, errorFor, strategyError, ...section }: Props) {
  const strategyErrorId = `${useId()}-error`;

  const numberField = (key: StrategyField, label: string, hint: string, sharesStrategyError = false) => {
    const limits = LIMITS[key];
    const control = (c: ControlProps) => {
      const invalid = c['aria-invalid'] ?? (sharesStrategyError && strategyError ? true : undefined);
      const describedBy =
        [sharesStrategyError && strategyError ? strategyErrorId : null, c['aria-describedby']]
          .filter(Boolean)
          .join(' ') || undefined;
      return (
        <Input
          {...c}
          aria-invalid={invalid}
          aria-describedby={describedBy}
          type="number"
          inputMode={limits.inputMode}
          min={limits.min}
          max={limits.max}
          step={limits.step}
          value={value[key]}
          onChange={(e) => onChange({ ...value, [key]: e.target.value })}
        />
      );
    };
    return (
      <Field label={label} hint={`${hint} Default ${DEFAULT_STRATEGY[key]}.`} error={errorFor(key)}>
        {control}
      </Field>
    );
  };

  return (
    <CollapsibleSection title="Rollout strategy" summary={summarizeStrategy(value)} {...section}>
      <p className="text-xs text-zinc-500 dark:text-zinc-400">
        How a deploy replaces running replicas with new ones, a few at a time.
      </p>
      <div className="space-y-1">
        <div className="grid gap-4 sm:grid-cols-2">
          {numberField(
            'maxSurge',
            'Max surge',
            'Extra replicas started above the desired count during a rollout.',
            true,
          )}
          {numberField(
            'maxUnavailable',
            'Max unavailable',
            'Replicas that may be missing below the desired count. 0 = start-first: an old replica stops only after the new one is healthy.',
            true,
          )}
        </div>
        {strategyError && (
          <p id={strategyErrorId} className="text-xs text-red-600 dark:text-red-400">
            {strategyError}: a rollout could neither start a new replica nor stop an old one.
          </p>
        )}
      </div>
      <div className="grid gap-4 sm:grid-cols-2">
        {numberField(
          'minReadySeconds',
          'Min ready (s)',
          'A new replica counts as available only after being healthy this long.',
        )}
        {numberField(
          'progressDeadlineSeconds',
          'Progress deadline (s)',
          'The deploy fails and rolls back if it has not finished by then.',
        )}
      </div>
    </CollapsibleSection>
  );
}
