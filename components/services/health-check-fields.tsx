'use client';

import { Field } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { Select } from '@/components/ui/select';
import { CollapsibleSection, type SectionControl } from './collapsible-section';

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

type Props = SectionControl & {
  value: HealthCheckForm;
  onChange: (value: HealthCheckForm) => void;
  errorFor: (field: keyof HealthCheckForm) => string | undefined;
};

/** The collapsible "Advanced" section: how Capstan decides a replica is healthy. */
export function HealthCheckFields({ value, onChange, errorFor, ...section }: Props) {
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
    <CollapsibleSection
      title="Advanced: health check"
      summary={
        value.type === 'none'
          ? 'no health check'
          : value.type === 'http'
            ? `HTTP GET ${value.path}`
            : 'TCP connect'
      }
      {...section}
    >
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
    </CollapsibleSection>
  );
}
