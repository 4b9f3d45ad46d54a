import type { ComponentProps, ReactNode } from 'react';
import { cx } from './class-names';
import { focusRing } from './focus-ring';

type CheckboxProps = Omit<ComponentProps<'input'>, 'type'> & { label: ReactNode; description?: ReactNode };

export function Checkbox({ label, description, className, id, disabled, ...rest }: CheckboxProps) {
  return (
    <label
      htmlFor={id}
      className={cx(
        'flex items-start gap-2 text-sm',
        disabled ? 'cursor-not-allowed opacity-60' : 'cursor-pointer',
        className,
      )}
    >
      <input
        id={id}
        type="checkbox"
        disabled={disabled}
        className={cx(
          'mt-0.5 size-4 shrink-0 rounded border-zinc-300 accent-indigo-600 dark:accent-indigo-500',
          focusRing,
        )}
        {...rest}
      />
      <span>
        <span className="font-medium text-zinc-800 dark:text-zinc-200">{label}</span>
        {description && <span className="block text-xs text-zinc-500 dark:text-zinc-400">{description}</span>}
      </span>
    </label>
  );
}
