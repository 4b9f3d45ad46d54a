import type { ComponentProps } from 'react';
import { cx } from './class-names';
import { ChevronDownIcon } from './icons';
import { controlClasses } from './input';

/** A native select (keyboard and screen readers for free) with the house look. `className` sizes the box. */
export function Select({ className, ...rest }: ComponentProps<'select'>) {
  return (
    <span className={cx('relative block', className ?? 'w-full')}>
      <select className={cx(controlClasses, 'h-8 w-full appearance-none pr-8 pl-2.5')} {...rest} />
      <ChevronDownIcon className="pointer-events-none absolute top-1/2 right-2 size-4 -translate-y-1/2 text-zinc-400" />
    </span>
  );
}
