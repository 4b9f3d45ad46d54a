'use client';

import { Button } from '@/components/ui/button';
import { cx } from '@/components/ui/class-names';
import { focusRing } from '@/components/ui/focus-ring';
import { PlusIcon, TrashIcon } from '@/components/ui/icons';
import { Input } from '@/components/ui/input';

/** One row of the editor. `kept` marks an existing secret whose stored value is kept as is. */
export type EnvRow = { key: string; name: string; value: string; secret: boolean; kept: boolean };

let nextKey = 0;
export function newEnvRow(init: Partial<Omit<EnvRow, 'key'>> = {}): EnvRow {
  nextKey += 1;
  return { key: `env-${nextKey}`, name: '', value: '', secret: false, kept: false, ...init };
}

/** Rows as the API takes them: blank rows dropped, kept secrets sent without a value. */
export function envRowsToInput(rows: EnvRow[]) {
  return rows
    .filter((r) => r.name.trim() !== '' || r.value !== '' || r.kept)
    .map((r) =>
      r.kept
        ? { name: r.name.trim(), secret: true }
        : { name: r.name.trim(), value: r.value, secret: r.secret },
    );
}

type EnvVarEditorProps = {
  rows: EnvRow[];
  onChange: (rows: EnvRow[]) => void;
  /** Error for row i's field, as found by the schema. */
  errorFor?: (index: number, field: 'name' | 'value') => string | undefined;
  disabled?: boolean;
};

export function EnvVarEditor({ rows, onChange, errorFor, disabled }: EnvVarEditorProps) {
  const update = (key: string, patch: Partial<EnvRow>) =>
    onChange(rows.map((r) => (r.key === key ? { ...r, ...patch } : r)));
  const remove = (key: string) => onChange(rows.filter((r) => r.key !== key));

  return (
    <div className="space-y-2">
      {rows.length > 0 && (
        <div className="hidden grid-cols-[minmax(0,2fr)_minmax(0,3fr)_auto_auto] gap-2 text-xs font-medium text-zinc-500 sm:grid dark:text-zinc-400">
          <span>Name</span>
          <span>Value</span>
          <span className="w-16">Secret</span>
          <span className="w-7" />
        </div>
      )}
      {rows.map((row, i) => {
        const label = row.name.trim() || `variable ${i + 1}`;
        const nameError = errorFor?.(i, 'name');
        const valueError = errorFor?.(i, 'value');
        return (
          <div key={row.key} className="space-y-1" data-testid="env-row">
            <div className="grid grid-cols-1 items-center gap-2 sm:grid-cols-[minmax(0,2fr)_minmax(0,3fr)_auto_auto]">
              <Input
                aria-label={`Name of ${label}`}
                aria-invalid={nameError ? true : undefined}
                placeholder="NAME"
                value={row.name}
                readOnly={row.kept}
                disabled={disabled}
                spellCheck={false}
                autoComplete="off"
                className="font-mono text-xs"
                onChange={(e) => update(row.key, { name: e.target.value })}
              />
              {row.kept ? (
                <div className="flex h-8 items-center justify-between gap-2 rounded-md border border-dashed border-zinc-300 px-2.5 text-xs text-zinc-500 dark:border-zinc-700 dark:text-zinc-400">
                  <span aria-label={`${label} keeps its stored value`}>•••• (kept)</span>
                  <button
                    type="button"
                    disabled={disabled}
                    onClick={() => update(row.key, { kept: false, value: '' })}
                    className={cx(
                      'rounded font-medium text-indigo-600 hover:underline dark:text-indigo-400',
                      focusRing,
                    )}
                  >
                    Replace
                  </button>
                </div>
              ) : (
                <Input
                  aria-label={`Value of ${label}`}
                  aria-invalid={valueError ? true : undefined}
                  placeholder={row.secret ? 'secret value' : 'value'}
                  type={row.secret ? 'password' : 'text'}
                  autoComplete={row.secret ? 'new-password' : 'off'}
                  spellCheck={false}
                  value={row.value}
                  disabled={disabled}
                  className="font-mono text-xs"
                  onChange={(e) => update(row.key, { value: e.target.value })}
                />
              )}
              <label className="flex w-16 cursor-pointer items-center gap-1.5 text-xs text-zinc-600 dark:text-zinc-400">
                <input
                  type="checkbox"
                  checked={row.secret}
                  disabled={disabled || row.kept}
                  onChange={(e) => update(row.key, { secret: e.target.checked })}
                  className={cx('size-3.5 accent-indigo-600', focusRing)}
                  aria-label={`${label} is secret`}
                />
                <span aria-hidden>Secret</span>
              </label>
              <button
                type="button"
                onClick={() => remove(row.key)}
                disabled={disabled}
                aria-label={`Remove ${label}`}
                title="Remove"
                className={cx(
                  'inline-flex size-7 items-center justify-center rounded-md text-zinc-400 hover:bg-zinc-100 hover:text-red-600 disabled:opacity-50 dark:hover:bg-zinc-800 dark:hover:text-red-400',
                  focusRing,
                )}
              >
                <TrashIcon className="size-3.5" />
              </button>
            </div>
            {(nameError || valueError) && (
              <p className="text-xs text-red-600 dark:text-red-400">{nameError ?? valueError}</p>
            )}
          </div>
        );
      })}
      <Button
        size="sm"
        variant="ghost"
        onClick={() => onChange([...rows, newEnvRow()])}
        disabled={disabled}
        className="-ml-2"
      >
        <PlusIcon className="size-3.5" /> Add variable
      </Button>
    </div>
  );
}
