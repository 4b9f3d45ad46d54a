import { cx } from '@/components/ui/class-names';
import { focusRing } from '@/components/ui/focus-ring';

/** A row of mutually exclusive choices (range, view) as pressed/unpressed buttons in one box. */
export function OptionButtons<T extends string>({
  label,
  options,
  value,
  onChange,
}: {
  label: string;
  options: readonly { value: T; label: string }[];
  value: T;
  onChange: (value: T) => void;
}) {
  return (
    <div
      role="group"
      aria-label={label}
      className="inline-flex rounded-md border border-zinc-300 bg-white p-0.5 shadow-xs dark:border-zinc-700 dark:bg-zinc-900"
    >
      {options.map((o) => {
        const on = o.value === value;
        return (
          <button
            key={o.value}
            type="button"
            aria-pressed={on}
            onClick={() => onChange(o.value)}
            className={cx(
              'h-6 rounded px-2 text-xs font-medium whitespace-nowrap transition-colors',
              on
                ? 'bg-zinc-100 text-zinc-900 dark:bg-zinc-700 dark:text-zinc-50'
                : 'text-zinc-500 hover:text-zinc-900 dark:text-zinc-400 dark:hover:text-zinc-100',
              focusRing,
            )}
          >
            {o.label}
          </button>
        );
      })}
    </div>
  );
}
