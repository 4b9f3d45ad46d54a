import type { ComponentProps } from 'react';
import { cx } from './class-names';
import { controlClasses } from './input';

export function Textarea({ className, rows = 3, ...rest }: ComponentProps<'textarea'>) {
  return <textarea rows={rows} className={cx(controlClasses, 'w-full px-2.5 py-1.5', className)} {...rest} />;
}
