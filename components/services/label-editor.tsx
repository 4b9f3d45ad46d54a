'use client';

import { useId } from 'react';
import { Button } from '@/components/ui/button';
import { cx } from '@/components/ui/class-names';
import { focusRing } from '@/components/ui/focus-ring';
import { PlusIcon, TrashIcon } from '@/components/ui/icons';
import { Input } from '@/components/ui/input';

/** One row of the editor; `key` is React's, `name` is the label's key. */
export type LabelRow = { key: string; name: string; value: string };

let nextKey = 0;
export function newLabelRow(init: Partial<Omit<LabelRow, 'key'>> = {}): LabelRow {
  nextKey += 1;
  return { key: `label-${nextKey}`, name: '', value: '', ...init };
}

export function labelRows(labels: Record<string, string> | null | undefined): LabelRow[] {
  return Object.entries(labels ?? {}).map(([name, value]) => newLabelRow({ name, value }));
}

/** Labels as the API takes them: blank rows dropped, keys trimmed. */
export function labelsFromRows(rows: LabelRow[]): Record<string, string> {
  return Object.fromEntries(
    rows.filter((r) => r.name.trim() !== '' || r.value !== '').map((r) => [r.name.trim(), r.value]),
  );
}

/** One line for a collapsed section: "none", "1 label", "3 labels". */
export function summarizeLabels(rows: LabelRow[]): string {
  const n = Object.keys(labelsFromRows(rows)).length;
  return n === 0 ? 'none' : n === 1 ? '1 label' : `${n} labels`;
}

/** A key typed twice would silently keep only the last value; the form says so instead. */
export function duplicateLabelKey(rows: LabelRow[]): string | null {
  const seen = new Set<string>();
  for (const r of rows) {
    const name = r.name.trim();
    if (name === '') continue;
    if (seen.has(name)) return name;
    seen.add(name);
  }
  return null;
}

type Props = {
  rows: LabelRow[];
  onChange: (rows: LabelRow[]) => void;
  /** Error for the label with this key, as found by the schema. */
  errorFor?: (name: string) => string | undefined;
};

/** Docker labels set on every replica; keys starting with capstan. are Capstan's own. */
export function LabelEditor({ rows, onChange, errorFor }: Props) {
  const id = useId();
  const update = (key: string, patch: Partial<LabelRow>) =>
    onChange(rows.map((r) => (r.key === key ? { ...r, ...patch } : r)));
  return (
    <div className="space-y-2">
      {rows.map((row, i) => {
        const label = row.name.trim() || `label ${i + 1}`;
        const error = row.name.trim() ? errorFor?.(row.name.trim()) : undefined;
        const errorId = `${id}-${row.key}-error`;
        return (
          <div key={row.key} className="space-y-1" data-testid="label-row">
            <div className="grid grid-cols-[minmax(0,1fr)_auto] items-center gap-2 sm:grid-cols-[minmax(0,2fr)_minmax(0,3fr)_auto]">
              <Input
                aria-label={`Key of ${label}`}
                aria-invalid={error ? true : undefined}
                aria-describedby={error ? errorId : undefined}
                placeholder="team"
                value={row.name}
                spellCheck={false}
                autoComplete="off"
                className="font-mono text-xs"
                onChange={(e) => update(row.key, { name: e.target.value })}
              />
              <Input
                aria-label={`Value of label ${label}`}
                aria-invalid={error ? true : undefined}
                aria-describedby={error ? errorId : undefined}
                placeholder="value"
                value={row.value}
                spellCheck={false}
                autoComplete="off"
                className="order-last col-span-2 font-mono text-xs sm:order-none sm:col-span-1"
                onChange={(e) => update(row.key, { value: e.target.value })}
              />
              <button
                type="button"
                onClick={() => onChange(rows.filter((r) => r.key !== row.key))}
                aria-label={`Remove ${label}`}
                title="Remove"
                className={cx(
                  'inline-flex size-7 items-center justify-center rounded-md text-zinc-400 hover:bg-zinc-100 hover:text-red-600 dark:hover:bg-zinc-800 dark:hover:text-red-400',
                  focusRing,
                )}
              >
                <TrashIcon className="size-3.5" />
              </button>
            </div>
            {error && (
              <p id={errorId} className="text-xs text-red-600 dark:text-red-400">
                {error}
              </p>
            )}
          </div>
        );
      })}
      <Button size="sm" variant="ghost" onClick={() => onChange([...rows, newLabelRow()])} className="-ml-2">
        <PlusIcon className="size-3.5" /> Add label
      </Button>
    </div>
  );
}
