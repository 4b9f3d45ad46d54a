'use client';

import { Field } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { resourcesOrDefault, type Resources } from '@/server/services/service/schema';

type ResourceField = keyof Resources;

/** The form keeps what was typed; blank means "none" for every resource. */
export type ResourcesForm = Record<ResourceField, string>;

export function resourcesToForm(r: Partial<Resources> | null | undefined): ResourcesForm {
  const v = resourcesOrDefault(r);
  const text = (n: number | null) => (n === null ? '' : String(n));
  return {
    cpus: text(v.cpus),
    memoryMb: text(v.memoryMb),
    cpuReservation: text(v.cpuReservation),
    memoryReservationMb: text(v.memoryReservationMb),
    pidsLimit: text(v.pidsLimit),
  };
}

/** Blank is null (every resource is optional); junk is NaN, so the schema reports it next to the field. */
const optionalNum = (s: string) => (s.trim() === '' ? null : Number(s));

export function resourcesFromForm(f: ResourcesForm): Resources {
  return {
    cpus: optionalNum(f.cpus),
    memoryMb: optionalNum(f.memoryMb),
    cpuReservation: optionalNum(f.cpuReservation),
    memoryReservationMb: optionalNum(f.memoryReservationMb),
    pidsLimit: optionalNum(f.pidsLimit),
  };
}

/** One line for a collapsed section: "limit 2 CPU, 2048 MiB · reserved 1 CPU, 1024 MiB · 512 PIDs". */
export function summarizeResources(f: ResourcesForm): string {
  const t = (s: string) => s.trim();
  const pair = (cpu: string, mem: string) =>
    [t(cpu) && `${t(cpu)} CPU`, t(mem) && `${t(mem)} MiB`].filter(Boolean).join(', ');
  const parts = [
    pair(f.cpus, f.memoryMb) && `limit ${pair(f.cpus, f.memoryMb)}`,
    pair(f.cpuReservation, f.memoryReservationMb) &&
      `reserved ${pair(f.cpuReservation, f.memoryReservationMb)}`,
    t(f.pidsLimit) && `${t(f.pidsLimit)} PIDs`,
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(' · ') : 'no limits, nothing reserved';
}

const FIELDS: {
  key: ResourceField;
  label: string;
  hint: string;
  min: number;
  step: string;
  inputMode: 'numeric' | 'decimal';
}[] = [
  {
    key: 'cpus',
    label: 'CPU limit (CPUs)',
    hint: 'e.g. 0.5 or 2',
    min: 0.01,
    step: '0.01',
    inputMode: 'decimal',
  },
  { key: 'memoryMb', label: 'Memory limit (MiB)', hint: 'e.g. 256', min: 6, step: '1', inputMode: 'numeric' },
  {
    key: 'pidsLimit',
    label: 'PIDs limit',
    hint: 'Processes and threads, e.g. 512',
    min: 8,
    step: '1',
    inputMode: 'numeric',
  },
  {
    key: 'cpuReservation',
    label: 'CPU reservation (CPUs)',
    hint: 'At most the CPU limit.',
    min: 0.01,
    step: '0.01',
    inputMode: 'decimal',
  },
  {
    key: 'memoryReservationMb',
    label: 'Memory reservation (MiB)',
    hint: 'At most the memory limit.',
    min: 6,
    step: '1',
    inputMode: 'numeric',
  },
];

type Props = {
  value: ResourcesForm;
  onChange: (value: ResourcesForm) => void;
  errorFor: (field: ResourceField) => string | undefined;
};

/** Per-replica limits (kernel-enforced caps) and reservations (what the host promises each replica). */
export function ResourceFields({ value, onChange, errorFor }: Props) {
  const field = (f: (typeof FIELDS)[number]) => (
    <Field key={f.key} label={f.label} optional hint={f.hint} error={errorFor(f.key)}>
      {(c) => (
        <Input
          {...c}
          type="number"
          inputMode={f.inputMode}
          min={f.min}
          step={f.step}
          placeholder="none"
          value={value[f.key]}
          onChange={(e) => onChange({ ...value, [f.key]: e.target.value })}
        />
      )}
    </Field>
  );
  return (
    <div className="space-y-4">
      <div className="grid gap-4 sm:grid-cols-3">{FIELDS.slice(0, 3).map(field)}</div>
      <div className="grid gap-4 sm:grid-cols-3">{FIELDS.slice(3).map(field)}</div>
    </div>
  );
}
