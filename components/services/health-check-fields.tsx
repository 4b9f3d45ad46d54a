'use client';

import { useId } from 'react';
import { Card, CardBody } from '@/components/ui/card';
import { cx } from '@/components/ui/class-names';
import { Field } from '@/components/ui/field';
import { focusRing } from '@/components/ui/focus-ring';
import { ChevronRightIcon } from '@/components/ui/icons';
import { Input } from '@/components/ui/input';
import { Select } from '@/components/ui/select';

export type HealthCheckForm = {
  type: 'http' | 'tcp' | 'none';
  path: string;
  intervalSeconds: string;
  timeoutSeconds: string;
  healthyThreshold: string;
  unhealthyThreshold: string;
  startPeriodSeconds: string;
};

const num = (s: string) => (s.trim() === '' ? Number.NaN : Number(s));

type HealthCheck = {
  type: HealthCheckForm['type'];
  path: string;
  intervalSeconds: number;
  timeoutSeconds: number;
  healthyThreshold: number;
  unhealthyThreshold: number;
  startPeriodSeconds: number;
};

/** The form keeps what was typed; it starts from a stored check or the schema's defaults. */
export function healthCheckToForm(h: HealthCheck): HealthCheckForm {
  return {
    type: h.type,
    path: h.path,
    intervalSeconds: String(h.intervalSeconds),
    timeoutSeconds: String(h.timeoutSeconds),
    healthyThreshold: String(h.healthyThreshold),
    unhealthyThreshold: String(h.unhealthyThreshold),
    startPeriodSeconds: String(h.startPeriodSeconds),
  };
}

/** Blank and junk become NaN, so the schema reports them next to the field. */
export function healthCheckFromForm(h: HealthCheckForm) {
  return {
    type: h.type,
    path: h.path,
    intervalSeconds: num(h.intervalSeconds),
    timeoutSeconds: num(h.timeoutSeconds),
    healthyThreshold: num(h.healthyThreshold),
    unhealthyThreshold: num(h.unhealthyThreshold),
    startPeriodSeconds: num(h.startPeriodSeconds),
  };
}

type Props = {
  open: boolean;
  onToggle: () => void;
  value: HealthCheckForm;
  onChange: (value: HealthCheckForm) => void;
  errorFor: (field: keyof HealthCheckForm) => string | undefined;
  /** 2 where the section stands on its own in a page, 3 inside a card that has its own heading. */
  headingLevel?: 2 | 3;
};

/** The collapsible "Advanced" section: how Capstan decides a replica is healthy. */
export function HealthCheckFields({ open, onToggle, value, onChange, errorFor, headingLevel = 2 }: Props) {
  const bodyId = `${useId()}-body`;
  const Heading = headingLevel === 2 ? 'h2' : 'h3';
  const set = (key: keyof HealthCheckForm) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) =>
    onChange({ ...value, [key]: e.target.value });
  const numberField = (key: keyof HealthCheckForm, label: string, hint?: string, step = '1') => (
    <Field label={label} hint={hint} error={errorFor(key)}>
      {(c) => (
        <Input
          {...c}
          type="number"
          step={step}
          min={0}
          value={value[key]}
          onChange={set(key)}
          disabled={value.type === 'none'}
        />
      )}
    </Field>
  );
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
            className={cx('size-4 text-zinc-400 transition-transform', open && 'rotate-90')}
          />
          <span className="text-sm font-semibold text-zinc-900 dark:text-zinc-100">
            Advanced: health check
          </span>
          <span className="ml-auto truncate text-xs font-normal text-zinc-500 dark:text-zinc-400">
            {value.type === 'none'
              ? 'no health check'
              : value.type === 'http'
                ? `HTTP GET ${value.path}`
                : 'TCP connect'}
          </span>
        </button>
      </Heading>
      {open && (
        <CardBody id={bodyId} className="space-y-4 border-t border-zinc-200 dark:border-zinc-800">
          <div className="grid gap-4 sm:grid-cols-[minmax(0,1fr)_minmax(0,2fr)]">
            <Field label="Type" error={errorFor('type')}>
              {(c) => (
                <Select {...c} value={value.type} onChange={set('type')}>
                  <option value="http">HTTP</option>
                  <option value="tcp">TCP</option>
                  <option value="none">None</option>
                </Select>
              )}
            </Field>
            <Field label="Path" hint="Answered with 2xx or 3xx when healthy." error={errorFor('path')}>
              {(c) => (
                <Input
                  {...c}
                  value={value.path}
                  onChange={set('path')}
                  disabled={value.type !== 'http'}
                  className="font-mono text-xs"
                  spellCheck={false}
                />
              )}
            </Field>
          </div>
          <div className="grid gap-4 sm:grid-cols-3 lg:grid-cols-5">
            {numberField('intervalSeconds', 'Interval (s)', undefined, '0.1')}
            {numberField('timeoutSeconds', 'Timeout (s)', undefined, '0.1')}
            {numberField('healthyThreshold', 'Healthy after', 'passes in a row')}
            {numberField('unhealthyThreshold', 'Unhealthy after', 'failures in a row')}
            {numberField('startPeriodSeconds', 'Start period (s)', 'grace while booting')}
          </div>
        </CardBody>
      )}
    </Card>
  );
}
