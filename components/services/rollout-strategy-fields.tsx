'use client';

import { useId } from 'react';
import { Card, CardBody } from '@/components/ui/card';
import { cx } from '@/components/ui/class-names';
import { Field, type ControlProps } from '@/components/ui/field';
import { focusRing } from '@/components/ui/focus-ring';
import { ChevronRightIcon } from '@/components/ui/icons';
import { Input } from '@/components/ui/input';
import {
  DEFAULT_STRATEGY,
  summarizeStrategy,
  type StrategyField,
  type StrategyForm,
} from './rollout-strategy';

type Props = {
  open: boolean;
  onToggle: () => void;
  value: StrategyForm;
  onChange: (value: StrategyForm) => void;
  errorFor: (field: StrategyField) => string | undefined;
  /** A problem with the strategy as a whole (surge and unavailable both 0): shown beside both budgets. */
  strategyError?: string;
  /** 2 where the section stands on its own in a page, 3 inside a card that has its own heading. */
  headingLevel?: 2 | 3;
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
export function RolloutStrategyFields({
  open,
  onToggle,
  value,
  onChange,
  errorFor,
  strategyError,
  headingLevel = 2,
}: Props) {
  const id = useId();
  const bodyId = `${id}-body`;
  const strategyErrorId = `${id}-error`;
  const Heading = headingLevel === 2 ? 'h2' : 'h3';

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
    <Card>
      <Heading>
        <button
          type="button"
          aria-expanded={open}
          aria-controls={bodyId}
          onClick={onToggle}
          className={cx('flex w-full items-center gap-2 rounded-lg px-4 py-3 text-left', focusRing)}
        >
          <ChevronRightIcon
            className={cx('size-4 shrink-0 text-zinc-400 transition-transform', open && 'rotate-90')}
          />
          <span className="shrink-0 text-sm font-semibold text-zinc-900 dark:text-zinc-100">
            Rollout strategy
          </span>
          <span className="ml-auto truncate text-xs font-normal text-zinc-500 dark:text-zinc-400">
            {summarizeStrategy(value)}
          </span>
        </button>
      </Heading>
      {open && (
        <CardBody id={bodyId} className="space-y-4 border-t border-zinc-200 dark:border-zinc-800">
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
        </CardBody>
      )}
    </Card>
  );
}
